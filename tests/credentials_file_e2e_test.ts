/** End to end: `-c NAME` writes the exported credentials into the shared credentials file. */

import assert from "node:assert/strict";
import { STATIC_KEY_ID, STATIC_SECRET, withSandbox } from "./support/sandbox.ts";

const CONFIG = "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
  "source_profile = base\n";
const CREDENTIALS = `# my keys\r\n[base]\r\naws_access_key_id = ${STATIC_KEY_ID}\r\n` +
  `aws_secret_access_key = ${STATIC_SECRET}\r\n`;

Deno.test("aec -c writes a profile that the SDK reads back as the same credentials", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const written = await sandbox.run(["--profile", "admin", "-c", "exported"]);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, "");
    assert.equal(written.stderr, "");
    const text = await Deno.readTextFile(sandbox.credentialsFile);
    assert.ok(text.startsWith(CREDENTIALS), "the existing bytes changed");
    assert.match(text, /\r\n\[exported\]\r\naws_access_key_id = ASIA/);

    const issued = [...sandbox.aws.issued.values()][0]!;
    const readBack = await sandbox.run(["--profile", "exported", "--json"]);
    assert.equal(readBack.code, 0, readBack.stderr);
    const exported = JSON.parse(readBack.stdout);
    assert.equal(exported.AccessKeyId, issued.accessKeyId);
    assert.equal(exported.SecretAccessKey, issued.secretAccessKey);
    assert.equal(exported.SessionToken, issued.sessionToken);
  });
});

Deno.test("aec -c refuses to overwrite long-term keys and leaves the file as it was", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    for (
      const args of [["--profile", "admin", "-c", "base"], [
        "--profile",
        "admin",
        "--credentials-file-profile",
        "admin",
      ]]
    ) {
      const result = await sandbox.run(args);
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /^aec: Refusing to overwrite /);
      assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
    }
  });
});

Deno.test("aec rejects -c together with another output mode", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(["--json", "-c", "exported"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--json and -c cannot be used together/);
  });
});

Deno.test("aec -c refuses a profile name the SDK would not read back", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    for (const name of ["__proto__", "profile x", "sso-session 'y'"]) {
      const result = await sandbox.run(["--profile", "admin", "-c", name]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /would not read back as a profile/);
      assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
    }
  });
});
