/**
 * End to end: `aec login`, `aec logout` and `--sso-login` against the local
 * IAM Identity Center fake (tests/support/fake_sso_oidc.ts), with a `BROWSER`
 * that plays the user. The token files are then read by other clients: the
 * JS SDK (through aec, which refreshes them) and botocore.
 */

import assert from "node:assert/strict";
import { pythonJsonDumps, sha1Hex } from "../lib/python_json.ts";
import { REPO_ROOT, type RunResult, type Sandbox, withSandbox } from "./support/sandbox.ts";

const START_URL = "https://corp.awsapps.com/start";
const LEGACY_URL = "https://legacy.awsapps.com/start#/";
const CONFIG = `[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
region = eu-west-1

[profile chained]
role_arn = arn:aws:iam::111122223333:role/chained
source_profile = sso

[sso-session corp]
sso_start_url = ${START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile legacy]
sso_start_url = ${LEGACY_URL}
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Admin

[profile plain]
region = eu-west-1
`;
const BROWSER = `${Deno.execPath()} run -A --quiet ${REPO_ROOT}tests/support/browser.ts`;

function loginEnv(sandbox: Sandbox, extra: Record<string, string> = {}) {
  return { AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url, BROWSER, ...extra };
}

async function tokenFile(sandbox: Sandbox, key: string): Promise<string> {
  return `${sandbox.home}/.aws/sso/cache/${await sha1Hex(key)}.json`;
}

async function readJson(path: string) {
  return JSON.parse(await Deno.readTextFile(path));
}

function assertOneLine(result: RunResult, code: number, line: RegExp) {
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.split("\n").length, 2, `not one line: ${result.stderr}`);
  assert.match(result.stderr, line);
  assert.equal(result.code, code, result.stderr);
}

/** The files in aec's cache directory (its `pages` directory is the browser's). */
function cachedFiles(sandbox: Sandbox): string[] {
  return [...Deno.readDirSync(`${sandbox.home}/.cache/aec`)].filter((entry) => entry.isFile)
    .map((entry) => entry.name);
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

Deno.test("aec login signs in with PKCE and writes the shared token file", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const result = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "", "the flow wrote to stdout");
    assert.match(result.stderr, /signed in to https:\/\/corp\.awsapps\.com\/start/);
    assert.deepEqual(sandbox.aws.ssoOidc.calls, [
      "RegisterClient",
      "Authorize",
      "CreateToken:authorization_code",
    ]);

    const path = await tokenFile(sandbox, "corp");
    const token = await readJson(path);
    for (
      const field of [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
        "refreshToken",
      ]
    ) {
      assert.ok(token[field], `no ${field}`);
    }
    assert.equal(token.startUrl, START_URL);
    assert.equal(token.region, "us-east-1");
    assert.match(token.expiresAt, TIMESTAMP);
    assert.match(token.registrationExpiresAt, TIMESTAMP);
    assert.doesNotMatch(result.stderr, new RegExp(token.accessToken));
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${sandbox.home}/.aws/sso/cache`)).mode! & 0o777, 0o700);
    }

    // The profile now resolves through the portal with the new token.
    const exported = await sandbox.run(["--profile", "sso", "--json"]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(JSON.parse(exported.stdout).AccessKeyId, /^ASIAFAKE/);

    // A second sign-in reuses aec's registration.
    const again = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(sandbox.aws.ssoOidc.calls.filter((call) => call === "RegisterClient").length, 1);
  });
});

Deno.test("aec login keeps state and the PKCE challenge out of the browser's argv", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const record = `${sandbox.home}/browser.json`;
    const result = await sandbox.run(["login", "--profile", "sso"], {
      env: loginEnv(sandbox, { FAKE_BROWSER_RECORD: record }),
    });
    assert.equal(result.code, 0, result.stderr);
    const seen = JSON.parse(await Deno.readTextFile(record));
    const authorize = new URL(seen.visited.find((url: string) => url.includes("/authorize?")));
    const state = authorize.searchParams.get("state")!;
    const challenge = authorize.searchParams.get("code_challenge")!;
    assert.ok(state && challenge, authorize.href);
    for (const secret of [state, challenge, "authorize"]) {
      assert.ok(!seen.argv.join(" ").includes(secret), `argv holds ${secret}`);
      assert.ok(!seen.page.text.includes(secret), `the page holds ${secret}`);
    }
    assert.match(seen.argv.at(-1), /^file:\/\/\/.+\.html$/);
    const pages = `${sandbox.home}/.cache/aec/pages`;
    assert.equal(seen.page.directory, pages);
    assert.equal(seen.page.mode, 0o600);
    assert.equal(seen.page.directoryMode, 0o700);
    assert.deepEqual([...Deno.readDirSync(pages)], [], "the page was left behind");
  });
});

Deno.test("aec login accepts only the callback whose state matches", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const log = `${sandbox.home}/browser.log`;
    const result = await sandbox.run(["login", "--sso-session", "corp"], {
      env: loginEnv(sandbox, { FAKE_BROWSER: "forge-state", FAKE_BROWSER_LOG: log }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(await Deno.readTextFile(log), "400");
    assert.ok((await readJson(await tokenFile(sandbox, "corp"))).accessToken);
  });
});

Deno.test("aec login exits 3 when the user denies access, writing no token", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    sandbox.aws.ssoOidc.authorizeError = "access_denied";
    const result = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr.trim().split("\n").at(-1)!,
      /^aec: Sign-in was refused: access_denied$/,
    );
    await assert.rejects(Deno.stat(await tokenFile(sandbox, "corp")), Deno.errors.NotFound);
  });
});

Deno.test("aec login --use-device-code polls through pending and slow_down", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    sandbox.aws.ssoOidc.deviceSteps = ["pending", "slow_down"];
    const result = await sandbox.run(["login", "--profile", "sso", "--use-device-code"], {
      env: loginEnv(sandbox),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /ABCD-EFGH/);
    assert.match(result.stderr, /\/device\?user_code=ABCD-EFGH/);
    const polls = sandbox.aws.ssoOidc.devicePolls;
    assert.equal(polls.length, 3);
    // After slow_down the interval grows by 5 s (from the 1 s the service asked for).
    assert.ok(polls[2]! - polls[1]! >= 5_500, `polled again after ${polls[2]! - polls[1]!}ms`);
    const token = await readJson(await tokenFile(sandbox, "corp"));
    assert.ok(token.refreshToken);
  });
});

Deno.test("aec login exits 3 when the device code expires", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    sandbox.aws.ssoOidc.deviceSteps = ["expired"];
    const result = await sandbox.run(["login", "--profile", "sso", "--use-device-code"], {
      env: loginEnv(sandbox, { BROWSER: "" }),
    });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr.trim().split("\n").at(-1)!, /^aec: The sign-in code expired/);
  });
});

Deno.test("aec login keys a legacy profile's token by its start URL, with a device code", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const result = await sandbox.run(["login", "--profile", "legacy"], {
      env: loginEnv(sandbox, { BROWSER: "" }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(sandbox.aws.ssoOidc.calls.includes("StartDeviceAuthorization"));
    const token = await readJson(await tokenFile(sandbox, LEGACY_URL));
    assert.equal(token.startUrl, LEGACY_URL);
    assert.equal(token.refreshToken, undefined);
    const exported = await sandbox.run(["--profile", "legacy", "--json"]);
    assert.equal(exported.code, 0, exported.stderr);
  });
});

Deno.test("aec login refuses a profile without IAM Identity Center (exit 2)", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    assertOneLine(
      await sandbox.run(["login", "--profile", "plain"]),
      2,
      /Profile plain does not use IAM Identity Center/,
    );
    assertOneLine(
      await sandbox.run(["login", "--profile", "sso", "--sso-session", "corp"]),
      2,
      /--profile and --sso-session cannot be used together/,
    );
  });
});

Deno.test("aec login exits 130 on Ctrl-C while it waits", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", `${REPO_ROOT}main.ts`, "login", "--profile", "sso"],
      env: { ...sandbox.env, AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url, BROWSER: "false" },
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let stderr = "";
    while (!stderr.includes("/authorize?")) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += value;
    }
    child.kill("SIGINT");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += value;
    }
    await child.stdout.cancel();
    const { code } = await child.status;
    assert.equal(code, 130, stderr);
    assert.match(stderr.trim().split("\n").at(-1)!, /^aec: Sign-in was interrupted$/);
  });
});

Deno.test("--sso-login signs in on the export path; without it the error names aec login", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    assertOneLine(
      await sandbox.run(["--profile", "chained", "--json"], { env: loginEnv(sandbox) }),
      3,
      /Profile sso has not signed in to IAM Identity Center \(run 'aec login --profile sso'\)/,
    );
    const result = await sandbox.run(["--profile", "chained", "--json", "--sso-login"], {
      env: loginEnv(sandbox),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(JSON.parse(result.stdout).AccessKeyId, /^ASIAFAKE/);
    assert.match(result.stderr, /signing in/);
  });
});

Deno.test("aec refreshes a token near its end as the SDK does, and the file stays readable", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(login.code, 0, login.stderr);
    const path = await tokenFile(sandbox, "corp");
    const before = await readJson(path);
    // Within the SDK's five-minute refresh window.
    before.expiresAt = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    await Deno.writeTextFile(path, JSON.stringify(before));

    const result = await sandbox.run(["--profile", "sso", "--json"], { env: loginEnv(sandbox) });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(sandbox.aws.ssoOidc.calls.includes("CreateToken:refresh_token"));
    const after = await readJson(path);
    assert.notEqual(after.accessToken, before.accessToken);
    assert.ok(Date.parse(after.expiresAt) > Date.now() + 30 * 60_000);
    assert.equal(after.clientId, before.clientId);
  });
});

Deno.test("aec logout ends the session, deletes its token and aec's cache, and keeps registrations", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(login.code, 0, login.stderr);
    const cached = await sandbox.run(["--profile", "sso", "--json", "--cache"]);
    assert.equal(cached.code, 0, cached.stderr);
    assert.equal(cachedFiles(sandbox).length, 1);
    // The AWS CLI's own registration, which logout must leave alone.
    const cliRegistration = `${sandbox.home}/.aws/sso/cache/${await sha1Hex(
      pythonJsonDumps({ tool: "botocore", startUrl: START_URL }),
    )}.json`;
    await Deno.writeTextFile(
      cliRegistration,
      JSON.stringify({ clientId: "c", clientSecret: "s", expiresAt: "2099-01-01T00:00:00Z" }),
    );
    const token = await readJson(await tokenFile(sandbox, "corp"));

    const result = await sandbox.run(["logout", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(sandbox.aws.ssoOidc.calls.includes("Logout"));
    assert.ok(!sandbox.aws.ssoOidc.validTokens.has(token.accessToken));
    await assert.rejects(Deno.stat(await tokenFile(sandbox, "corp")), Deno.errors.NotFound);
    assert.deepEqual(cachedFiles(sandbox), []);
    await Deno.stat(cliRegistration);
    // Sign-in locks (empty files) stay too.
    const remaining = [...Deno.readDirSync(`${sandbox.home}/.aws/sso/cache`)]
      .filter((entry) => !entry.name.endsWith(".json.lock"));
    assert.equal(remaining.length, 2, "aec's registration and the CLI's stay");
  });
});

const BOTOCORE_TOKEN = `
import json, sys, botocore.session
from botocore.tokens import SSOTokenProvider
session = botocore.session.Session(profile="sso")
token = SSOTokenProvider(session).load_token().get_frozen_token()
result = {"token": token.token}
if sys.argv[1:] == ["credentials"]:
    result["accessKeyId"] = session.get_credentials().access_key
print(json.dumps(result))
`;

for (const python of ["python3", "/usr/bin/python3"]) {
  const hasTokens = await new Deno.Command(python, {
    args: ["-c", "import botocore.tokens"],
    stdout: "null",
    stderr: "null",
  }).output().then((output) => output.success, () => false);
  // Debian's botocore 1.29 ignores AWS_ENDPOINT_URL_SSO, so only the token is checked there.
  const full = python === "python3";
  Deno.test({
    name: `botocore (${python}) reads the token aec login wrote${full ? " and resolves" : ""}`,
    ignore: !hasTokens,
    fn: async () => {
      await withSandbox({ config: CONFIG }, async (sandbox) => {
        const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
        assert.equal(login.code, 0, login.stderr);
        const output = await new Deno.Command(python, {
          args: ["-c", BOTOCORE_TOKEN, ...(full ? ["credentials"] : [])],
          env: { ...sandbox.env, AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url },
          clearEnv: true,
        }).output();
        const stderr = new TextDecoder().decode(output.stderr);
        assert.ok(output.success, stderr);
        const read = JSON.parse(new TextDecoder().decode(output.stdout));
        assert.equal(read.token, (await readJson(await tokenFile(sandbox, "corp"))).accessToken);
        if (full) assert.match(read.accessKeyId, /^ASIAFAKE/);
      });
    },
  });
}

Deno.test("aec login --no-browser prints the URL and code and opens nothing", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const marker = `${sandbox.home}/browser-ran`;
    const result = await sandbox.run([
      "login",
      "--profile",
      "sso",
      "--no-browser",
      "--use-device-code",
    ], {
      env: loginEnv(sandbox, { BROWSER: `touch ${marker}` }),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /open this URL in a browser:\n {2}http:\/\/127\.0\.0\.1:\d+\/device\?user_code=ABCD-EFGH\n/,
    );
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  });
});

Deno.test("aec login uses a device code when no browser here could answer", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    // No BROWSER and no display, as over SSH on a server.
    const result = await sandbox.run(["login", "--profile", "sso"], {
      env: { AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(sandbox.aws.ssoOidc.calls, [
      "RegisterClient",
      "StartDeviceAuthorization",
      "CreateToken:urn:ietf:params:oauth:grant-type:device_code",
    ]);
  });
});

Deno.test("aec logout clears aec's cache even when another profile names a missing sso-session", async () => {
  await withSandbox({
    config:
      "[profile aaa-broken]\nsso_session = missing\nsso_account_id = 1\nsso_role_name = x\n\n" +
      CONFIG,
  }, async (sandbox) => {
    const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(login.code, 0, login.stderr);
    const cached = await sandbox.run(["--profile", "sso", "--json", "--cache"]);
    assert.equal(cached.code, 0, cached.stderr);
    const result = await sandbox.run(["logout", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(cachedFiles(sandbox), []);
  });
});

Deno.test("aec login exits 3 in one line when the token file cannot be written", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    await Deno.mkdir(await tokenFile(sandbox, "corp"), { recursive: true });
    const result = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr.trim().split("\n").at(-1)!, /^aec: Could not write \S+\.json: /);
  });
});

Deno.test("--sso-login signs in again when the portal refuses a token that looked valid", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    await Deno.mkdir(`${sandbox.home}/.aws/sso/cache`, { recursive: true });
    await Deno.writeTextFile(
      await tokenFile(sandbox, "corp"),
      JSON.stringify({
        startUrl: START_URL,
        region: "us-east-1",
        accessToken: "revoked-token",
        expiresAt: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z"),
      }),
    );
    const without = await sandbox.run(["--profile", "sso", "--json"], { env: loginEnv(sandbox) });
    assertOneLine(without, 3, /\(run 'aec login --profile sso'\)$/m);
    const result = await sandbox.run(["--profile", "sso", "--json", "--sso-login"], {
      env: loginEnv(sandbox),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /refused the session of profile sso; signing in/);
    assert.match(JSON.parse(result.stdout).AccessKeyId, /^ASIAFAKE/);
  });
});

Deno.test("five --sso-login runs that find the session ended sign in once; the others use its token", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const count = `${sandbox.home}/browser-count`;
    // As the credential_process calls of one terraform plan.
    const runs = await Promise.all(
      Array.from({ length: 5 }, () =>
        sandbox.run(["--profile", "sso", "--json", "--sso-login"], {
          env: loginEnv(sandbox, { FAKE_BROWSER_COUNT: count }),
          signal: AbortSignal.timeout(180_000),
        })),
    );
    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      assert.match(JSON.parse(run.stdout).AccessKeyId, /^ASIAFAKE/);
    }
    assert.equal(await Deno.readTextFile(count), "opened\n", "not one browser");
    assert.deepEqual(sandbox.aws.ssoOidc.calls.filter((call) => call === "Authorize"), [
      "Authorize",
    ]);
    assert.equal(runs.filter((run) => /signing in/.test(run.stderr)).length, 1);
  });
});

Deno.test("a sign-in killed midway leaves no lock that holds up the next", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    // BROWSER=false: this aec waits for a callback that never comes, holding the lock.
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", `${REPO_ROOT}main.ts`, "--profile", "sso", "--sso-login"],
      env: { ...sandbox.env, AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url, BROWSER: "false" },
      clearEnv: true,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    for (let stderr = ""; !stderr.includes("/authorize?");) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += value;
    }
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
    await Deno.stat(`${await tokenFile(sandbox, "corp")}.lock`);

    const result = await sandbox.run(["--profile", "sso", "--json", "--sso-login"], {
      env: loginEnv(sandbox),
      signal: AbortSignal.timeout(60_000),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /waiting for another aec/);
  });
});

Deno.test("--sso-login with --no-prompt (or AEC_NO_PROMPT) exits 3 at once, opening no browser", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const marker = `${sandbox.home}/browser-ran`;
    const line =
      /^aec: Profile sso has not signed in to IAM Identity Center, and --no-prompt forbids signing in \(run 'aec login --profile sso'\)$/m;
    for (
      const [args, extra] of [
        [["--no-prompt"], {}],
        [[], { AEC_NO_PROMPT: "1" }],
      ] as const
    ) {
      const result = await sandbox.run(["--profile", "chained", "--json", "--sso-login", ...args], {
        env: loginEnv(sandbox, { BROWSER: `touch ${marker}`, ...extra }),
        // A correctness bound only: a sign-in would wait 10 minutes.
        signal: AbortSignal.timeout(30_000),
      });
      assertOneLine(result, 3, line);
    }
    const console = await sandbox.run(
      ["console", "--profile", "sso", "--sso-login", "--no-prompt", "--stdout"],
      {
        env: loginEnv(sandbox, { BROWSER: `touch ${marker}` }),
        signal: AbortSignal.timeout(30_000),
      },
    );
    assertOneLine(console, 3, line);
    const login = await sandbox.run(["login", "--profile", "sso"], {
      env: loginEnv(sandbox, { BROWSER: `touch ${marker}`, AEC_NO_PROMPT: "1" }),
      signal: AbortSignal.timeout(30_000),
    });
    assertOneLine(login, 3, /^aec: aec login signs you in, which AEC_NO_PROMPT forbids/);
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
    assert.deepEqual(sandbox.aws.ssoOidc.calls, []);
  });
});

const DEVICE_CONFIG = CONFIG.replace(
  "sso_registration_scopes = sso:account:access\n",
  "sso_registration_scopes = sso:account:access\nsso_use_device_code = true\n",
);

Deno.test("sso_use_device_code = true signs in with a device code though a browser could answer", async () => {
  await withSandbox({ config: DEVICE_CONFIG }, async (sandbox) => {
    const result = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /confirm that it shows the code ABCD-EFGH/);
    assert.deepEqual(sandbox.aws.ssoOidc.calls, [
      "RegisterClient",
      "StartDeviceAuthorization",
      "CreateToken:urn:ietf:params:oauth:grant-type:device_code",
    ]);

    await Deno.writeTextFile(
      sandbox.configFile,
      DEVICE_CONFIG.replace("sso_use_device_code = true", "sso_use_device_code = always"),
    );
    assertOneLine(
      await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) }),
      3,
      /^aec: sso_use_device_code of sso-session "corp" must be true or false; got "always"$/m,
    );
  });
});

{
  const hasBotocore = await new Deno.Command("python3", {
    args: ["-c", "import botocore.tokens"],
    stdout: "null",
    stderr: "null",
  }).output().then((output) => output.success, () => false);
  Deno.test({
    name: "botocore ignores sso_use_device_code and reads the token aec signed in for",
    ignore: !hasBotocore,
    fn: async () => {
      await withSandbox({ config: DEVICE_CONFIG }, async (sandbox) => {
        const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
        assert.equal(login.code, 0, login.stderr);
        const output = await new Deno.Command("python3", {
          args: ["-c", BOTOCORE_TOKEN, "credentials"],
          env: { ...sandbox.env, AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url },
          clearEnv: true,
        }).output();
        assert.ok(output.success, new TextDecoder().decode(output.stderr));
        const read = JSON.parse(new TextDecoder().decode(output.stdout));
        assert.equal(read.token, (await readJson(await tokenFile(sandbox, "corp"))).accessToken);
        assert.match(read.accessKeyId, /^ASIAFAKE/);
      });
    },
  });
}
