import assert from "node:assert/strict";
import type { Credentials } from "../lib/credentials.ts";
import { keepFresh, withDeadline } from "../lib/refresh.ts";

/** A source that counts calls and expires each answer `lifetimeMs` after it. */
function fakeSource(clock: { now: number }, lifetimeMs: number) {
  const state = { calls: 0, failing: false };
  const source = () => {
    state.calls++;
    if (state.failing) return Promise.reject(new Error("sts is down"));
    return Promise.resolve<Credentials>({
      accessKeyId: `ASIA${state.calls}`,
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration: new Date(clock.now + lifetimeMs),
    });
  };
  return { state, source };
}

const policy = (clock: { now: number }) => ({
  minGapMs: 5_000,
  graceMs: 60_000,
  now: () => clock.now,
});

Deno.test("keepFresh() asks a short-lived source at most once per gap", async () => {
  const clock = { now: 0 };
  const { state, source } = fakeSource(clock, 10_000);
  const fresh = keepFresh(source, policy(clock));
  assert.equal((await fresh()).accessKeyId, "ASIA1");
  clock.now = 4_999;
  assert.equal((await fresh()).accessKeyId, "ASIA1");
  assert.equal(state.calls, 1);
  clock.now = 5_000;
  assert.equal((await fresh()).accessKeyId, "ASIA2");
  assert.equal(state.calls, 2);
});

Deno.test("keepFresh() never serves expired credentials within the gap", async () => {
  const clock = { now: 0 };
  const { state, source } = fakeSource(clock, 1_000);
  const fresh = keepFresh(source, policy(clock));
  await fresh();
  clock.now = 1_000;
  assert.equal((await fresh()).accessKeyId, "ASIA2");
  assert.equal(state.calls, 2);
});

Deno.test("keepFresh() serves still-valid credentials when a refresh fails", async () => {
  const clock = { now: 0 };
  const { state, source } = fakeSource(clock, 300_000);
  const fresh = keepFresh(source, policy(clock));
  await fresh();
  state.failing = true;
  clock.now = 10_000;
  assert.equal((await fresh()).accessKeyId, "ASIA1");
  clock.now = 12_000;
  await fresh();
  assert.equal(state.calls, 2, "retried within the gap");
  state.failing = false;
  clock.now = 15_000;
  assert.equal((await fresh()).accessKeyId, "ASIA3");
});

Deno.test("keepFresh() fails when the last credentials are within the grace period", async () => {
  const clock = { now: 0 };
  const { state, source } = fakeSource(clock, 90_000);
  const fresh = keepFresh(source, policy(clock));
  await fresh();
  state.failing = true;
  clock.now = 30_001;
  await assert.rejects(fresh(), /sts is down/);
});

Deno.test("withDeadline() rejects a promise that never settles", async () => {
  const tooSlow = () => new RangeError("too slow");
  await assert.rejects(withDeadline(new Promise(() => {}), 10, tooSlow), RangeError);
  assert.equal(await withDeadline(Promise.resolve(7), 1_000, tooSlow), 7);
});
