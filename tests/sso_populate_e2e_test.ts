/**
 * End to end: `aec sso roles` and `aec sso populate` against the local
 * portal (tests/support/fake_sso_portal.ts): paging, throttling, accounts
 * that come and go, odd names, a portal that misbehaves, and the config
 * file's safety rules; the written profiles read by the SDK, by aec itself
 * and by botocore.
 */

import assert from "node:assert/strict";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import { REPO_ROOT, type RunResult, type Sandbox, withSandbox } from "./support/sandbox.ts";
import { writeSsoToken } from "./support/sso_token.ts";
import { type FakeAccount, manyAccounts } from "./support/fake_sso_portal.ts";
import { readFilesWithBotocore } from "./support/botocore.ts";
import { botocores, POSIX, requires } from "./support/clients.ts";
import { runOnTerminal, TERMINAL } from "./support/terminal.ts";

const BOTOCORE = await botocores();

const SESSION = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
`;
const CONFIG = `# My profiles; aec sso populate adds to them.
[profile hand]
region = eu-west-1 # written by hand

${SESSION}`;

/** A sandbox with the config, signed in to `corp`, whose portal lists `accounts`. */
async function withPortal(
  accounts: FakeAccount[],
  body: (sandbox: Sandbox) => Promise<void>,
  config = CONFIG,
): Promise<void> {
  await withSandbox({ config }, async (sandbox) => {
    await writeSsoToken(sandbox);
    sandbox.aws.ssoPortal.accounts = accounts;
    await body(sandbox);
  });
}

function assertOneLine(result: RunResult, code: number, line: RegExp) {
  assert.equal(result.code, code, result.stderr);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
  assert.match(result.stderr, line);
}

async function populate(sandbox: Sandbox, ...args: string[]): Promise<RunResult> {
  const result = await sandbox.run(["sso", "populate", ...args]);
  assert.equal(result.code, 0, result.stderr);
  return result;
}

const ODD: FakeAccount[] = [
  { accountId: "111111111111", accountName: "Production", roles: ["Admin", "ReadOnly"] },
  { accountId: "222222222222", accountName: "Production", roles: ["Admin"] },
  { accountId: "333333333333", accountName: "Team Rocket / EU", roles: ["Admin"] },
  { accountId: "444444444444", accountName: "Zürich café 日本", roles: ["Admin"] },
  { accountId: "555555555555", accountName: " #1; [Sandbox] = ..", roles: ["Admin"] },
  { accountId: "666666666666", accountName: "x".repeat(200), roles: ["Admin"] },
  { accountId: "777777777777", accountName: "..", roles: ["Dev.Role@x+y"] },
];

Deno.test("aec sso roles lists every account and role of the session, all pages", async () => {
  const accounts = manyAccounts(45, ["Admin", "ReadOnly"]);
  accounts[3]!.roles = Array.from({ length: 25 }, (_, index) => `Role${index}`);
  await withPortal(accounts, async (sandbox) => {
    const json = await sandbox.run(["sso", "roles", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    const listed = JSON.parse(json.stdout) as { accountId: string; roles: string[] }[];
    assert.equal(listed.length, 45);
    assert.deepEqual(listed[3], {
      accountId: "100000000003",
      accountName: "Account 0004",
      roles: accounts[3]!.roles.toSorted(),
    });
    assert.deepEqual(listed.map((account) => account.accountId), accounts.map((a) => a.accountId));

    const table = await sandbox.run(["sso", "roles"]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^ACCOUNT +NAME +ROLE$/);
    assert.equal(lines.length, 1 + 44 * 2 + 25);
    assert.match(lines[1]!, /^100000000000 {2}Account 0001 {2}Admin$/);
  });
});

Deno.test("aec sso populate writes a profile per account and role, which the SDK and aec use; again, no byte changes", async () => {
  await withPortal(ODD.slice(0, 2), async (sandbox) => {
    const first = await populate(sandbox, "--region", "eu-west-1");
    assert.equal(first.stdout, "");
    assert.match(first.stderr, /3 profiles added, 0 updated, 0 unchanged$/m);
    assert.match(
      first.stderr,
      /account 222222222222 \(Production\) role Admin is profile Production\.Admin-222222222222: Production\.Admin is account 111111111111's/,
    );
    const written = await Deno.readTextFile(sandbox.configFile);
    assert.equal(
      written,
      CONFIG + "\n" +
        ["Production.Admin", "Production.Admin-222222222222", "Production.ReadOnly"].map((name) => {
          const [account, role] = name === "Production.Admin-222222222222"
            ? ["222222222222", "Admin"]
            : ["111111111111", name.split(".")[1]];
          return `[profile ${name}]\nsso_session = corp\nsso_account_id = ${account}\n` +
            `sso_role_name = ${role}\nregion = eu-west-1\naec_account_name = Production\n` +
            "aec_generated = sso-populate\n";
        }).join("\n"),
    );

    // The SDK's own reading of the file.
    const { configFile } = await loadSharedConfigFiles({
      filepath: sandbox.credentialsFile,
      configFilepath: sandbox.configFile,
      ignoreCache: true,
    });
    assert.deepEqual(configFile["Production.Admin-222222222222"], {
      sso_session: "corp",
      sso_account_id: "222222222222",
      sso_role_name: "Admin",
      region: "eu-west-1",
      aec_account_name: "Production",
      aec_generated: "sso-populate",
    });
    // The SDK resolves the profile natively, from the sign-in: GetRoleCredentials.
    const exported = await sandbox.run(["--profile", "Production.Admin-222222222222", "--json"]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(JSON.parse(exported.stdout).AccessKeyId, /^ASIAFAKE/);
    assert.deepEqual(sandbox.aws.requests.at(-1), {
      action: "GetRoleCredentials",
      params: { account_id: "222222222222", role_name: "Admin" },
    });

    const before = await Deno.stat(sandbox.configFile);
    const again = await populate(sandbox, "--region", "eu-west-1");
    assert.match(again.stderr, /^aec: \S+: 0 profiles added, 0 updated, 3 unchanged\n$/);
    assert.equal(await Deno.readTextFile(sandbox.configFile), written);
    // Not even rewritten with the same bytes.
    assert.equal((await Deno.stat(sandbox.configFile)).mtime?.getTime(), before.mtime?.getTime());
  });
});

Deno.test("aec sso populate follows accounts that come and go, and prunes only its own profiles", async () => {
  const accounts = [
    { accountId: "111111111111", accountName: "Dev", roles: ["Admin", "ReadOnly"] },
    { accountId: "222222222222", accountName: "Prod", roles: ["Admin"] },
  ];
  await withPortal(accounts, async (sandbox) => {
    await populate(sandbox);
    // By hand: a setting in a generated profile, a comment, and a profile of one's own.
    const edited = (await Deno.readTextFile(sandbox.configFile))
      .replace("[profile Dev.Admin]\n", "[profile Dev.Admin]\ncli_pager = less\n")
      .concat("\n# mine\n[profile tools]\nsso_session = corp\nsso_account_id = 999999999999\n");
    await Deno.writeTextFile(sandbox.configFile, edited);

    sandbox.aws.ssoPortal.accounts = [
      { accountId: "111111111111", accountName: "Dev", roles: ["ReadOnly"] },
      { accountId: "222222222222", accountName: "Prod", roles: ["Admin"] },
      { accountId: "333333333333", accountName: "New", roles: ["Admin"] },
    ];
    const kept = await populate(sandbox);
    assert.match(
      kept.stderr,
      /1 profile added, 0 updated, 2 unchanged; 1 no longer listed, kept \(--prune removes them\)/,
    );
    const afterAdd = await Deno.readTextFile(sandbox.configFile);
    assert.ok(afterAdd.startsWith(edited), "an existing line changed");
    assert.match(afterAdd.slice(edited.length), /^\n\[profile New\.Admin\]\n/);

    const pruned = await populate(sandbox, "--prune");
    assert.match(pruned.stderr, /0 profiles added, 0 updated, 3 unchanged, 1 removed/);
    const text = await Deno.readTextFile(sandbox.configFile);
    assert.doesNotMatch(text, /Dev\.Admin|cli_pager/);
    assert.ok(text.startsWith(CONFIG), "the hand-written part changed");
    assert.match(text, /# mine\n\[profile tools\]\nsso_session = corp\n/);
    assert.equal(text, afterAdd.replace(/\n\[profile Dev\.Admin\]\n[^[]*?(?=\n\[)/, ""));
  });
});

Deno.test("aec sso populate names odd accounts as both readers read them, says which got a suffix, and aec profiles shows the names", async () => {
  await withPortal(ODD, async (sandbox) => {
    const result = await populate(sandbox);
    const names = [
      "...Dev.Role@x+y",
      "1-Sandbox-...Admin",
      "Production.Admin",
      "Production.Admin-222222222222",
      "Production.ReadOnly",
      "Team-Rocket-/-EU.Admin",
      "Zurich-cafe.Admin",
      `${"x".repeat(64)}.Admin`,
    ];
    const profiles = await sandbox.run(["profiles", "--json"]);
    assert.equal(profiles.code, 0, profiles.stderr);
    const summaries = JSON.parse(profiles.stdout) as { name: string; accountName: string | null }[];
    assert.deepEqual(summaries.map((summary) => summary.name), ["hand", ...names]);
    const byName = Object.fromEntries(summaries.map((summary) => [summary.name, summary]));
    assert.equal(byName["1-Sandbox-...Admin"]!.accountName, " #1; [Sandbox] = ..");
    assert.equal(byName["Zurich-cafe.Admin"]!.accountName, "Zürich café 日本");
    assert.equal(byName.hand!.accountName, null);
    assert.match(result.stderr, /Production\.Admin-222222222222: Production\.Admin is account/);
    assert.equal(result.stderr.trimEnd().split("\n").length, 2, result.stderr);

    const table = await sandbox.run(["profiles"]);
    assert.match(table.stdout, /^PROFILE +KIND +REGION +ACCOUNT +SOURCE +STATE$/m);
    assert.match(table.stdout, /^Zurich-cafe\.Admin +sso +- +Zürich café 日本 +Zurich/m);
  });
});

Deno.test({
  ...requires("botocore reads every profile aec sso populate writes, odd names and all", BOTOCORE),
  async fn() {
    await withPortal(ODD, async (sandbox) => {
      await populate(sandbox, "--region", "eu-west-1");
      const { configFile } = await loadSharedConfigFiles({
        filepath: sandbox.credentialsFile,
        configFilepath: sandbox.configFile,
        ignoreCache: true,
      });
      const generated = Object.entries(configFile).filter(([, settings]) =>
        settings.aec_generated === "sso-populate"
      );
      assert.equal(generated.length, 8);
      for (const botocore of BOTOCORE.found ?? []) {
        const [read] = await readFilesWithBotocore(botocore, [sandbox.configFile], "config");
        assert.ok(read && "sections" in read, JSON.stringify(read));
        for (const [name, settings] of generated) {
          assert.deepEqual(read.sections[name], settings, `botocore ${botocore.version}: ${name}`);
        }
      }
    });
  },
});

Deno.test("aec sso populate --dry-run prints a unified diff and writes nothing", async () => {
  await withPortal(ODD.slice(0, 1), async (sandbox) => {
    const result = await populate(sandbox, "--dry-run");
    const path = sandbox.configFile;
    assert.equal(
      result.stdout,
      `--- ${path}\n+++ ${path}\n@@ -5,3 +5,17 @@\n` +
        " [sso-session corp]\n sso_start_url = https://corp.awsapps.com/start\n" +
        " sso_region = us-east-1\n+\n" +
        "+[profile Production.Admin]\n+sso_session = corp\n+sso_account_id = 111111111111\n" +
        "+sso_role_name = Admin\n+aec_account_name = Production\n+aec_generated = sso-populate\n" +
        "+\n" +
        "+[profile Production.ReadOnly]\n+sso_session = corp\n+sso_account_id = 111111111111\n" +
        "+sso_role_name = ReadOnly\n+aec_account_name = Production\n" +
        "+aec_generated = sso-populate\n",
    );
    assert.match(result.stderr, /2 profiles would be added, 0 updated, 0 unchanged/);
    assert.equal(await Deno.readTextFile(path), CONFIG);
    // Not even the lock file beside it.
    assert.deepEqual([...Deno.readDirSync(`${sandbox.home}/.aws`)].map((e) => e.name).sort(), [
      "config",
      "sso",
    ]);

    await populate(sandbox);
    sandbox.aws.ssoPortal.accounts = [];
    const prune = await populate(sandbox, "--dry-run", "--prune");
    assert.match(prune.stdout, /^-\[profile Production\.ReadOnly\]$/m);
    assert.match(prune.stderr, /0 profiles would be added, 0 updated, 0 unchanged, 2 removed/);
    assert.notEqual(await Deno.readTextFile(path), CONFIG);
  });
});

Deno.test("aec sso needs --sso-session with several sessions, and one session to use", async () => {
  await withPortal([], async (sandbox) => {
    const other = "[sso-session other]\nsso_start_url = https://o.awsapps.com/start\n" +
      "sso_region = eu-west-1\n";
    await Deno.writeTextFile(sandbox.configFile, CONFIG + other);
    assertOneLine(
      await sandbox.run(["sso", "populate"]),
      2,
      /has several sso-sessions \(corp, other\): name one with --sso-session/,
    );
    const roles = await sandbox.run(["sso", "roles", "--sso-session", "corp"]);
    assert.equal(roles.code, 0, roles.stderr);
    assert.equal(roles.stdout, "The session may use no account\n");
    assertOneLine(
      await sandbox.run(["sso", "roles", "--sso-session", "nosuch"]),
      3,
      /The sso-session "nosuch" could not be found/,
    );
    await Deno.writeTextFile(sandbox.configFile, "[profile hand]\nregion = eu-west-1\n");
    assertOneLine(
      await sandbox.run(["sso", "roles"]),
      2,
      /has no \[sso-session\] section to list the accounts of/,
    );
  });
});

Deno.test("aec sso without a session exits 3 naming aec login; --sso-login signs in first", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    assertOneLine(
      await sandbox.run(["sso", "populate"]),
      3,
      /^aec: The sso-session corp has not signed in to IAM Identity Center \(run 'aec login --sso-session corp'\)\n$/,
    );
    // A token that ends within the minute would end during the listing.
    await writeSsoToken(sandbox, { expiresAt: new Date(Date.now() + 30_000).toISOString() });
    assertOneLine(
      await sandbox.run(["sso", "roles"]),
      3,
      /session of the sso-session corp has expired \(run 'aec login --sso-session corp'\)\n$/,
    );
    assert.equal(sandbox.aws.ssoPortal.requests, 0);
    const result = await sandbox.run(["sso", "populate", "--sso-login"], {
      env: {
        AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url,
        BROWSER: `${Deno.execPath()} run -A --quiet ${REPO_ROOT}tests/support/browser.ts`,
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /has expired; signing in/);
    assert.match(result.stderr, /3 profiles added/);
  });
});

Deno.test("aec sso populate lists 100 accounts × 3 roles from a portal that pages by 20 and throttles every 7th request", async () => {
  const accounts = manyAccounts(100, ["Admin", "Billing", "ReadOnly"]);
  await withPortal(accounts, async (sandbox) => {
    const portal = sandbox.aws.ssoPortal;
    portal.throttleEvery = 7;
    const result = await populate(sandbox);
    assert.match(result.stderr, /300 profiles added/);
    const { configFile } = await loadSharedConfigFiles({
      filepath: sandbox.credentialsFile,
      configFilepath: sandbox.configFile,
      ignoreCache: true,
    });
    assert.equal(configFile["Account-0100.Billing"]?.sso_account_id, "100000000099");
    // 5 pages of accounts and 100 of roles, and every throttled one again.
    assert.equal(portal.requests, 105 + portal.throttled);
    assert.ok(portal.throttled >= 15, String(portal.throttled));
    assert.ok(portal.mostAtOnce <= 4, String(portal.mostAtOnce));
  });
});

Deno.test({
  ...requires("aec sso populate shows accounts done of those found on a terminal", ...TERMINAL),
  fn: () =>
    withPortal(manyAccounts(150, ["Admin"]), async (sandbox) => {
      const { code, text } = await runOnTerminal(sandbox, ["sso", "populate"], "");
      assert.equal(code, 0, text);
      const shown = [...text.matchAll(/aec: listing roles: (\d+) of (\d+) accounts/g)];
      assert.ok(shown.length > 0, text);
      assert.deepEqual(shown.at(-1)!.slice(1), ["150", "150"]);
      // The line is cleared before the summary.
      assert.ok(text.includes("\r\x1b[Kaec: "), text);
      assert.match(text, /\[Kaec: \S+: 150 profiles added/);
    }),
});

Deno.test("aec sso populate writes nothing when the listing fails part-way, and never hangs", async () => {
  const faults = [
    ["malformed", /ListAccounts failed: /],
    ["loop", /ListAccounts gave a page token it had given before; the listing would never end/],
    ["oversized", /ListAccounts answered 200 entries to a request for at most 100/],
    ["huge", /ListAccounts failed: .*the answer is larger than 1024 KiB/],
    ["error", /ListAccounts failed: Oops \(after 3 attempts\)/],
  ] as const;
  await withPortal(manyAccounts(50, ["Admin"]), async (sandbox) => {
    sandbox.aws.ssoPortal.pageSize = 20;
    for (const [answer, message] of faults) {
      sandbox.aws.ssoPortal.answer = answer;
      const result = await sandbox.run(["sso", "populate"], {
        signal: AbortSignal.timeout(60_000),
      });
      assertOneLine(result, 3, message);
      assert.equal(await Deno.readTextFile(sandbox.configFile), CONFIG, answer);
    }
    // The session ends in the middle of the listing.
    delete sandbox.aws.ssoPortal.answer;
    sandbox.aws.ssoPortal.expireAfter = 10;
    assertOneLine(
      await sandbox.run(["sso", "populate"]),
      3,
      /IAM Identity Center refused the session: it has ended or was signed out \(run 'aec login --sso-session corp'\)/,
    );
    assert.equal(await Deno.readTextFile(sandbox.configFile), CONFIG);
  });
});

Deno.test("aec sso populate --sso-login signs in again when the portal refuses the session part-way", async () => {
  await withPortal(manyAccounts(50, ["Admin"]), async (sandbox) => {
    sandbox.aws.ssoPortal.expireAfter = 5;
    const result = await sandbox.run(["sso", "populate", "--sso-login"], {
      env: {
        AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url,
        BROWSER: `${Deno.execPath()} run -A --quiet ${REPO_ROOT}tests/support/browser.ts`,
      },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /refused the session of the sso-session corp; signing in/);
    assert.match(result.stderr, /50 profiles added/);
    assert.ok(sandbox.aws.ssoOidc.calls.includes("CreateToken:authorization_code"));
  });
});

Deno.test({
  ...requires(
    "aec sso populate edits the config file as -c edits the credentials file: links, read-only files, FIFOs",
    POSIX,
  ),
  fn: () =>
    withPortal(ODD.slice(0, 1), async (sandbox) => {
      // A symlink stays a link; its target gets the profiles.
      const target = `${sandbox.home}/dotfiles-config`;
      await Deno.rename(sandbox.configFile, target);
      await Deno.symlink(target, sandbox.configFile);
      await populate(sandbox);
      assert.ok((await Deno.lstat(sandbox.configFile)).isSymlink);
      assert.match(await Deno.readTextFile(target), /\[profile Production\.Admin\]/);

      sandbox.aws.ssoPortal.accounts = [...ODD.slice(0, 2)];
      const before = await Deno.readTextFile(target);
      await Deno.chmod(target, 0o400);
      assertOneLine(await sandbox.run(["sso", "populate"]), 3, /it is read-only \(mode 400\)/);
      assert.equal(await Deno.readTextFile(target), before);
      await Deno.chmod(target, 0o600);

      await Deno.remove(sandbox.configFile);
      const fifo = await new Deno.Command("mkfifo", { args: [sandbox.configFile] }).output();
      assert.ok(fifo.success);
      assertOneLine(
        await sandbox.run(["sso", "populate"], { signal: AbortSignal.timeout(30_000) }),
        3,
        /config is a FIFO, not a regular file/,
      );
    }),
});

Deno.test("aec sso refuses a bad template, region or command before any request", async () => {
  await withPortal(ODD, async (sandbox) => {
    for (
      const [args, message] of [
        [["populate", "--template", "{account_name}"], /needs \{role_name\}/],
        [["populate", "--template", "{account_name} {role_name}"], /may hold only letters/],
        [["populate", "--region", "prod*=Europe"], /--region takes REGION or PATTERN=REGION/],
        [["populate", "--region", "eu-west-1", "--region", "us-east-1"], /given twice/],
        [["populate", "--json"], /--json works only with aec sso roles/],
        [["roles", "--prune"], /--prune works only with aec sso populate/],
        [["roles", "--profile", "x"], /Unknown option '--profile' for aec sso/],
        [["--sso-session", "corp", "roles"], /aec sso takes a command first: roles or populate/],
        [["rolls"], /Unknown command 'aec sso rolls'; did you mean 'aec sso roles'\?/],
        [[], /aec sso takes a command first: roles or populate/],
      ] as const
    ) {
      assertOneLine(await sandbox.run(["sso", ...args]), 2, message);
    }
    assert.equal(sandbox.aws.ssoPortal.requests, 0);
  });
});

Deno.test("aec sso populate --template and --region rules shape the profiles", async () => {
  await withPortal(ODD.slice(0, 3), async (sandbox) => {
    await populate(
      sandbox,
      "--template",
      "{sso_session}-{account_id}-{role_name}",
      "--region",
      "us-east-1",
      "--region",
      "Team*=eu-central-1",
      "--region",
      "2222*=eu-west-3",
    );
    const { configFile } = await loadSharedConfigFiles({
      filepath: sandbox.credentialsFile,
      configFilepath: sandbox.configFile,
      ignoreCache: true,
    });
    const regions = Object.fromEntries(
      Object.entries(configFile).flatMap(([name, settings]) =>
        settings.aec_generated ? [[name, settings.region]] : []
      ),
    );
    assert.deepEqual(regions, {
      "corp-111111111111-Admin": "us-east-1",
      "corp-111111111111-ReadOnly": "us-east-1",
      "corp-222222222222-Admin": "eu-west-3",
      "corp-333333333333-Admin": "eu-central-1",
    });
  });
});
