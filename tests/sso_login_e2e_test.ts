/**
 * End to end: `aec login`, `aec logout` and `--sso-login` against the local
 * IAM Identity Center fake (tests/support/fake_sso_oidc.ts), with a `BROWSER`
 * that plays the user. The token files are then read by other clients: the
 * JS SDK (through aec, which refreshes them) and botocore.
 */

import assert from "node:assert/strict";
import { pythonJsonDumps, sha1Hex } from "../lib/support/python_json.ts";
import { type Botocore, botocores, requires } from "./support/clients.ts";
import { GOOD_SSO_TOKEN } from "./support/fake_aws.ts";
import { REPO_ROOT, type RunResult, type Sandbox, withSandbox } from "./support/sandbox.ts";

const decoder = new TextDecoder();
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
      /^aec: Profile plain does not use IAM Identity Center \(it has no sso_session or sso_start_url\); profiles that do: sso, legacy; sso-sessions \(aec login --sso-session NAME\): corp \(/,
    );
    assertOneLine(
      await sandbox.run(["login"], { env: { AWS_PROFILE: "plain" } }),
      2,
      /^aec: Profile plain named in AWS_PROFILE does not use IAM Identity Center/,
    );
    assertOneLine(
      await sandbox.run(["login", "--profile", "nosuch"]),
      3,
      /^aec: The config profile \(nosuch\) could not be found; profiles that do: sso, legacy;/,
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

// Reading the token calls nothing; resolving credentials calls the local portal
// (AWS_ENDPOINT_URL_SSO), which only a botocore that honours the variable reaches.
const TOKEN_READERS = await botocores({ module: "botocore.tokens" });
const RESOLVERS = await botocores({ module: "botocore.tokens", endpointUrls: true });

/** What `botocore` reads after `aec login`: the token and, with `resolve`, the credentials. */
async function readWithBotocore(sandbox: Sandbox, botocore: Botocore, resolve: boolean) {
  const output = await new Deno.Command(botocore.python, {
    args: ["-c", BOTOCORE_TOKEN, ...(resolve ? ["credentials"] : [])],
    env: { ...sandbox.env, AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url },
    clearEnv: true,
  }).output();
  assert.ok(output.success, `botocore ${botocore.version}: ${decoder.decode(output.stderr)}`);
  return JSON.parse(decoder.decode(output.stdout));
}

Deno.test({
  ...requires("botocore reads the token aec login wrote", TOKEN_READERS),
  fn: async () => {
    await withSandbox({ config: CONFIG }, async (sandbox) => {
      const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
      assert.equal(login.code, 0, login.stderr);
      const token = (await readJson(await tokenFile(sandbox, "corp"))).accessToken;
      for (const botocore of TOKEN_READERS.found!) {
        assert.equal((await readWithBotocore(sandbox, botocore, false)).token, token);
      }
    });
  },
});

Deno.test({
  ...requires("botocore resolves credentials with the token aec login wrote", RESOLVERS),
  fn: async () => {
    await withSandbox({ config: CONFIG }, async (sandbox) => {
      const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
      assert.equal(login.code, 0, login.stderr);
      const token = (await readJson(await tokenFile(sandbox, "corp"))).accessToken;
      for (const botocore of RESOLVERS.found!) {
        const read = await readWithBotocore(sandbox, botocore, true);
        assert.equal(read.token, token);
        assert.match(read.accessKeyId, /^ASIAFAKE/);
      }
    });
  },
});

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

for (const how of [["--all"], ["--profile", "sso"]]) {
  Deno.test(`aec logout ${how.join(" ")} ends the session of a token file that is a symlink and removes only the link`, async () => {
    await withSandbox({ config: CONFIG }, async (sandbox) => {
      const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
      assert.equal(login.code, 0, login.stderr);
      // The token kept elsewhere, the cache holding a link to it (a dotfiles setup, say).
      const link = await tokenFile(sandbox, "corp");
      const target = `${sandbox.home}/elsewhere/token.json`;
      await Deno.mkdir(`${sandbox.home}/elsewhere`);
      await Deno.rename(link, target);
      await Deno.symlink(target, link);
      const token = await readJson(target);

      const result = await sandbox.run(["logout", ...how], { env: loginEnv(sandbox) });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, new RegExp(`signed out of ${START_URL}`));
      assert.ok(!sandbox.aws.ssoOidc.validTokens.has(token.accessToken), "the token still works");
      await assert.rejects(Deno.lstat(link), Deno.errors.NotFound);
      assert.deepEqual(await readJson(target), token, "the linked file changed");
    });
  });
}

/** An entry of the AWS CLI's cache, as CLI v2 writes SSO role credentials. */
function cliCacheEntry(providerType?: string): string {
  return JSON.stringify({
    ...(providerType === undefined ? {} : { ProviderType: providerType }),
    Credentials: {
      AccessKeyId: "ASIAFAKECACHED",
      SecretAccessKey: "cached-secret",
      SessionToken: "cached-token",
      Expiration: "2099-01-01T00:00:00Z",
      AccountId: "111122223333",
    },
  });
}

Deno.test("aec logout deletes the AWS CLI's cached role credentials of the session, --all every SSO entry, nothing else", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(login.code, 0, login.stderr);
    const cache = `${sandbox.home}/.aws/cli/cache`;
    const sso = await sandbox.write(
      ".aws/cli/cache/0cdbf32b99792a73981dd3f142bc63ab50240b44.json", // profile sso's role
      cliCacheEntry("sso"),
    );
    const legacy = await sandbox.write(
      ".aws/cli/cache/fdfc998f1fb10947c30da78e57d67b3072dd01bf.json", // profile legacy's role
      cliCacheEntry("sso"),
    );
    const unknown = await sandbox.write(".aws/cli/cache/other-sso-role.json", cliCacheEntry("sso"));
    const kept = [
      await sandbox.write(".aws/cli/cache/assumed-role.json", cliCacheEntry()),
      await sandbox.write(".aws/cli/cache/other-kind.json", cliCacheEntry("assume-role")),
      await sandbox.write(".aws/cli/cache/notes.txt", cliCacheEntry("sso")),
      await sandbox.write(".aws/cli/cache/broken.json", "{not json"),
    ];
    // A link to an entry kept elsewhere: the link goes, the file stays.
    const outside = await sandbox.write("elsewhere/entry.json", cliCacheEntry("sso"));
    await Deno.symlink(outside, `${cache}/linked.json`);
    const names = () => [...Deno.readDirSync(cache)].map((entry) => entry.name).sort();

    const one = await sandbox.run(["logout", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(one.code, 0, one.stderr);
    assert.match(
      one.stderr,
      /deleted 1 IAM Identity Center role credential file\(s\) from the AWS CLI's cache/,
    );
    await assert.rejects(Deno.lstat(sso), Deno.errors.NotFound);
    await Deno.stat(legacy);

    const all = await sandbox.run(["logout", "--all"], { env: loginEnv(sandbox) });
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stderr,
      /deleted 3 IAM Identity Center role credential file\(s\) from the AWS CLI's cache/,
    );
    for (const path of [legacy, unknown, `${cache}/linked.json`]) {
      await assert.rejects(Deno.lstat(path), Deno.errors.NotFound, path);
    }
    assert.deepEqual(names(), kept.map((path) => path.slice(cache.length + 1)).sort());
    assert.equal(await Deno.readTextFile(outside), cliCacheEntry("sso"));
  });
});

// botocore before 1.31 ignores AWS_ENDPOINT_URL_SSO and would call the real portal.
const BOTOCORE_WITH_ENDPOINTS = (await botocores({ endpointUrls: true })).found?.[0];
const BOTOCORE_SSO_CACHE = `
import os, botocore.session
from botocore.credentials import JSONFileCache
session = botocore.session.Session(profile="sso")
# As AWS CLI v2 does (awscli/customizations/sso): SSO role credentials in its cache.
provider = session.get_component("credential_provider").get_provider("sso")
provider.cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
print(session.get_credentials().get_frozen_credentials().access_key)
`;

Deno.test({
  name: "aec logout deletes the entry botocore cached for the profile's SSO role" +
    (BOTOCORE_WITH_ENDPOINTS ? "" : " (ignored: no botocore 1.31 or later)"),
  ignore: BOTOCORE_WITH_ENDPOINTS === undefined,
  fn: async () => {
    await withSandbox({ config: CONFIG }, async (sandbox) => {
      const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
      assert.equal(login.code, 0, login.stderr);
      const output = await new Deno.Command(BOTOCORE_WITH_ENDPOINTS!.python, {
        args: ["-c", BOTOCORE_SSO_CACHE],
        env: sandbox.env,
        clearEnv: true,
      }).output();
      assert.ok(output.success, new TextDecoder().decode(output.stderr));
      const cache = `${sandbox.home}/.aws/cli/cache`;
      const [entry, ...more] = [...Deno.readDirSync(cache)];
      assert.equal(more.length, 0);
      assert.equal((await readJson(`${cache}/${entry!.name}`)).ProviderType, "sso");

      const result = await sandbox.run(["logout", "--profile", "sso"], { env: loginEnv(sandbox) });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /deleted 1 IAM Identity Center role credential file/);
      assert.deepEqual([...Deno.readDirSync(cache)], []);
    });
  },
});

Deno.test("aec login polls at most once a second when the service asks for interval 0", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    sandbox.aws.ssoOidc.deviceAuthorization = { interval: 0 };
    sandbox.aws.ssoOidc.pendingForMs = 2_500;
    const result = await sandbox.run(["login", "--profile", "sso", "--use-device-code"], {
      env: loginEnv(sandbox, { BROWSER: "" }),
    });
    assert.equal(result.code, 0, result.stderr);
    // Pending for 2.5 s, polled once a second: the third poll gets the token.
    const polls = sandbox.aws.ssoOidc.devicePolls.length;
    assert.ok(polls <= 4, `${polls} polls while the sign-in was pending for 2.5 s`);
  });
});

Deno.test("aec login caps a huge interval instead of overflowing the timer", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    sandbox.aws.ssoOidc.deviceAuthorization = { interval: 2 ** 31 };
    // aec waits a minute before its first poll; three seconds of it show there is no tight loop.
    const result = await sandbox.run(["login", "--profile", "sso", "--use-device-code"], {
      env: loginEnv(sandbox, { BROWSER: "" }),
      signal: AbortSignal.timeout(3_000),
    });
    assert.match(result.stderr, /ABCD-EFGH/);
    assert.doesNotMatch(result.stderr, /warning/i);
    assert.equal(sandbox.aws.ssoOidc.devicePolls.length, 0);
  });
});

// What a terminal acts on instead of showing: C0 controls (but the line feed), DEL, C1, bidi.
// deno-lint-ignore no-control-regex
const TERMINAL_CONTROLS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

Deno.test("aec login refuses a sign-in URL or code it cannot show safely, and opens nothing", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const marker = `${sandbox.home}/browser-ran`;
    const hostile: [Record<string, unknown>, RegExp][] = [
      [{ verificationUriComplete: "https://device.example/?c=1\x1b[2J\x1b]0;owned\x07" }, /URL/],
      [{ verificationUriComplete: "https://device.example/\u009b2J" }, /URL/],
      [
        { verificationUri: "https://device.example/\u202eelif", verificationUriComplete: null },
        /URL/,
      ],
      [{ verificationUriComplete: "file:///etc/passwd" }, /URL/],
      [{ verificationUriComplete: "http://device.example/" }, /URL/],
      [{ userCode: "ABCD\x1b[2J\nEFGH" }, /code/],
      [{ userCode: 1234 }, /code/],
    ];
    for (const [answer, what] of hostile) {
      sandbox.aws.ssoOidc.deviceAuthorization = answer;
      const result = await sandbox.run(["login", "--profile", "sso", "--use-device-code"], {
        env: loginEnv(sandbox, { BROWSER: `touch ${marker}` }),
      });
      const name = JSON.stringify(answer);
      assert.equal(result.code, 3, `${name}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, TERMINAL_CONTROLS, name);
      assertOneLine(result, 3, /^aec: IAM Identity Center returned a sign-in (URL|code) /);
      assert.match(result.stderr, what, name);
      assert.equal(sandbox.aws.ssoOidc.devicePolls.length, 0, name);
    }
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  });
});

const EARLIER_TOKEN = JSON.stringify({
  startUrl: START_URL,
  region: "us-east-1",
  accessToken: "earlier-token",
  expiresAt: "2020-01-01T00:00:00Z",
});

Deno.test("aec login refuses a token without a usable expiry or of the wrong types, keeping the old one", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const path = await tokenFile(sandbox, "corp");
    await sandbox.write(`.aws/sso/cache/${await sha1Hex("corp")}.json`, EARLIER_TOKEN);
    const answers: [Record<string, unknown>, string[]][] = [
      [{ expiresIn: -5 }, []],
      [{ expiresIn: 0 }, []],
      [{ expiresIn: "3600" }, []],
      [{ expiresIn: 1e12 }, []],
      [{ accessToken: 123 }, []],
      [{ accessToken: "" }, []],
      [{ refreshToken: 7 }, []],
      [{ tokenType: "MAC" }, []],
      [{ expiresIn: -5 }, ["--use-device-code"]],
      [{ accessToken: ["x"] }, ["--use-device-code"]],
    ];
    for (const [fields, flags] of answers) {
      sandbox.aws.ssoOidc.tokenFields = fields;
      const result = await sandbox.run(["login", "--profile", "sso", ...flags], {
        env: loginEnv(sandbox),
      });
      const name = `${JSON.stringify(fields)} ${flags.join(" ")}`;
      assert.equal(result.code, 3, `${name}: ${result.stderr}`);
      assert.match(
        result.stderr.trim().split("\n").at(-1)!,
        /^aec: IAM Identity Center returned a token aec cannot use: \w+ /,
        name,
      );
      assert.equal(await Deno.readTextFile(path), EARLIER_TOKEN, name);
    }
  });
});

Deno.test("aec refuses a refreshed token without a usable expiry and keeps the token file", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(login.code, 0, login.stderr);
    const path = await tokenFile(sandbox, "corp");
    const token = await readJson(path);
    // Within the SDK's five-minute refresh window.
    token.expiresAt = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    const before = JSON.stringify(token);
    await Deno.writeTextFile(path, before);
    sandbox.aws.ssoOidc.tokenFields = { expiresIn: 0 };

    const result = await sandbox.run(["--profile", "sso", "--json"], { env: loginEnv(sandbox) });
    assertOneLine(
      result,
      3,
      /^aec: IAM Identity Center returned a token aec cannot use: expiresIn /,
    );
    assert.ok(sandbox.aws.ssoOidc.calls.includes("CreateToken:refresh_token"));
    assert.equal(await Deno.readTextFile(path), before);
  });
});

Deno.test("aec reads a token whose expiresAt ends in UTC, as the AWS CLI v2 wrote before 2.1.14", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const inAnHour = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "");
    await sandbox.write(
      `.aws/sso/cache/${await sha1Hex(LEGACY_URL)}.json`,
      JSON.stringify({
        startUrl: LEGACY_URL,
        region: "us-east-1",
        accessToken: GOOD_SSO_TOKEN,
        expiresAt: `${inAnHour}UTC`,
      }),
    );
    const result = await sandbox.run(["--profile", "legacy", "--json"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(JSON.parse(result.stdout).AccessKeyId, /^ASIAFAKE/);
    const profiles = await sandbox.run(["profiles", "--json"]);
    const legacy = JSON.parse(profiles.stdout).find((p: { name: string }) => p.name === "legacy");
    assert.equal(legacy.state, "signed in");
    assert.equal(legacy.validUntil, `${inAnHour}Z`);
  });
});

Deno.test("aec goes on with a token the service would not refresh until it ends, as the SDKs do", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const login = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(login.code, 0, login.stderr);
    const path = await tokenFile(sandbox, "corp");
    const token = { ...await readJson(path), refreshToken: "revoked-refresh-token" };
    token.expiresAt = new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, "Z");
    await Deno.writeTextFile(path, JSON.stringify(token));
    const stillValid = await sandbox.run(["--profile", "sso", "--json"], {
      env: loginEnv(sandbox),
    });
    assert.equal(stillValid.code, 0, stillValid.stderr);
    assert.ok(sandbox.aws.ssoOidc.calls.includes("CreateToken:refresh_token"));

    token.expiresAt = "2020-01-01T00:00:00Z";
    await Deno.writeTextFile(path, JSON.stringify(token));
    assertOneLine(
      await sandbox.run(["--profile", "sso", "--json"], { env: loginEnv(sandbox) }),
      3,
      /^aec: The IAM Identity Center session of profile sso has expired \(run 'aec login --profile sso'\)$/m,
    );
    assert.deepEqual(await readJson(path), token);
  });
});

Deno.test("aec login shows escape sequences in the service's refusal as text", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    sandbox.aws.ssoOidc.authorizeError = "access_denied\x1b]0;owned\x07\u202e";
    const result = await sandbox.run(["login", "--profile", "sso"], { env: loginEnv(sandbox) });
    assert.equal(result.code, 3, result.stderr);
    assert.doesNotMatch(result.stderr, TERMINAL_CONTROLS);
    assert.equal(
      result.stderr.trim().split("\n").at(-1)!,
      "aec: Sign-in was refused: access_denied\\u001b]0;owned\\u0007\\u202e",
    );
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
