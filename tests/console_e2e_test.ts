/**
 * End to end: `aec console` against the local federation endpoint and STS
 * (tests/support/fake_aws.ts), which refuse what AWS refuses.
 */

import assert from "node:assert/strict";
import { REPO_ROOT, type Sandbox, STATIC_CREDENTIALS, withSandbox } from "./support/sandbox.ts";
import { writeSsoToken } from "./support/sso_token.ts";

const CONFIG = `[profile admin]
role_arn = arn:aws:iam::111122223333:role/admin
source_profile = base
region = eu-west-1

[profile chained]
role_arn = arn:aws:iam::111122223333:role/chained
source_profile = admin

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly
region = cn-north-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
`;

const FAKE_BROWSER = `${Deno.execPath()} run -A --quiet ${REPO_ROOT}tests/support/browser.ts`;

function consoleEnv(sandbox: Sandbox) {
  return { AWS_ENDPOINT_URL_SIGNIN: sandbox.aws.url };
}

/** Runs `aec console ARGS --stdout` and returns the one URL line, parsed. */
async function consoleUrl(sandbox: Sandbox, args: string[]) {
  const result = await sandbox.run(["console", ...args, "--stdout"], { env: consoleEnv(sandbox) });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split("\n");
  assert.equal(lines.length, 2, `not one line: ${result.stdout}`);
  assert.equal(lines[1], "");
  const url = new URL(lines[0]!);
  assert.equal(url.origin, sandbox.aws.url);
  assert.equal(url.pathname, "/federation");
  assert.equal(url.searchParams.get("Action"), "login");
  assert.equal(url.searchParams.get("Issuer"), "aec");
  assert.match(url.searchParams.get("SigninToken") ?? "", /^signin-/);
  // The URL works: the endpoint sends the browser on to the destination.
  const landing = await fetch(url, { redirect: "manual" });
  await landing.body?.cancel();
  assert.equal(landing.status, 302);
  return { url, stderr: result.stderr };
}

Deno.test("aec console signs in a role session, with the session length asked for", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const { url, stderr } = await consoleUrl(sandbox, [
      "--profile",
      "admin",
      "--duration",
      "2h",
      "--debug",
    ]);
    // The URL is a bearer secret: --debug never shows it or its token.
    assert.doesNotMatch(stderr, new RegExp(url.searchParams.get("SigninToken")!));
    assert.equal(
      url.searchParams.get("Destination"),
      "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1",
    );
    const [signin] = sandbox.aws.signins;
    assert.equal(signin?.sessionDuration, "7200");
    assert.match(sandbox.aws.issued.get(signin!.accessKeyId)!.arn, /assumed-role\/admin\//);
  });
});

Deno.test("aec console leaves the session length out for a role-chained session", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const { stderr } = await consoleUrl(sandbox, ["--profile", "chained", "--duration", "1h"]);
    assert.match(stderr, /role-chained or federated credentials/);
    assert.deepEqual(sandbox.aws.signins.map((signin) => signin.sessionDuration), [undefined]);
  });
});

Deno.test("aec console exchanges long-term keys with GetFederationToken first", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    await consoleUrl(sandbox, ["--profile", "base", "--duration", "90m"]);
    const federation = sandbox.aws.requests.find((r) => r.action === "GetFederationToken");
    assert.ok(federation, "no GetFederationToken");
    assert.equal(federation.params.Name, "static");
    assert.equal(federation.params.DurationSeconds, "5400");
    assert.deepEqual(JSON.parse(federation.params.Policy!).Statement[0], {
      Effect: "Allow",
      Action: "*",
      Resource: "*",
    });
    const [signin] = sandbox.aws.signins;
    assert.equal(signin?.sessionDuration, undefined);
    assert.match(sandbox.aws.issued.get(signin!.accessKeyId)!.arn, /federated-user\/static$/);
  });
});

Deno.test("aec console signs in with SSO role credentials, on the partition's console", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    await writeSsoToken(sandbox);
    const { url } = await consoleUrl(sandbox, ["--profile", "sso", "--duration", "3600"]);
    assert.equal(
      url.searchParams.get("Destination"),
      "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1",
    );
    assert.equal(sandbox.aws.signins[0]?.sessionDuration, "3600");
  });
});

Deno.test("aec console refuses a GetSessionToken session in one line (exit 3)", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const written = await sandbox.run(["--profile", "base", "--ensure-temporary", "-c", "mfa"]);
    assert.equal(written.code, 0, written.stderr);
    const result = await sandbox.run(["console", "--profile", "mfa", "--stdout"], {
      env: consoleEnv(sandbox),
    });
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr.split("\n").length, 2, result.stderr);
    assert.match(result.stderr, /The console does not accept these credentials .*GetSessionToken/);
    assert.equal(sandbox.aws.signins.length, 0);
  });
});

Deno.test("aec console asks again without the session length when AWS refuses it", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    // A credential_process handing over a role-chained session: aec cannot see the chain.
    const exported = await sandbox.run(["--profile", "chained", "--json"]);
    assert.equal(exported.code, 0, exported.stderr);
    const script = await sandbox.write(
      "chained.sh",
      `#!/bin/sh\necho '${exported.stdout.trim()}'\n`,
    );
    await Deno.chmod(script, 0o755);
    await Deno.writeTextFile(
      sandbox.configFile,
      `${CONFIG}\n[profile opaque]\ncredential_process = ${script}\n`,
    );
    const { stderr } = await consoleUrl(sandbox, ["--profile", "opaque", "--duration", "1h"]);
    assert.deepEqual(sandbox.aws.signins.map((signin) => signin.sessionDuration), [
      "3600",
      undefined,
    ]);
    assert.match(stderr, /AWS refused the console session length/);
  });
});

Deno.test("aec console opens the URL through a private page, never in the browser's argv", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const record = `${sandbox.home}/browser.json`;
    const result = await sandbox.run([
      "console",
      "--profile",
      "admin",
      "--destination",
      "https://console.aws.amazon.com/s3/home",
    ], {
      env: { ...consoleEnv(sandbox), BROWSER: FAKE_BROWSER, FAKE_BROWSER_RECORD: record },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.doesNotMatch(result.stderr, /SigninToken|signin-/);
    const seen = JSON.parse(await Deno.readTextFile(record));
    // The browser went on to the sign-in URL, which worked.
    const signin = new URL(seen.visited.find((url: string) => url.includes("/federation?")));
    const token = signin.searchParams.get("SigninToken")!;
    assert.match(token, /^signin-/);
    assert.equal(signin.searchParams.get("Destination"), "https://console.aws.amazon.com/s3/home");
    // Yet no argv held it: only a private page, which did not hold it either.
    assert.doesNotMatch(seen.argv.join(" "), new RegExp(`${token}|federation|SigninToken`));
    assert.match(seen.argv.at(-1), /^file:\/\/\/.+\.html$/);
    assert.doesNotMatch(seen.page.text, new RegExp(token));
    const pages = `${sandbox.home}/.cache/aec/pages`;
    assert.equal(seen.page.directory, pages);
    assert.equal(seen.page.mode, 0o600);
    assert.equal(seen.page.directoryMode, 0o700);
    assert.deepEqual([...Deno.readDirSync(pages)], [], "the page was left behind");
  });
});

Deno.test("aec console exits 3 in one line when the federation endpoint trickles or floods", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    for (
      const [answer, line] of [
        ["trickle", /did not answer within 10s$/],
        ["huge", /answered more than 64 KiB$/],
      ] as const
    ) {
      sandbox.aws.federationAnswer = answer;
      const result = await sandbox.run(["console", "--profile", "admin", "--stdout"], {
        env: consoleEnv(sandbox),
      });
      assert.equal(result.code, 3, `${answer}: ${result.stderr}`);
      assert.equal(result.stdout, "");
      assert.equal(result.stderr.split("\n").length, 2, `${answer}: ${result.stderr}`);
      assert.match(result.stderr.trim(), /^aec: The federation endpoint at 127\.0\.0\.1:\d+ /);
      assert.match(result.stderr.trim(), line);
    }
  });
});

Deno.test("aec console names the command that prints the URL when no browser opens", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const env = { ...consoleEnv(sandbox), BROWSER: "false" };
    for (
      const [args, extra] of [
        [["--profile", "admin"], {}],
        [[], { AWS_PROFILE: "admin" }],
      ] as const
    ) {
      const result = await sandbox.run(["console", ...args], { env: { ...env, ...extra } });
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stdout, "");
      assert.equal(
        result.stderr,
        "aec: Could not open a browser for the console; " +
          "run 'aec console --profile admin --stdout' to print the URL\n",
      );
    }
  });
});

Deno.test("aec console rejects a bad duration or destination (exit 2)", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    for (
      const [args, line] of [
        [["--duration", "10m"], /--duration must be from 15m to 12h; got '10m'/],
        [["--duration", "13h"], /--duration must be from 15m to 12h/],
        [["--duration", "soon"], /--duration takes seconds or a length like 90m or 12h/],
        [["--destination", "console.aws.amazon.com"], /--destination takes an https:\/\/ URL/],
        [
          ["--destination", "http://console.aws.amazon.com/"],
          /--destination takes an https:\/\/ URL/,
        ],
      ] as const
    ) {
      const result = await sandbox.run(["console", ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, line);
    }
  });
});
