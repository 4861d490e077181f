/**
 * End to end: `aec keys rotate` against the local IAM and STS
 * (tests/support/fake_iam.ts): a new access key is created, checked, stored,
 * and only then is the old one deleted; any step that fails stops cleanly,
 * the old key kept in the store and in IAM.
 */

import assert from "node:assert/strict";
import { GOOD_MFA_CODE } from "./support/fake_aws.ts";
import { PASS, SECRET_SERVICE, setUpPass, setUpSecretService } from "./support/key_stores.ts";
import { type Sandbox, STATIC_KEY_ID, STATIC_SECRET, withSandbox } from "./support/sandbox.ts";
import { requires } from "./support/clients.ts";
import { aecCommand, startOnTerminal, TERMINAL } from "./support/terminal.ts";

const SERIAL = "arn:aws:iam::123456789012:mfa/alice";
const FILES = {
  config: "[profile base]\nregion = eu-west-1\n",
  credentials: `[base]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
    `aws_secret_access_key = ${STATIC_SECRET}\n`,
};
const ALICE = "arn:aws:iam::123456789012:user/alice";

/** base's keys moved into a store (the file store unless `store`), known to IAM as alice's. */
async function storedBase(
  sandbox: Sandbox,
  store?: { name: string; env: Record<string, string> },
): Promise<Record<string, string>> {
  const env = store
    ? { ...sandbox.env, ...store.env, AEC_KEY_STORE: store.name }
    : { ...sandbox.env, AEC_KEY_STORE: "file", AEC_KEY_STORE_PASSPHRASE: "rotation passphrase" };
  sandbox.aws.iam.keys.set(STATIC_KEY_ID, { user: "alice", secret: STATIC_SECRET });
  const migrated = await sandbox.run(["keys", "migrate", "base"], { env });
  assert.equal(migrated.code, 0, migrated.stderr);
  return env;
}

async function storedKey(sandbox: Sandbox, env: Record<string, string>) {
  const result = await sandbox.run(
    ["keys", "credential-process", "--store", env.AEC_KEY_STORE!, "--no-session", "base"],
    { env },
  );
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as { AccessKeyId: string; SecretAccessKey: string };
}

const STORES = [
  { name: "file", needs: {}, setUp: (_: Sandbox) => Promise.resolve(undefined) },
  { name: "pass", needs: PASS, setUp: setUpPass },
  { name: "secret-service", needs: SECRET_SERVICE, setUp: setUpSecretService },
];

for (const { name, needs, setUp } of STORES) {
  Deno.test({
    ...requires(
      `aec keys rotate creates, checks and stores a new key in the ${name} store, then ` +
        "deletes the old one",
      needs,
    ),
    fn: () =>
      withSandbox(FILES, async (sandbox) => {
        const store = await setUp(sandbox);
        try {
          const env = await storedBase(sandbox, store && { name, env: store.env });
          // A session from the old key, which rotating must drop.
          assert.equal((await sandbox.run(["--profile", "base", "--json"], { env })).code, 0);
          const rotated = await sandbox.run(["keys", "rotate", "base"], { env });
          assert.equal(rotated.code, 0, rotated.stderr);
          const { iam } = sandbox.aws;
          const [fresh] = [...iam.keys.keys()];
          assert.match(fresh!, /^AKIANEWKEY/);
          assert.deepEqual(iam.calls, [
            { action: "CreateAccessKey", signedBy: STATIC_KEY_ID },
            { action: "DeleteAccessKey", signedBy: STATIC_KEY_ID, accessKeyId: STATIC_KEY_ID },
          ]);
          assert.ok(iam.deleted.has(STATIC_KEY_ID));
          assert.deepEqual(await storedKey(sandbox, env), {
            Version: 1,
            AccessKeyId: fresh,
            SecretAccessKey: iam.keys.get(fresh!)!.secret,
          });
          // The new key was checked before it was stored, as alice.
          assert.ok(
            sandbox.aws.requests.some((r) =>
              r.action === "GetCallerIdentity" && r.signedBy === fresh
            ),
          );
          const own = await sandbox.run(["--profile", "base", "--json"], { env });
          assert.equal(own.code, 0, own.stderr);
          assert.equal(sandbox.aws.requests.at(-1)!.signedBy, fresh);
          assert.equal(sandbox.aws.issued.get(JSON.parse(own.stdout).AccessKeyId)!.arn, ALICE);
        } finally {
          await store?.tearDown();
        }
      }),
  });
}

Deno.test("aec keys rotate stops with the old key kept when IAM refuses a new key", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const env = await storedBase(sandbox);
    sandbox.aws.iam.failing = "CreateAccessKey";
    const rotated = await sandbox.run(["keys", "rotate", "base"], { env });
    assert.equal(rotated.code, 3);
    assert.match(
      rotated.stderr,
      /^aec: IAM CreateAccessKey failed: CreateAccessKey failed on purpose; the old key AKIAIOSFODNN7EXAMPLE is unchanged and still in use\n$/,
    );
    assert.equal((await storedKey(sandbox, env)).AccessKeyId, STATIC_KEY_ID);
    assert.ok(!sandbox.aws.iam.deleted.has(STATIC_KEY_ID));
  });
});

Deno.test("aec keys rotate deletes the new key again when the store cannot take it", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const env = await storedBase(sandbox);
    // The key file's lock cannot be taken: reading works, writing does not.
    const lock = `${sandbox.home}/.config/aec/keys.json.lock`;
    await Deno.remove(lock);
    await Deno.mkdir(lock);
    const rotated = await sandbox.run(["keys", "rotate", "base"], { env });
    assert.equal(rotated.code, 3);
    assert.match(
      rotated.stderr,
      /^aec: Storing the new key failed \(.*keys\.json\.lock is not a regular file.*\); the new key AKIANEWKEY\d+ was deleted; the old key AKIAIOSFODNN7EXAMPLE is unchanged and still in use\n$/,
    );
    const { iam } = sandbox.aws;
    assert.deepEqual(iam.calls.map((call) => [call.action, call.accessKeyId]), [
      ["CreateAccessKey", undefined],
      ["DeleteAccessKey", [...iam.deleted][0]],
    ]);
    assert.deepEqual([...iam.keys.keys()], [STATIC_KEY_ID]);
    await Deno.remove(lock);
    assert.equal((await storedKey(sandbox, env)).AccessKeyId, STATIC_KEY_ID);
  });
});

Deno.test("aec keys rotate says how to finish when the old key cannot be deleted", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const env = await storedBase(sandbox);
    sandbox.aws.iam.failing = "DeleteAccessKey";
    const rotated = await sandbox.run(["keys", "rotate", "base"], { env });
    assert.equal(rotated.code, 3);
    assert.match(
      rotated.stderr,
      /^aec: The new key AKIANEWKEY\d+ is stored and in use, but deleting the old key AKIAIOSFODNN7EXAMPLE failed \(IAM DeleteAccessKey failed: .*\) \(delete it with 'aws iam delete-access-key --access-key-id AKIAIOSFODNN7EXAMPLE'\)\n$/,
    );
    assert.match((await storedKey(sandbox, env)).AccessKeyId, /^AKIANEWKEY/);
  });
});

Deno.test({
  ...requires(
    "aec keys rotate of a profile with mfa_serial signs IAM calls with an MFA session",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const env = await storedBase(sandbox);
      await Deno.writeTextFile(sandbox.configFile, `mfa_serial = ${SERIAL}\n`, { append: true });
      const session = startOnTerminal(aecCommand(["keys", "rotate", "base"]), env);
      await session.waitFor(`MFA code for ${SERIAL}: `);
      await session.type(`${GOOD_MFA_CODE}\r`);
      assert.equal(await session.exit(), 0, session.screen());
      const mfa = sandbox.aws.requests.find((r) => r.action === "GetSessionToken")!;
      assert.equal(mfa.params.SerialNumber, SERIAL);
      assert.equal(mfa.signedBy, STATIC_KEY_ID);
      const signer = sandbox.aws.iam.calls[0]!.signedBy!;
      assert.match(signer, /^ASIAFAKE/);
      assert.deepEqual(sandbox.aws.iam.calls.map((call) => call.signedBy), [signer, signer]);
    });
  },
});
