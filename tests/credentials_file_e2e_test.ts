/** End to end: `-c NAME` writes the exported credentials into the shared credentials file. */

import assert from "node:assert/strict";
import { BOTOCORE_IGNORED, botocoreCredentials, BOTOCORES } from "./support/botocore.ts";
import { type Sandbox, STATIC_KEY_ID, STATIC_SECRET, withSandbox } from "./support/sandbox.ts";

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

/** The credentials every botocore here reads for `profile` of the sandbox's files. */
async function assertBotocoreReads(
  sandbox: Sandbox,
  profile: string,
  expected: { accessKeyId: string; secretAccessKey: string; sessionToken: string | null },
) {
  for (const botocore of BOTOCORES) {
    assert.deepEqual(
      await botocoreCredentials(botocore, sandbox, profile),
      expected,
      `botocore ${botocore.version}, profile ${profile}`,
    );
  }
}

// Keys the way botocore also reads them: any case, `:` as well as `=`.
const UPPER_LONG_TERM = "[upper]\r\nAWS_ACCESS_KEY_ID = AKIAUPPEREXAMPLE\r\n" +
  "Aws_Secret_Access_Key: upper-secret\r\n";
const UPPER_TEMPORARY =
  "[exported]\r\nregion = eu-west-1\r\nAWS_ACCESS_KEY_ID: ASIAOLDEXAMPLE\r\n" +
  "AWS_SECRET_ACCESS_KEY=old-secret\r\nAws_Session_Token = old-token ; from yesterday\r\n" +
  "  continued\r\n# end of exported\r\n";

Deno.test({
  name: "aec -c sees long-term keys in upper case or with a colon, and leaves the file as it was" +
    BOTOCORE_IGNORED,
  ignore: BOTOCORES.length === 0,
  async fn() {
    await withSandbox(
      { config: CONFIG, credentials: CREDENTIALS + UPPER_LONG_TERM },
      async (sandbox) => {
        const before = await Deno.readFile(sandbox.credentialsFile);
        const result = await sandbox.run(["--profile", "admin", "-c", "upper"]);
        assert.equal(result.code, 3, result.stderr);
        assert.equal(
          result.stderr,
          `aec: Refusing to overwrite long-term keys in profile upper of ${sandbox.credentialsFile}\n`,
        );
        assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
        await assertBotocoreReads(sandbox, "upper", {
          accessKeyId: "AKIAUPPEREXAMPLE",
          secretAccessKey: "upper-secret",
          sessionToken: null,
        });
      },
    );
  },
});

Deno.test({
  name: "aec -c replaces keys written in any case in place, and botocore reads every profile" +
    BOTOCORE_IGNORED,
  ignore: BOTOCORES.length === 0,
  async fn() {
    await withSandbox(
      { config: CONFIG, credentials: CREDENTIALS + UPPER_TEMPORARY + UPPER_LONG_TERM },
      async (sandbox) => {
        const written = await sandbox.run(["--profile", "admin", "-c", "exported"]);
        assert.equal(written.code, 0, written.stderr);
        assert.equal(written.stderr, "");
        const issued = [...sandbox.aws.issued.values()][0]!;
        const text = await Deno.readTextFile(sandbox.credentialsFile);
        assert.equal(
          text,
          CREDENTIALS +
            "[exported]\r\nregion = eu-west-1\r\n" +
            `aws_access_key_id = ${issued.accessKeyId}\r\n` +
            `aws_secret_access_key = ${issued.secretAccessKey}\r\n` +
            `aws_session_token = ${issued.sessionToken}\r\n` +
            `aws_credential_expiration = ${
              issued.expiration.toISOString().replace(/\.\d{3}Z$/, "Z")
            }\r\n` +
            "# end of exported\r\n" + UPPER_LONG_TERM,
        );
        await assertBotocoreReads(sandbox, "exported", {
          accessKeyId: issued.accessKeyId,
          secretAccessKey: issued.secretAccessKey,
          sessionToken: issued.sessionToken,
        });
        await assertBotocoreReads(sandbox, "base", {
          accessKeyId: STATIC_KEY_ID,
          secretAccessKey: STATIC_SECRET,
          sessionToken: null,
        });
        const readBack = await sandbox.run(["--profile", "exported", "--json"]);
        assert.equal(readBack.code, 0, readBack.stderr);
        assert.equal(JSON.parse(readBack.stdout).SessionToken, issued.sessionToken);
      },
    );
  },
});

Deno.test("aec -c refuses a profile with a key written twice, as an older aec left it", async () => {
  // Long-term keys in upper case, then the lower-case copies an older aec appended.
  const damaged = UPPER_LONG_TERM.replace("[upper]", "[twice]") +
    "aws_access_key_id = ASIAOLDEXAMPLE\r\naws_session_token = old-token\r\n";
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS + damaged }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    const result = await sandbox.run(["--profile", "admin", "-c", "twice"]);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(
      result.stderr,
      `aec: Refusing to write profile twice to ${sandbox.credentialsFile}: ` +
        "aws_access_key_id appears twice in it, on lines 6 and 8\n",
    );
    assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
  });
});

Deno.test("aec -c refuses a name no reader would read back as that profile, at once, in one line", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    for (const name of ["a b", "a\nb", "x\ry", "DEFAULT", "constructor", "k #note"]) {
      for (const flag of ["-c", "--credentials-file-profile"]) {
        const result = await sandbox.run(["--profile", "admin", flag, name]);
        assert.equal(result.code, 2, `${JSON.stringify(name)}: ${result.stderr}`);
        assert.equal(result.stdout, "");
        assert.match(
          result.stderr,
          new RegExp(
            `^aec: Profile name ${
              RegExp.escape(JSON.stringify(name))
            } would not read back as a profile: [^\\n]+\\n$`,
          ),
        );
      }
    }
    assert.deepEqual(sandbox.aws.requests, [], "aec resolved credentials before checking the name");
    assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
  });
});

Deno.test({
  name: "aec -c writes a name with spaces that both readers read back" + BOTOCORE_IGNORED,
  ignore: BOTOCORES.length === 0,
  async fn() {
    await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
      // Two words would read as `prefix name` in the JS SDK; three do not.
      const name = "team a b";
      const written = await sandbox.run(["--profile", "admin", "-c", name]);
      assert.equal(written.code, 0, written.stderr);
      const issued = [...sandbox.aws.issued.values()][0]!;
      const readBack = await sandbox.run(["--profile", name, "--json"]);
      assert.equal(readBack.code, 0, readBack.stderr);
      assert.equal(JSON.parse(readBack.stdout).AccessKeyId, issued.accessKeyId);
      await assertBotocoreReads(sandbox, name, {
        accessKeyId: issued.accessKeyId,
        secretAccessKey: issued.secretAccessKey,
        sessionToken: issued.sessionToken,
      });
    });
  },
});
