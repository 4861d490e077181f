import assert from "node:assert/strict";
import type { Credentials } from "../lib/support/credentials.ts";
import { keepFresh, withDeadline } from "../lib/resolve/refresh.ts";

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

/** Lets a refresh started in the background settle. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("keepFresh() serves still-valid credentials at once and refreshes them in the background", async () => {
  const clock = { now: 0 };
  const { state, source } = fakeSource(clock, 300_000);
  const fresh = keepFresh(source, policy(clock));
  assert.equal((await fresh()).accessKeyId, "ASIA1");
  state.failing = true;
  clock.now = 10_000;
  assert.equal((await fresh()).accessKeyId, "ASIA1");
  assert.equal(state.calls, 2);
  await settled();
  clock.now = 12_000;
  assert.equal((await fresh()).accessKeyId, "ASIA1");
  assert.equal(state.calls, 2, "retried within the gap");
  state.failing = false;
  clock.now = 15_000;
  assert.equal((await fresh()).accessKeyId, "ASIA1", "waited for the refresh");
  await settled();
  assert.equal((await fresh()).accessKeyId, "ASIA3");
  assert.equal(state.calls, 3);
});

Deno.test("keepFresh() answers at once with the credentials it holds while a refresh hangs", async () => {
  const clock = { now: 0 };
  const initial = {
    accessKeyId: "ASIA0",
    secretAccessKey: "secret",
    sessionToken: "token",
    expiration: new Date(240_000),
  };
  let calls = 0;
  const hanging = () => {
    calls++;
    return new Promise<Credentials>(() => {});
  };
  const fresh = keepFresh(hanging, policy(clock), initial);
  const tooSlow = () => new Error("the request waited for the refresh");
  for (const at of [0, 1_000, 6_000, 179_999]) {
    clock.now = at;
    assert.equal((await withDeadline(fresh(), 1_000, tooSlow)).accessKeyId, "ASIA0");
  }
  assert.equal(calls, 1, "a second refresh started while one was running");
});

Deno.test("keepFresh() shares one refresh between the requests that wait for the first credentials", async () => {
  const clock = { now: 0 };
  const { state, source } = fakeSource(clock, 300_000);
  const fresh = keepFresh(source, policy(clock));
  const answers = await Promise.all([fresh(), fresh(), fresh()]);
  assert.deepEqual(answers.map((answer) => answer.accessKeyId), ["ASIA1", "ASIA1", "ASIA1"]);
  assert.equal(state.calls, 1);
});

Deno.test("keepFresh() fails at once in the last minute after a failed refresh, until one succeeds", async () => {
  const clock = { now: 0 };
  const { state, source } = fakeSource(clock, 90_000);
  const fresh = keepFresh(source, policy(clock));
  await fresh();
  state.failing = true;
  clock.now = 30_001;
  await assert.rejects(fresh(), /sts is down/);
  // No flapping: the still-valid credentials are not served again within the gap.
  clock.now = 31_000;
  await assert.rejects(fresh(), /sts is down/);
  assert.equal(state.calls, 2);
  // The retry runs in the background; the request does not wait for it.
  clock.now = 35_001;
  await assert.rejects(fresh(), /sts is down/);
  assert.equal(state.calls, 3);
  await settled();
  state.failing = false;
  clock.now = 40_002;
  await assert.rejects(fresh(), /sts is down/);
  await settled();
  assert.equal((await fresh()).accessKeyId, "ASIA4");
  assert.equal(state.calls, 4);
});

Deno.test("withDeadline() rejects a promise that never settles", async () => {
  const tooSlow = () => new RangeError("too slow");
  await assert.rejects(withDeadline(new Promise(() => {}), 10, tooSlow), RangeError);
  assert.equal(await withDeadline(Promise.resolve(7), 1_000, tooSlow), 7);
});
