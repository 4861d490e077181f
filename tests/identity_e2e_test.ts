/**
 * End to end: aec hands over the identity the profile names or none at all.
 * Each run has a container credentials endpoint serving another role, as on
 * ECS, CodeBuild or beside `aec --container`: falling back to the SDK's chain
 * would print that role's keys.
 */

import assert from "node:assert/strict";
import { assertRefused, CONTAINER_KEY_ID, runWithContainer } from "./support/container_role.ts";
import { STATIC_CREDENTIALS, withSandbox } from "./support/sandbox.ts";

const BROKEN_CONFIG = `[profile no-source]
role_arn = arn:aws:iam::111122223333:role/a
source_profile = nosuch

[profile empty-source]
role_arn = arn:aws:iam::111122223333:role/a
source_profile = empty

[profile empty]
region = eu-west-1

[profile key-only]
aws_access_key_id = AKIAKEYWITHOUTSECRET

[profile inherited-source]
role_arn = arn:aws:iam::111122223333:role/a
source_profile = constructor

[profile no-role-source]
role_arn = arn:aws:iam::111122223333:role/a

[profile upper-keys]
AWS_ACCESS_KEY_ID = AKIAUPPERCASE0000000
AWS_SECRET_ACCESS_KEY = upperSecret
`;

Deno.test("aec refuses a broken profile instead of falling back to a container role", async () => {
  await withSandbox({ config: BROKEN_CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const cases: [string, RegExp][] = [
      ["no-source", /source_profile "nosuch" referenced in profile "no-source" does not exist/],
      ["empty-source", /source_profile "empty" referenced in profile "empty-source" has no/],
      ["key-only", /profile "key-only" sets aws_access_key_id but no aws_secret_access_key/],
      ["inherited-source", /source_profile "constructor" .* does not exist/],
      ["no-role-source", /sets role_arn but neither source_profile nor credential_source/],
      [
        "upper-keys",
        /botocore sees aws_access_key_id on line 23 \(written "AWS_ACCESS_KEY_ID = …"\), the AWS SDK for JavaScript does not; write the key in lower case/,
      ],
    ];
    for (const [profile, line] of cases) {
      assertRefused(await runWithContainer(sandbox, ["--profile", profile, "--json"]), line);
    }
  });
});

Deno.test("aec treats names of Object.prototype's properties as missing profiles", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    for (const name of ["constructor", "toString", "valueOf", "__proto__", "hasOwnProperty"]) {
      assertRefused(
        await runWithContainer(sandbox, ["--profile", name, "--json"]),
        new RegExp(`The config profile \\(${name}\\) could not be found`),
      );
    }
  });
});

Deno.test("aec uses the default chain only for a profile without credential settings", async () => {
  await withSandbox({ config: BROKEN_CONFIG }, async (sandbox) => {
    const result = await runWithContainer(sandbox, ["--profile", "empty", "--json", "--debug"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).AccessKeyId, CONTAINER_KEY_ID);
    assert.match(
      result.stderr,
      /profile empty has no credential settings; using the SDK's default/,
    );
  });
});

Deno.test("aec exits 3 naming the source when a credential_process gives a bad expiration", async () => {
  await withSandbox({}, async (sandbox) => {
    const script = await sandbox.write(
      "process.sh",
      `#!/bin/sh\necho '{"Version": 1, "AccessKeyId": "ASIAPROCESS", ` +
        `"SecretAccessKey": "processSecret", "SessionToken": "t", "Expiration": "soon"}'\n`,
    );
    await Deno.chmod(script, 0o755);
    await Deno.writeTextFile(
      sandbox.configFile,
      `[profile bad-date]\ncredential_process = ${script}\n`,
    );
    const result = await sandbox.run(["--profile", "bad-date", "--json"]);
    assertRefused(
      result,
      /The credential_process of profile bad-date gave an expiration that is not a date/,
    );
    assert.doesNotMatch(result.stderr, /processSecret/);
  });
});

Deno.test("aec uses environment keys for a profile without credential settings, as the README says", async () => {
  await withSandbox({ config: "[default]\nregion = eu-west-1\n" }, async (sandbox) => {
    const result = await sandbox.run(["--json"], {
      env: { AWS_ACCESS_KEY_ID: "AKIAFROMENVIRONMENT0", AWS_SECRET_ACCESS_KEY: "envSecret" },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).AccessKeyId, "AKIAFROMENVIRONMENT0");
  });
});

Deno.test("aec with no profile named uses the environment's keys over [default]'s, as the AWS CLI does", async () => {
  await withSandbox({
    credentials: "[default]\naws_access_key_id = AKIADEFAULTPROFILE00\naws_secret_access_key = d\n",
  }, async (sandbox) => {
    const env = { AWS_ACCESS_KEY_ID: "AKIAFROMENVIRONMENT0", AWS_SECRET_ACCESS_KEY: "envSecret" };
    const implicit = await sandbox.run(["--json"], { env });
    assert.equal(implicit.code, 0, implicit.stderr);
    assert.equal(JSON.parse(implicit.stdout).AccessKeyId, "AKIAFROMENVIRONMENT0");
    // Named, by the flag or AWS_PROFILE, [default] is the identity asked for.
    const named: [string[], Record<string, string>][] = [
      [["--profile", "default"], {}],
      [[], { AWS_PROFILE: "default" }],
    ];
    for (const [args, more] of named) {
      const result = await sandbox.run([...args, "--json"], { env: { ...env, ...more } });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).AccessKeyId, "AKIADEFAULTPROFILE00");
    }
  });
});

Deno.test("aec refuses empty, non-text or control-character credentials from a source", async () => {
  await withSandbox({}, async (sandbox) => {
    const answers: [string, RegExp][] = [
      ['{"Version": 1, "AccessKeyId": "", "SecretAccessKey": ""}', /gave no access key id/],
      [
        '{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s", "SessionToken": 5}',
        /gave a session token that is not text/,
      ],
      [
        '{"Version": 1, "AccessKeyId": "A\\u0007B", "SecretAccessKey": "s"}',
        /gave credentials with control characters/,
      ],
    ];
    for (const [index, [answer, line]] of answers.entries()) {
      const script = await sandbox.write(`process${index}.sh`, `#!/bin/sh\necho '${answer}'\n`);
      await Deno.chmod(script, 0o755);
      await Deno.writeTextFile(sandbox.configFile, `[profile p]\ncredential_process = ${script}\n`);
      for (const mode of [["--json"], ["-c", "written"], ["--exec", "true"]]) {
        const result = await sandbox.run(["--profile", "p", ...mode]);
        assertRefused(result, line);
      }
    }
  });
});

Deno.test("aec exits 3 in one line without a home directory, and for huge config files", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const env = { ...sandbox.env };
    delete env.HOME;
    delete env.USERPROFILE;
    delete env.AWS_SHARED_CREDENTIALS_FILE;
    const { runAec } = await import("./support/sandbox.ts");
    await Deno.writeTextFile(
      sandbox.configFile,
      STATIC_CREDENTIALS.replace("[base]", "[profile base]"),
    );
    const noHome = await runAec(["--profile", "base", "--ensure-temporary", "-c", "x"], env);
    assertRefused(noHome, /Cannot find the home directory: HOME is not set/);

    await Deno.truncate(sandbox.credentialsFile, 20 * 1024 * 1024);
    assertRefused(
      await sandbox.run(["--profile", "base", "--json"]),
      /credentials is 20 MiB; aec reads files like it up to 16 MiB/,
    );
  });
});

Deno.test("aec shows a profile name with a line break on one line", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    assertRefused(
      await sandbox.run(["--profile", "dev\n", "--json"]),
      /The config profile \("dev\\n"\) could not be found/,
    );
  });
});
