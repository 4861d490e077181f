/** End to end: each kind of profile resolves through the real SDK over HTTP. */

import assert from "node:assert/strict";
import { awsCli, requires } from "./support/clients.ts";
import {
  REPO_ROOT,
  type Sandbox,
  STATIC_CREDENTIALS,
  STATIC_KEY_ID,
  STATIC_SECRET,
  withSandbox,
} from "./support/sandbox.ts";
import { tokenTime, writeSsoToken } from "./support/sso_token.ts";
import { cliCachePath } from "../lib/caches/aws_cli_cache.ts";
import { runOnTerminal, TERMINAL } from "./support/terminal.ts";

const ROLE = "arn:aws:iam::111122223333:role/admin";
const posixOnly = Deno.build.os === "windows";

/** The JSON document aec printed must be exactly what the fake server issued. */
function assertIssued(sandbox: Sandbox, stdout: string) {
  const printed = JSON.parse(stdout);
  const issued = sandbox.aws.issued.get(printed.AccessKeyId);
  assert.ok(issued, `aec printed credentials the server never issued: ${printed.AccessKeyId}`);
  assert.deepEqual(printed, {
    Version: 1,
    AccessKeyId: issued.accessKeyId,
    SecretAccessKey: issued.secretAccessKey,
    SessionToken: issued.sessionToken,
    Expiration: issued.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
  });
  return issued;
}

Deno.test("aec prints a static-keys profile as pretty JSON by default", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "base"]);
    assert.equal(result.stderr, "");
    assert.equal(
      result.stdout,
      `{\n  "Version": 1,\n  "AccessKeyId": "${STATIC_KEY_ID}",\n` +
        `  "SecretAccessKey": "${STATIC_SECRET}"\n}\n`,
    );
    assert.equal(result.code, 0);
    assert.equal(sandbox.aws.requests.length, 0);
  });
});

Deno.test({
  ...requires(
    "aec on a terminal shows whose keys and until when, not the secret, unless asked",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const shown = await runOnTerminal(sandbox, [], "", { AWS_PROFILE: "base" });
      assert.equal(shown.code, 0, shown.text);
      assert.equal(
        shown.text,
        "Profile:        base\n" +
          `Access key id:  ${STATIC_KEY_ID}\n` +
          "Valid:          long-term keys, no expiration\n" +
          "Secret key:     ******** (hidden on a terminal)\n" +
          "--json prints the credentials (--pretty indents them), --env-export as variables\n",
      );
      // An output option prints the keys on a terminal too.
      for (const option of ["--json", "--pretty", "--format=process"]) {
        const printed = await runOnTerminal(sandbox, ["--profile", "base", option], "");
        assert.equal(printed.code, 0, printed.text);
        assert.ok(printed.text.includes(STATIC_SECRET), option);
      }
    });
  },
});

Deno.test("aec takes the profile from AWS_PROFILE and AWS_DEFAULT_PROFILE", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    for (const variable of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"]) {
      const result = await sandbox.run(["--json"], { env: { [variable]: "base" } });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).AccessKeyId, STATIC_KEY_ID);
    }
  });
});

Deno.test("aec ignores credentials already in the environment when a profile is named", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "base", "--json"], {
      env: { AWS_ACCESS_KEY_ID: "AKIASTALE", AWS_SECRET_ACCESS_KEY: "stale-secret-value" },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.equal(JSON.parse(result.stdout).AccessKeyId, STATIC_KEY_ID);
  });
});

Deno.test("aec assumes a role through source_profile", async () => {
  await withSandbox({
    config: `[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\nregion = eu-west-1\n`,
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "admin", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assertIssued(sandbox, result.stdout);
    assert.deepEqual(sandbox.aws.requests.map((r) => [r.action, r.params.RoleArn, r.signedBy]), [
      ["AssumeRole", ROLE, STATIC_KEY_ID],
    ]);
  });
});

Deno.test("aec follows a role chain of two, each role signed by the one before", async () => {
  await withSandbox({
    config: `[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\n` +
      `[profile deploy]\nrole_arn = arn:aws:iam::444455556666:role/deploy\n` +
      `source_profile = admin\nrole_session_name = aec-test\n`,
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "deploy", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const issued = assertIssued(sandbox, result.stdout);
    assert.equal(issued.arn, "arn:aws:sts::444455556666:assumed-role/deploy/aec-test");
    const [first, second] = sandbox.aws.requests;
    assert.equal(sandbox.aws.requests.length, 2);
    assert.equal(first?.signedBy, STATIC_KEY_ID);
    assert.equal(second?.params.RoleArn, "arn:aws:iam::444455556666:role/deploy");
    assert.equal(second?.signedBy, [...sandbox.aws.issued.keys()][0]);
  });
});

const SSO_CONFIG = `[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
`;

Deno.test("aec gets IAM Identity Center credentials through an sso-session", async () => {
  await withSandbox({ config: SSO_CONFIG }, async (sandbox) => {
    await writeSsoToken(sandbox, { expiresAt: tokenTime(new Date(Date.now() + 8 * 3600_000)) });
    const result = await sandbox.run(["--profile", "sso", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assertIssued(sandbox, result.stdout);
    assert.deepEqual(sandbox.aws.requests.map((r) => [r.action, r.params]), [
      ["GetRoleCredentials", { account_id: "111122223333", role_name: "ReadOnly" }],
    ]);
  });
});

Deno.test("aec reports an expired SSO session with the login command to run", async () => {
  await withSandbox({ config: SSO_CONFIG }, async (sandbox) => {
    await writeSsoToken(sandbox, { expiresAt: tokenTime(new Date(Date.now() - 3600_000)) });
    const result = await sandbox.run(["--profile", "sso", "--json"]);
    assert.equal(result.code, 3);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^aec: .*has expired \(run 'aec login --profile sso'\)\n$/);
    assert.equal(sandbox.aws.requests.length, 0);
  });
});

Deno.test({
  name: "aec runs a credential_process and exports its answer",
  ignore: posixOnly,
  fn: async () => {
    await withSandbox({}, async (sandbox) => {
      const script = await sandbox.write(
        "bin/creds.sh",
        `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"AKIAPROCESS","SecretAccessKey":"process-secret",` +
          `"SessionToken":"process-token","Expiration":"2099-01-02T03:04:05Z"}'\n`,
      );
      await Deno.chmod(script, 0o755);
      await Deno.writeTextFile(
        sandbox.configFile,
        `[profile proc]\ncredential_process = ${script}\n`,
      );
      const result = await sandbox.run(["--profile", "proc", "--env-export"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stdout,
        "export AWS_ACCESS_KEY_ID=AKIAPROCESS\nexport AWS_SECRET_ACCESS_KEY=process-secret\n" +
          "export AWS_SESSION_TOKEN=process-token\nexport AWS_CREDENTIAL_EXPIRATION=2099-01-02T03:04:05Z\n",
      );
    });
  },
});

Deno.test("aec assumes a role with a web identity token file", async () => {
  await withSandbox({}, async (sandbox) => {
    const tokenFile = await sandbox.write("token.jwt", "good-token");
    await Deno.writeTextFile(
      sandbox.configFile,
      `[profile web]\nrole_arn = ${ROLE}\nweb_identity_token_file = ${tokenFile}\n` +
        `role_session_name = web-session\n`,
    );
    const result = await sandbox.run(["--profile", "web", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    const issued = assertIssued(sandbox, result.stdout);
    assert.equal(issued.arn, "arn:aws:sts::111122223333:assumed-role/admin/web-session");
    assert.deepEqual(sandbox.aws.requests.map((r) => [r.action, r.params.WebIdentityToken]), [
      ["AssumeRoleWithWebIdentity", "good-token"],
    ]);
  });
});

Deno.test("aec --ensure-temporary exchanges long-term keys with GetSessionToken", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "base", "--ensure-temporary", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assertIssued(sandbox, result.stdout);
    assert.deepEqual(sandbox.aws.requests.map((r) => [r.action, r.signedBy]), [
      ["GetSessionToken", STATIC_KEY_ID],
    ]);
  });
});

Deno.test("aec --ensure-temporary leaves temporary credentials as they are", async () => {
  await withSandbox({
    config: `[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\n`,
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "admin", "--ensure-temporary", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assertIssued(sandbox, result.stdout);
    assert.deepEqual(sandbox.aws.requests.map((r) => r.action), ["AssumeRole"]);
  });
});

Deno.test("aec prints every --format byte for byte", async () => {
  await withSandbox({
    config: `[profile admin]\nrole_arn = ${ROLE}\nsource_profile = base\n`,
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const formats: Record<string, (n: string, v: string) => string> = {
      "process": () => "",
      "env": (n, v) => `export ${n}=${v}`,
      "env-no-export": (n, v) => `${n}=${v}`,
      "fish": (n, v) => `set -gx ${n} "${v}"`,
      "powershell": (n, v) => `$Env:${n}="${v}"`,
      "windows-cmd": (n, v) => `set ${n}=${v}`,
    };
    for (const [format, line] of Object.entries(formats)) {
      const result = await sandbox.run(["--profile", "admin", "--format", format]);
      assert.equal(result.code, 0, result.stderr);
      const issued = [...sandbox.aws.issued.values()].at(-1)!;
      const expiration = issued.expiration.toISOString().replace(/\.\d{3}Z$/, "Z");
      const expected = format === "process"
        ? JSON.stringify(
          {
            Version: 1,
            AccessKeyId: issued.accessKeyId,
            SecretAccessKey: issued.secretAccessKey,
            SessionToken: issued.sessionToken,
            Expiration: expiration,
          },
          null,
          2,
        ) + "\n"
        : [
          line("AWS_ACCESS_KEY_ID", issued.accessKeyId),
          line("AWS_SECRET_ACCESS_KEY", issued.secretAccessKey),
          line("AWS_SESSION_TOKEN", issued.sessionToken),
          line("AWS_CREDENTIAL_EXPIRATION", expiration),
        ].join("\n") + "\n";
      assert.equal(result.stdout, expected, format);
    }
  });
});

Deno.test("the README's example config exports with no AWS account", async () => {
  await withSandbox({}, async (sandbox) => {
    const result = await sandbox.run(["--profile", "example", "--env-export"], {
      env: {
        AWS_CONFIG_FILE: `${REPO_ROOT}examples/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${REPO_ROOT}examples/credentials`,
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `export AWS_ACCESS_KEY_ID=${STATIC_KEY_ID}\nexport AWS_SECRET_ACCESS_KEY=${STATIC_SECRET}\n` +
        "export AWS_REGION=eu-west-1\nexport AWS_DEFAULT_REGION=eu-west-1\n",
    );
  });
});

Deno.test("every shell format exports the region known, and --no-region leaves it out", async () => {
  await withSandbox({
    config: "[profile keys]\nregion = ap-south-1\n",
    credentials: STATIC_CREDENTIALS.replace("[base]", "[keys]"),
  }, async (sandbox) => {
    const lines: Record<string, string> = {
      "env": "export AWS_REGION=eu-west-3\nexport AWS_DEFAULT_REGION=eu-west-3\n",
      "env-no-export": "AWS_REGION=eu-west-3\nAWS_DEFAULT_REGION=eu-west-3\n",
      "fish": 'set -gx AWS_REGION "eu-west-3"\nset -gx AWS_DEFAULT_REGION "eu-west-3"\n',
      "powershell": '$Env:AWS_REGION="eu-west-3"\n$Env:AWS_DEFAULT_REGION="eu-west-3"\n',
      "windows-cmd": "set AWS_REGION=eu-west-3\nset AWS_DEFAULT_REGION=eu-west-3\n",
    };
    for (const [format, tail] of Object.entries(lines)) {
      const given = await sandbox.run([
        "--profile",
        "keys",
        "--format",
        format,
        "--region",
        "eu-west-3",
      ]);
      assert.equal(given.code, 0, given.stderr);
      assert.ok(given.stdout.endsWith(tail), `${format}: ${given.stdout}`);
      // The profile's region by default; --with-region is still accepted and changes nothing.
      for (const extra of [[], ["--with-region"]]) {
        const own = await sandbox.run(["--profile", "keys", "--format", format, ...extra]);
        assert.ok(own.stdout.endsWith(tail.replaceAll("eu-west-3", "ap-south-1")), own.stdout);
      }
      // --no-region: aws-export-credentials' output, no region.
      const plain = await sandbox.run(["--profile", "keys", "--format", format, "--no-region"]);
      assert.equal(plain.code, 0, plain.stderr);
      assert.doesNotMatch(plain.stdout, /REGION/);
    }
    // Without a region in the profile, the environment's.
    await Deno.writeTextFile(sandbox.configFile, "[profile keys]\n");
    const fromEnv = await sandbox.run(["--profile", "keys", "--env-export"], {
      env: { AWS_REGION: "sa-east-1" },
    });
    assert.ok(fromEnv.stdout.endsWith(lines.env!.replaceAll("eu-west-3", "sa-east-1")));
    const none = await sandbox.run(["--profile", "keys", "--env-export"]);
    assert.doesNotMatch(none.stdout, /REGION/);
    // JSON has no place for a region: unchanged.
    const json = await sandbox.run(["--profile", "keys", "--json"], {
      env: { AWS_REGION: "sa-east-1" },
    });
    assert.doesNotMatch(json.stdout, /REGION|sa-east-1/);
  });
});

// Its credentials come from a credential_process: the CLI calls no AWS endpoint.
const AWS_CLI_V2 = await awsCli({ v2: true });

Deno.test({
  ...requires("every --format prints what aws configure export-credentials prints", AWS_CLI_V2),
  fn: async () => {
    await withSandbox({}, async (sandbox) => {
      const script = await sandbox.write(
        "process.sh",
        `#!/bin/sh\necho '{"Version": 1, "AccessKeyId": "ASIAEXAMPLE", "SecretAccessKey": ` +
          `"se/cr+et=", "SessionToken": "to/ken+=", "Expiration": "2030-01-02T03:04:05Z"}'\n`,
      );
      await Deno.chmod(script, 0o755);
      await Deno.writeTextFile(sandbox.configFile, `[profile p]\ncredential_process = ${script}\n`);
      for (const format of ["process", "env", "env-no-export", "powershell", "windows-cmd"]) {
        const cli = await new Deno.Command(AWS_CLI_V2.found!.command, {
          args: ["configure", "export-credentials", "--profile", "p", "--format", format],
          env: sandbox.env,
          clearEnv: true,
        }).output();
        const expected = new TextDecoder().decode(cli.stdout);
        assert.ok(cli.success, new TextDecoder().decode(cli.stderr));
        const aec = await sandbox.run(["--profile", "p", "--format", format]);
        assert.equal(aec.code, 0, aec.stderr);
        // The one documented difference: the CLI writes UTC as +00:00, aec as Z.
        assert.equal(aec.stdout, expected.replace("+00:00", "Z"), format);
      }
    });
  },
});

Deno.test("--duration sets the role session's length, over the profile's duration_seconds", async () => {
  await withSandbox({
    config: `[profile role]\nrole_arn = ${ROLE}\nsource_profile = base\nduration_seconds = 1800\n` +
      `[profile mid]\nrole_arn = arn:aws:iam::111122223333:role/mid\nsource_profile = base\n` +
      `[profile chained]\nrole_arn = ${ROLE}\nsource_profile = mid\n`,
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const durations = () =>
      sandbox.aws.requests.splice(0).map((r) => [r.action, r.params.DurationSeconds]);
    const byDefault = await sandbox.run(["--profile", "role", "--json", "--no-cli-cache"]);
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.deepEqual(durations(), [["AssumeRole", "1800"]]);
    const given = await sandbox.run(["--profile", "role", "--json", "--duration", "2h"]);
    assert.equal(given.code, 0, given.stderr);
    assert.deepEqual(durations(), [["AssumeRole", "7200"]]);
    // The AWS CLI keys its role cache by DurationSeconds too: the entry is the 2h one.
    const cached = await Array.fromAsync(Deno.readDir(`${sandbox.home}/.aws/cli/cache`));
    const key = await cliCachePath({ RoleArn: ROLE, DurationSeconds: 7200 }, sandbox.env);
    assert.deepEqual(cached.map((entry) => entry.name), [key.split("/").at(-1)]);
    // In a chain, only the profile's own role asks for it.
    const chained = await sandbox.run(["--profile", "chained", "--json", "--duration", "1h"]);
    assert.equal(chained.code, 0, chained.stderr);
    assert.deepEqual(durations(), [["AssumeRole", "3600"], ["AssumeRole", "3600"]]);
    const chainedLong = await sandbox.run([
      "--profile",
      "chained",
      "--json",
      "--duration",
      "45m",
      "--no-cli-cache",
    ]);
    assert.equal(chainedLong.code, 0, chainedLong.stderr);
    assert.deepEqual(durations(), [["AssumeRole", "3600"], ["AssumeRole", "2700"]]);
  });
});

Deno.test("--duration sets GetSessionToken's length with --ensure-temporary", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run([
      "--profile",
      "base",
      "--json",
      "--ensure-temporary",
      "--duration",
      "12h",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      sandbox.aws.requests.map((r) => [r.action, r.params.DurationSeconds]),
      [["GetSessionToken", "43200"]],
    );
    const bad = await sandbox.run(["--profile", "base", "--json", "--duration", "5m"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^aec: --duration must be from 15m to 12h; got '5m'/);
  });
});
