/**
 * End to end: `aec keys` with the stores that run here, the `file` store,
 * `pass` (a throwaway gpg key) and the Secret Service (gnome-keyring in a
 * private D-Bus session): keys move out of the credentials file, and the AWS
 * CLI v1, botocore and aec itself read the profile through its
 * credential_process line, within the prompt budget (one store read, one
 * GetSessionToken), with the secret in no file and no argv.
 */

import assert from "node:assert/strict";
import { awsCli, botocores, requires } from "./support/clients.ts";
import {
  aecOnPath,
  filesContaining,
  PASS,
  SECRET_SERVICE,
  setUpPass,
  setUpSecretService,
  testPath,
  type TestStore,
} from "./support/key_stores.ts";
import { GOOD_MFA_CODE } from "./support/fake_aws.ts";
import { type Sandbox, STATIC_KEY_ID, STATIC_SECRET, withSandbox } from "./support/sandbox.ts";
import { aecCommand, startOnTerminal, TERMINAL } from "./support/terminal.ts";

const CONFIG = "[profile base]\nregion = eu-west-1\n\n" +
  "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\nsource_profile = base\n" +
  "region = eu-west-1\n";
const OTHER = "[other]\naws_access_key_id = AKIAOTHEREXAMPLE0000\n" +
  "aws_secret_access_key = otherSecretEXAMPLEKEYwJalrXUtnFEMI/K7MD\n";
const CREDENTIALS = `# my keys\n[base]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
  `aws_secret_access_key = ${STATIC_SECRET}\n\n${OTHER}`;
const PASSPHRASE = "correct horse battery staple";
const SERIAL = "arn:aws:iam::111122223333:mfa/alice";
const MFA_ROLE = "\n[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/mfa\n" +
  `source_profile = base\nmfa_serial = ${SERIAL}\nregion = eu-west-1\n`;
const decoder = new TextDecoder();

const AWS_CLI = await awsCli({ endpointUrls: true });
// botocore runs the profile's line, which reaches the local STS: any version.
const BOTOCORE = await botocores();

async function aws(env: Record<string, string>, args: string[]) {
  const output = await new Deno.Command(AWS_CLI.found!.command, { args, env, clearEnv: true })
    .output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

const READ_CREDENTIALS = `
import json, sys, botocore.session
c = botocore.session.Session(profile=sys.argv[1]).get_credentials().get_frozen_credentials()
print(json.dumps([c.access_key, c.secret_key, c.token]))
`;

/** The credentials each botocore here resolves for `profile`, with `env`. */
async function botocoreReads(env: Record<string, string>, profile: string) {
  const answers = [];
  for (const botocore of BOTOCORE.found ?? []) {
    const output = await new Deno.Command(botocore.python, {
      args: ["-c", READ_CREDENTIALS, profile],
      env,
      clearEnv: true,
    }).output();
    assert.ok(output.success, `botocore ${botocore.version}: ${decoder.decode(output.stderr)}`);
    answers.push(JSON.parse(decoder.decode(output.stdout)));
  }
  return answers;
}

function count(sandbox: Sandbox, action: string) {
  return sandbox.aws.requests.filter((request) => request.action === action).length;
}

interface StoreCase {
  name: "file" | "pass" | "secret-service";
  needs: { missing?: string };
  setUp(sandbox: Sandbox): Promise<TestStore | undefined>;
}

const STORES: StoreCase[] = [
  { name: "file", needs: {}, setUp: () => Promise.resolve(undefined) },
  { name: "pass", needs: PASS, setUp: setUpPass },
  { name: "secret-service", needs: SECRET_SERVICE, setUp: setUpSecretService },
];

/** Runs `body` with the store set up in a sandbox, and aec on PATH. */
function withStore(
  store: StoreCase,
  body: (
    sandbox: Sandbox,
    env: Record<string, string>,
    testStore: TestStore | undefined,
  ) => Promise<void>,
) {
  return withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const testStore = await store.setUp(sandbox);
    try {
      await aecOnPath(sandbox);
      const env = {
        ...sandbox.env,
        ...testStore?.env,
        PATH: testPath(sandbox),
        AEC_KEY_STORE: store.name,
        ...(store.name === "file" ? { AEC_KEY_STORE_PASSPHRASE: PASSPHRASE } : {}),
      };
      await body(sandbox, env, testStore);
    } finally {
      await testStore?.tearDown();
    }
  });
}

for (const store of STORES) {
  Deno.test({
    ...requires(
      `aec keys migrate: the ${store.name} store serves the AWS CLI, botocore and aec, ` +
        `one store read and one GetSessionToken for three calls` +
        (BOTOCORE.missing ? ` (botocore's part ignored: ${BOTOCORE.missing})` : ""),
      store.needs,
      AWS_CLI,
    ),
    fn: () =>
      withStore(store, async (sandbox, env, testStore) => {
        const migrated = await sandbox.run(["keys", "migrate", "base"], { env });
        assert.equal(migrated.code, 0, migrated.stderr);
        assert.equal(migrated.stderr, "");
        // Only the two key lines went; the comment and the other profile stay.
        assert.equal(
          await Deno.readTextFile(sandbox.credentialsFile),
          `# my keys\n[base]\n\n${OTHER}`,
        );
        const line =
          `${sandbox.home}/.test-bin/aec keys credential-process --store ${store.name} ` +
          "base";
        assert.equal(
          await Deno.readTextFile(sandbox.configFile),
          CONFIG.replace(
            "region = eu-west-1\n\n",
            `region = eu-west-1\ncredential_process = ${line}\n\n`,
          ),
        );

        // Three AWS CLI calls; for the file store, only the first has the passphrase.
        const readsBefore = await testStore?.reads() ?? 0;
        for (let call = 0; call < 3; call++) {
          const callEnv = { ...env };
          if (call > 0) delete callEnv.AEC_KEY_STORE_PASSPHRASE;
          const { code, stdout, stderr } = await aws(callEnv, [
            "sts",
            "get-caller-identity",
            "--profile",
            "base",
          ]);
          assert.equal(code, 0, stderr);
          assert.equal(JSON.parse(stdout).Arn, "arn:aws:iam::123456789012:user/" + STATIC_KEY_ID);
        }
        assert.equal(count(sandbox, "GetSessionToken"), 1);
        if (testStore) assert.equal(await testStore.reads() - readsBefore, 1);
        const [session] = [...sandbox.aws.issued.values()];
        assert.equal(
          sandbox.aws.requests.find((r) => r.action === "GetSessionToken")!.signedBy,
          STATIC_KEY_ID,
        );

        // botocore reads the same session; so does a role whose source is the profile.
        for (const read of await botocoreReads(env, "base")) {
          assert.deepEqual(read, [
            session!.accessKeyId,
            session!.secretAccessKey,
            session!.sessionToken,
          ]);
        }
        const role = await aws(env, ["sts", "get-caller-identity", "--profile", "admin"]);
        assert.equal(role.code, 0, role.stderr);
        assert.match(JSON.parse(role.stdout).Arn, /assumed-role\/admin\//);
        assert.equal(
          sandbox.aws.requests.find((r) => r.action === "AssumeRole")!.signedBy,
          session!.accessKeyId,
        );

        // aec resolves the profile itself: no aec child process, no new session.
        const aecRuns = (await (await aecOnPath(sandbox)).calls()).length;
        const own = await sandbox.run(["--profile", "base", "--json"], { env });
        assert.equal(own.code, 0, own.stderr);
        assert.equal(JSON.parse(own.stdout).AccessKeyId, session!.accessKeyId);
        assert.equal((await (await aecOnPath(sandbox)).calls()).length, aecRuns);
        assert.equal(count(sandbox, "GetSessionToken"), 1);

        // The secret is in no file of the HOME and in no argv seen while the store ran.
        assert.deepEqual(await filesContaining(sandbox.home, STATIC_SECRET), []);
        for (const call of await testStore?.program.calls() ?? []) {
          assert.ok(!call.includes(STATIC_SECRET), call);
        }

        const listed = await sandbox.run(["keys", "list"], { env });
        assert.equal(listed.code, 0, listed.stderr);
        assert.match(
          listed.stdout,
          new RegExp(`^base +${STATIC_KEY_ID} +${store.name} +yes$`, "m"),
        );

        const removed = await sandbox.run(["keys", "remove", "base", "--force"], { env });
        assert.equal(removed.code, 0, removed.stderr);
        const after = await aws(env, ["sts", "get-caller-identity", "--profile", "base"]);
        assert.notEqual(after.code, 0);
        assert.match(after.stderr, /has no keys for profile base/);
      }),
  });

  Deno.test({
    ...requires(
      `aec keys add --stdin stores checked keys in the ${store.name} store and points a new ` +
        "profile at them",
      store.needs,
      AWS_CLI,
    ),
    fn: () =>
      withStore(store, async (sandbox, env) => {
        const keys = `AKIADEVEXAMPLE000001\ndevSecret/K7MDENG/bPxRfiCYEXAMPLEKEYdev1\n`;
        const added = await sandbox.run(["keys", "add", "dev", "--stdin"], { env, stdin: keys });
        assert.equal(added.code, 0, added.stderr);
        assert.equal(sandbox.aws.requests[0]?.action, "GetCallerIdentity");
        assert.equal(sandbox.aws.requests[0]?.signedBy, "AKIADEVEXAMPLE000001");
        assert.match(
          await Deno.readTextFile(sandbox.configFile),
          /\n\[profile dev\]\ncredential_process = \S+\/aec keys credential-process --store \S+ dev\n$/,
        );
        const { code, stdout, stderr } = await aws(env, [
          "sts",
          "get-caller-identity",
          "--profile",
          "dev",
          "--region",
          "eu-west-1",
        ]);
        assert.equal(code, 0, stderr);
        assert.equal(JSON.parse(stdout).Arn, "arn:aws:iam::123456789012:user/AKIADEVEXAMPLE000001");
        assert.deepEqual(await filesContaining(sandbox.home, "devSecret/K7MDENG"), []);
      }),
  });
}

Deno.test({
  ...requires(
    "an MFA role whose source profile's keys are stored asks for one code; its MFA session " +
      "then needs neither the store nor a terminal",
    ...TERMINAL,
  ),
  fn: () =>
    withSandbox({ config: CONFIG + MFA_ROLE, credentials: CREDENTIALS }, async (sandbox) => {
      const env = { ...sandbox.env, AEC_KEY_STORE: "file", AEC_KEY_STORE_PASSPHRASE: PASSPHRASE };
      const migrated = await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env });
      assert.equal(migrated.code, 0, migrated.stderr);
      const session = startOnTerminal(aecCommand(["--profile", "mfa", "--json"]), env);
      await session.waitFor(`MFA code for ${SERIAL}: `);
      await session.type(`${GOOD_MFA_CODE}\r`);
      assert.equal(await session.exit(), 0, session.screen());
      const [mfa, assumed] = sandbox.aws.requests;
      assert.deepEqual([mfa!.action, mfa!.params.SerialNumber, mfa!.signedBy], [
        "GetSessionToken",
        SERIAL,
        STATIC_KEY_ID,
      ]);
      assert.equal(assumed!.action, "AssumeRole");
      assert.notEqual(assumed!.signedBy, STATIC_KEY_ID);
      // No passphrase, no terminal: the MFA session alone assumes the role again.
      const withoutStore: Record<string, string> = { ...env };
      delete withoutStore.AEC_KEY_STORE_PASSPHRASE;
      const again = await sandbox.run(["--profile", "mfa", "--json", "--no-cli-cache"], {
        env: withoutStore,
      });
      assert.equal(again.code, 0, again.stderr);
      assert.equal(sandbox.aws.requests.at(-1)!.signedBy, assumed!.signedBy);
      assert.equal(count(sandbox, "GetSessionToken"), 1);
    }),
});
