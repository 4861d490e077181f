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

Deno.test("aec console -s SERVICE lands on the service's page in the profile's region", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const { url } = await consoleUrl(sandbox, ["--profile", "admin", "-s", "ec2"]);
    assert.equal(
      url.searchParams.get("Destination"),
      "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1",
    );
    await writeSsoToken(sandbox);
    const path = await consoleUrl(sandbox, ["--profile", "sso", "--service", "s3/buckets"]);
    assert.equal(
      path.url.searchParams.get("Destination"),
      "https://cn-north-1.console.amazonaws.cn/s3/buckets?region=cn-north-1",
    );
  });
});

Deno.test("aec console --via-portal prints the portal's link for the account and role, calling nothing", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    // Signed out: the portal signs in with the browser's own session, not aec's token.
    const result = await sandbox.run(
      ["console", "--profile", "sso", "--via-portal", "-s", "lambda", "--stdout"],
      { env: consoleEnv(sandbox) },
    );
    assert.equal(result.code, 0, result.stderr);
    const url = new URL(result.stdout.trim());
    assert.equal(`${url.origin}${url.pathname}`, "https://corp.awsapps.com/start/");
    assert.ok(url.hash.startsWith("#/console?"), url.href);
    const query = new URLSearchParams(url.hash.slice("#/console?".length));
    assert.equal(query.get("account_id"), "111122223333");
    assert.equal(query.get("role_name"), "ReadOnly");
    assert.equal(
      query.get("destination"),
      "https://cn-north-1.console.amazonaws.cn/lambda/home?region=cn-north-1",
    );
    assert.deepEqual(sandbox.aws.requests, []);
    assert.deepEqual(sandbox.aws.signins, []);

    const role = await sandbox.run(["console", "--profile", "admin", "--via-portal", "--stdout"]);
    assert.equal(role.code, 2, role.stderr);
    assert.match(
      role.stderr,
      /^aec: --via-portal needs a profile with sso_account_id and sso_role_name; profile admin has no IAM Identity Center sign-in/,
    );
  });
});

Deno.test("aec console --firefox-container --stdout prints the container link around a working sign-in URL", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(
      ["console", "--profile", "admin", "--firefox-container", "--stdout", "--debug"],
      { env: consoleEnv(sandbox) },
    );
    assert.equal(result.code, 0, result.stderr);
    const link = result.stdout.trim();
    assert.match(link, /^ext\+container:name=admin&color=\w+&icon=fingerprint&url=/);
    const signin = new URL(new URLSearchParams(link.slice("ext+container:".length)).get("url")!);
    assert.equal(signin.pathname, "/federation");
    const token = signin.searchParams.get("SigninToken")!;
    assert.doesNotMatch(result.stderr, new RegExp(`${token}|ext\\+container`));
    const landing = await fetch(signin, { redirect: "manual" });
    await landing.body?.cancel();
    assert.equal(landing.status, 302);
  });
});

/** A `NAME` on the sandbox's PATH that is the fake browser, recording into `record`. */
async function browserStandIn(sandbox: Sandbox, name: string): Promise<Record<string, string>> {
  const path = await sandbox.write(
    `bin/${name}`,
    `#!/bin/sh\nexec ${FAKE_BROWSER} "$@"\n`,
  );
  await Deno.chmod(path, 0o755);
  return {
    PATH: `${sandbox.home}/bin:${sandbox.env.PATH}`,
    FAKE_BROWSER_RECORD: `${sandbox.home}/${name}.json`,
  };
}

Deno.test("aec console --firefox-container opens Firefox through a private page, never the link in argv", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const env = await browserStandIn(sandbox, "firefox");
    const marker = `${sandbox.home}/browser-variable-used`;
    const result = await sandbox.run(["console", "--profile", "admin", "--firefox-container"], {
      // Firefox, not BROWSER: the container needs Firefox.
      env: { ...consoleEnv(sandbox), ...env, BROWSER: `touch ${marker}` },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    const seen = JSON.parse(await Deno.readTextFile(env.FAKE_BROWSER_RECORD!));
    assert.equal(seen.argv.length, 1);
    assert.match(seen.argv[0], /^file:\/\/\/.+\.html$/);
    assert.doesNotMatch(seen.page.text, /ext\+container|SigninToken|federation/);
    assert.equal(seen.page.mode, 0o600);
    // The one-time address answered with a page that follows the container link.
    const refresh = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(seen.landing)![1]!;
    const link = refresh.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)));
    const params = new URLSearchParams(link.slice("ext+container:".length));
    assert.match(link, /^ext\+container:/);
    assert.equal(params.get("name"), "admin");
    assert.match(new URL(params.get("url")!).searchParams.get("SigninToken")!, /^signin-/);
    await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
  });
});

Deno.test("aec console opens the browser named by --browser or aec_browser, in its own profile", async () => {
  await withSandbox({
    config: CONFIG.replace(
      "[profile chained]\n",
      "[profile chained]\naec_browser = chrome\naec_browser_profile = Profile 1\n",
    ),
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const firefox = await browserStandIn(sandbox, "firefox");
    const flags = await sandbox.run(
      ["console", "--profile", "admin", "--browser", "firefox", "--browser-profile", "work"],
      { env: { ...consoleEnv(sandbox), ...firefox } },
    );
    assert.equal(flags.code, 0, flags.stderr);
    const seen = JSON.parse(await Deno.readTextFile(firefox.FAKE_BROWSER_RECORD!));
    assert.deepEqual(seen.argv.slice(0, 2), ["-P", "work"]);
    assert.match(seen.argv[2], /^file:\/\/\/.+\.html$/);

    const chrome = await browserStandIn(sandbox, "google-chrome");
    const setting = await sandbox.run(["console", "--profile", "chained"], {
      env: { ...consoleEnv(sandbox), ...chrome },
    });
    assert.equal(setting.code, 0, setting.stderr);
    const argv = JSON.parse(await Deno.readTextFile(chrome.FAKE_BROWSER_RECORD!)).argv;
    assert.equal(argv[0], "--profile-directory=Profile 1");

    const missing = await sandbox.run(["console", "--profile", "admin", "--browser", "edge"], {
      env: { ...consoleEnv(sandbox), PATH: `${sandbox.home}/bin` },
    });
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /^aec: edge was not found/);
    assert.deepEqual(sandbox.aws.requests.filter((r) => r.action === "AssumeRole").length, 3);
  });
});

Deno.test("aec console refuses --service with --destination, --browser with --stdout (exit 2)", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    for (
      const [args, line] of [
        [["-s", "ec2", "--destination", "https://x.example/"], /--service and --destination/],
        [["--service", "ec3"], /got 'ec3'; did you mean ec2\?/],
        [["--browser", "firefox", "--stdout"], /--browser cannot be used with --stdout/],
        [["--via-portal", "--duration", "1h"], /--duration cannot be used with --via-portal/],
      ] as const
    ) {
      const result = await sandbox.run(["console", ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, line);
    }
  });
});
