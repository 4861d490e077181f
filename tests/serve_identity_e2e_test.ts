/**
 * End to end: the command of `--serve --exec` acts as the served profile even
 * when the user's `[default]` profile holds keys, a credential_process or an
 * sso_session, which every SDK would otherwise read before the container
 * endpoint. The commands are real clients: the JS SDK's default chain,
 * botocore (each botocore found is tried) and the AWS CLI, each ignored where
 * missing (tests/support/clients.ts).
 */

import assert from "node:assert/strict";
import { awsCli, botocores, requires } from "./support/clients.ts";
import {
  REPO_ROOT,
  type Sandbox,
  STATIC_CREDENTIALS,
  STATIC_KEY_ID,
  withSandbox,
} from "./support/sandbox.ts";

const CONSUMER = `${REPO_ROOT}tests/support/sdk_consumer.ts`;
const SHADOW_KEY_ID = "AKIADEFAULTSHADOW000";
const PROCESS_KEY_ID = "ASIAPROCESSSHADOW000";
const ROLE_CONFIG = "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
  "source_profile = base\nregion = eu-west-1\n";

const BOTOCORE_SCRIPT = `
import json, sys, botocore.session
profile = sys.argv[1] if len(sys.argv) > 1 else None
session = botocore.session.Session(profile=profile)
print(json.dumps({"accessKeyId": session.get_credentials().access_key,
                  "region": session.get_config_variable("region")}))
`;

// botocore reads the served credentials from the container endpoint: it calls no AWS endpoint.
const BOTOCORE = await botocores();
// The AWS CLI calls STS: only one that honours AWS_ENDPOINT_URL_STS reaches the local one.
const AWS_CLI = await awsCli({ endpointUrls: true });

/** `[default]` variants that would shadow the endpoint, as [config, credentials] additions. */
async function shadowingDefaults(sandbox: Sandbox): Promise<Record<string, [string, string]>> {
  const script = await sandbox.write(
    "shadow_process.sh",
    `#!/bin/sh\necho '{"Version": 1, "AccessKeyId": "${PROCESS_KEY_ID}", ` +
      `"SecretAccessKey": "processSecret"}'\n`,
  );
  await Deno.chmod(script, 0o755);
  return {
    keys: ["", `[default]\naws_access_key_id = ${SHADOW_KEY_ID}\naws_secret_access_key = s\n`],
    process: [`[default]\ncredential_process = ${script}\n`, ""],
    sso: [
      "[default]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = r\n" +
      "[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n" +
      "sso_region = us-east-1\n",
      "",
    ],
  };
}

/** Runs `aec --profile admin --serve --exec COMMAND` and returns the command's JSON line. */
async function servedRun(sandbox: Sandbox, command: string[]) {
  const result = await sandbox.run(["--profile", "admin", "--serve", "--exec", ...command]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!);
}

function assertServedRole(sandbox: Sandbox, accessKeyId: string) {
  assert.notEqual(accessKeyId, SHADOW_KEY_ID, "the command used [default]'s keys");
  assert.notEqual(accessKeyId, PROCESS_KEY_ID, "the command used [default]'s process");
  assert.match(sandbox.aws.issued.get(accessKeyId)?.arn ?? "", /assumed-role\/admin\//);
}

Deno.test("aec --serve --exec: the JS SDK's default chain gets the served role, not [default]", async () => {
  await withSandbox({}, async (sandbox) => {
    for (const [name, [config, credentials]] of Object.entries(await shadowingDefaults(sandbox))) {
      await Deno.writeTextFile(sandbox.configFile, ROLE_CONFIG + config);
      await Deno.writeTextFile(sandbox.credentialsFile, STATIC_CREDENTIALS + credentials);
      const served = await servedRun(sandbox, [
        Deno.execPath(),
        "run",
        "-A",
        "--quiet",
        CONSUMER,
        "chain",
      ]);
      assertServedRole(sandbox, served.accessKeyId);
      assert.ok(served.accessKeyId, `no credentials with a [default] of ${name}`);
    }
  });
});

Deno.test({
  ...requires(
    "aec --serve --exec: botocore gets the served role and keeps other profiles",
    BOTOCORE,
  ),
  fn: async () => {
    await withSandbox({}, async (sandbox) => {
      const script = await sandbox.write("botocore_client.py", BOTOCORE_SCRIPT);
      const defaults = await shadowingDefaults(sandbox);
      for (const { python } of BOTOCORE.found!) {
        for (const [config, credentials] of Object.values(defaults)) {
          await Deno.writeTextFile(sandbox.configFile, ROLE_CONFIG + config);
          await Deno.writeTextFile(sandbox.credentialsFile, STATIC_CREDENTIALS + credentials);
          const served = await servedRun(sandbox, [python, script]);
          assertServedRole(sandbox, served.accessKeyId);
          // The served profile's own settings carry over.
          assert.equal(served.region, "eu-west-1");
          // The user's other profiles are still there by name.
          const base = await servedRun(sandbox, [python, script, "base"]);
          assert.equal(base.accessKeyId, STATIC_KEY_ID);
        }
      }
    });
  },
});

Deno.test("aec --serve --exec refuses to start when the files define its profile name", async () => {
  await withSandbox({
    config: `${ROLE_CONFIG}[profile aec-served]\nregion = us-east-1\n`,
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const marker = `${sandbox.home}/ran`;
    const result = await sandbox.run([
      "--profile",
      "admin",
      "--serve",
      "--exec",
      "touch",
      marker,
    ]);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stderr.split("\n").length, 2, result.stderr);
    assert.match(result.stderr, /profile aec-served, which your AWS files already define/);
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  });
});

Deno.test("aec --serve --exec leaves no private config file behind", async () => {
  await withSandbox({ config: ROLE_CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run([
      "--profile",
      "admin",
      "--serve",
      "--exec",
      "sh",
      "-c",
      'cat "$AWS_CONFIG_FILE"; echo "$AWS_CONFIG_FILE"',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    const path = lines.at(-1)!;
    // The copy holds the user's config and the served profile, without its credential settings.
    assert.ok(result.stdout.startsWith(ROLE_CONFIG));
    assert.match(result.stdout, /\[profile aec-served\]\nregion = eu-west-1\n/);
    assert.doesNotMatch(result.stdout.slice(ROLE_CONFIG.length), /role_arn|source_profile/);
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  });
});

Deno.test({
  ...requires(
    "aec --serve --exec: the AWS CLI calls STS as the served role, not as [default]",
    AWS_CLI,
  ),
  fn: async () => {
    await withSandbox({}, async (sandbox) => {
      for (const [config, credentials] of Object.values(await shadowingDefaults(sandbox))) {
        await Deno.writeTextFile(sandbox.configFile, ROLE_CONFIG + config);
        await Deno.writeTextFile(sandbox.credentialsFile, STATIC_CREDENTIALS + credentials);
        // The CLI signs GetCallerIdentity; the local STS answers with the signer's identity.
        const arn = await servedRun(sandbox, [
          AWS_CLI.found!.command,
          "sts",
          "get-caller-identity",
          "--query",
          "Arn",
        ]);
        assert.match(arn, /^arn:aws:sts::111122223333:assumed-role\/admin\//);
      }
    });
  },
});
