/**
 * Real clients: a profile whose credential_process is aec itself resolves, in
 * the JS SDK (through aec) and in botocore, to the credentials aec exported.
 */

import assert from "node:assert/strict";
import { botocores, requires } from "./support/clients.ts";
import {
  REPO_ROOT,
  type Sandbox,
  STATIC_KEY_ID,
  STATIC_SECRET,
  withSandbox,
} from "./support/sandbox.ts";

// botocore runs aec, which calls the local STS: botocore itself calls no AWS endpoint.
const BOTOCORE = await botocores();

async function configureAecProcess(sandbox: Sandbox) {
  // credential_process is split like a command line; quote the paths.
  const aec = `"${Deno.execPath()}" run -A --quiet "${REPO_ROOT}main.ts"`;
  await Deno.writeTextFile(
    sandbox.configFile,
    `[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\nsource_profile = base\n` +
      `[profile via-aec]\ncredential_process = ${aec} --profile admin --json\n`,
  );
  await Deno.writeTextFile(
    sandbox.credentialsFile,
    `[base]\naws_access_key_id = ${STATIC_KEY_ID}\naws_secret_access_key = ${STATIC_SECRET}\n`,
  );
}

function onlyIssued(sandbox: Sandbox) {
  const issued = [...sandbox.aws.issued.values()];
  assert.equal(issued.length, 1);
  return issued[0]!;
}

Deno.test("the JS SDK resolves a credential_process that runs aec", async () => {
  await withSandbox({}, async (sandbox) => {
    await configureAecProcess(sandbox);
    const result = await sandbox.run(["--profile", "via-aec", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const issued = onlyIssued(sandbox);
    assert.deepEqual(JSON.parse(result.stdout), {
      Version: 1,
      AccessKeyId: issued.accessKeyId,
      SecretAccessKey: issued.secretAccessKey,
      SessionToken: issued.sessionToken,
      Expiration: issued.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
    });
  });
});

Deno.test({
  ...requires("botocore resolves a credential_process that runs aec", BOTOCORE),
  fn: async () => {
    for (const botocore of BOTOCORE.found!) {
      await withSandbox({}, async (sandbox) => {
        await configureAecProcess(sandbox);
        const { code, stdout, stderr } = await new Deno.Command(botocore.python, {
          args: [
            "-c",
            "import json, botocore.session\n" +
            "c = botocore.session.Session(profile='via-aec').get_credentials().get_frozen_credentials()\n" +
            "print(json.dumps([c.access_key, c.secret_key, c.token]))",
          ],
          env: sandbox.env,
          clearEnv: true,
        }).output();
        assert.equal(code, 0, `botocore ${botocore.version}: ${new TextDecoder().decode(stderr)}`);
        const issued = onlyIssued(sandbox);
        assert.deepEqual(JSON.parse(new TextDecoder().decode(stdout)), [
          issued.accessKeyId,
          issued.secretAccessKey,
          issued.sessionToken,
        ]);
      });
    }
  },
});
