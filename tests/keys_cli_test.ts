/** `aec keys` command lines, and the credential_process line aec recognises as its own. */

import assert from "node:assert/strict";
import { hookLine, isHookProgram, keysHookOf, parseHookArgs } from "../lib/keys/hook.ts";
import { decodeKeys, entryName, keysProblem, profileOfEntry } from "../lib/keys/store.ts";
import { chooseStore, defaultStoreName } from "../lib/keys/stores.ts";
import { CredentialError, UsageError } from "../lib/support/mod.ts";
import { helpText, parseCli } from "../lib/cli/mod.ts";

/** What parseCli() makes of `aec keys ARGS`: the options, or "help". */
function parseKeys(args: string[]) {
  const cli = parseCli(["keys", ...args]);
  if (cli.kind === "help") {
    assert.equal(cli.command, "keys");
    return "help";
  }
  assert.equal(cli.kind, "keys");
  return cli.kind === "keys" ? cli.options : undefined;
}

Deno.test("parseCli() reads each aec keys action's profile and options", () => {
  assert.deepEqual(parseKeys(["add", "dev", "--stdin", "--store=pass", "--duration", "1h"]), {
    action: "add",
    debug: false,
    store: "pass",
    profile: "dev",
    stdin: true,
    verify: true,
    session: true,
    durationSeconds: 3600,
  });
  assert.deepEqual(parseKeys(["migrate", "--all", "--no-session", "--no-verify"]), {
    action: "migrate",
    debug: false,
    verify: false,
    session: false,
  });
  assert.deepEqual(parseKeys(["list", "--json", "--debug"]), {
    action: "list",
    debug: true,
    json: true,
  });
  assert.deepEqual(parseKeys(["remove", "dev", "--force"]), {
    action: "remove",
    debug: false,
    profile: "dev",
    force: true,
  });
  assert.deepEqual(parseKeys(["rotate", "dev"]), {
    action: "rotate",
    debug: false,
    profile: "dev",
  });
  assert.deepEqual(parseKeys(["credential-process", "--store", "file", "dev"]), {
    action: "credential-process",
    debug: false,
    hook: { profile: "dev", store: "file", session: true },
  });
  for (const help of [[], ["--help"], ["add", "--help"], ["credential-process", "-h"]]) {
    assert.equal(parseKeys(help), "help");
  }
});

Deno.test("aec help keys shows each action with its options; aec --help names them", () => {
  const help = helpText("keys");
  for (
    const line of [
      /^ {2}aec keys add PROFILE \[--store STORE\] \[--stdin\] \[--no-verify\] \[--no-session\]/m,
      /^ {2}aec keys migrate \(PROFILE \| --all\) /m,
      /^ {2}aec keys credential-process PROFILE \[--store STORE\] \[--no-session\] \[--duration SECONDS\]$/m,
      /^ {2}remove +Delete PROFILE's keys/m,
      /^ {2}--force +remove: delete without asking$/m,
      /^ {2}--store STORE +keychain, secret-service, wincred, pass, 1password, file/m,
    ]
  ) {
    assert.match(help, line);
  }
  assert.match(helpText(), /^ {2}keys +Long-term keys in a secret store: add, migrate, list/m);
  assert.throws(() => parseCli(["key"]), /did you mean 'aec keys'/);
});

Deno.test("parseCli() refuses an aec keys line it cannot mean, as a usage error", () => {
  const cases: [string[], RegExp][] = [
    [["ad", "dev"], /Unknown command 'aec keys ad'; did you mean 'aec keys add'\?/],
    [["add"], /needs a profile/],
    [["add", "a", "b"], /takes one profile/],
    [
      ["add", "dev", "--sotre", "file"],
      /Unknown option '--sotre' for aec keys add; did you mean --store\?/,
    ],
    [["add", "dev", "--store", "vault"], /--store takes one of keychain, secret-service/],
    [["add", "dev", "--no-session", "--duration", "1h"], /cannot be used together/],
    [["add", "dev", "--duration", "5m"], /--duration must be from 15m to 12h/],
    [["migrate", "dev", "--all"], /a profile or --all, not both/],
    [["list", "dev"], /takes no profile/],
    [["rotate", "dev", "--stdin"], /Unknown option '--stdin' for aec keys rotate/],
    [["credential-process"], /needs the profile/],
    [["credential-process", "--duration", "60", "dev"], /seconds from 900 to 129600/],
  ];
  for (const [argv, message] of cases) {
    assert.throws(
      () => parseKeys(argv),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      argv.join(" "),
    );
  }
});

Deno.test("keysHookOf() recognises every line hookLine() writes, and only plain ones", () => {
  const hooks = [
    { profile: "dev", store: "pass" as const, session: true },
    { profile: "prod-eu@1", store: "file" as const, session: false },
    { profile: "ci", session: true, durationSeconds: 3600 },
  ];
  for (const hook of hooks) {
    for (const program of ["aec", "/usr/local/bin/aec", "/home/a b/.deno/bin/aec"]) {
      const line = hookLine(program, hook);
      assert.deepEqual(keysHookOf(line, "linux"), hook, line);
    }
  }
  assert.equal(
    hookLine("/home/a b/bin/aec", hooks[0]!),
    '"/home/a b/bin/aec" keys credential-process --store pass dev',
  );
  for (
    const line of [
      "aec --profile dev --json",
      "other keys credential-process dev",
      "aec keys credential-process dev; rm -rf ~",
      "aec keys credential-process $PROFILE",
      "aec keys credential-process 'dev'",
      "aec keys credential-process --store nowhere dev",
      "aec keys credential-process dev other",
      "aec keys add dev",
      "/opt/my\\ aec/aec keys credential-process dev",
    ]
  ) {
    assert.equal(keysHookOf(line, "linux"), undefined, line);
  }
  // Backslashes separate folders on Windows, and escape on POSIX.
  const windows = '"C:\\Program Files\\aec\\aec.exe" keys credential-process --store wincred dev';
  assert.deepEqual(keysHookOf(windows, "windows"), {
    profile: "dev",
    store: "wincred",
    session: true,
  });
  assert.equal(keysHookOf(windows, "linux"), undefined);
  assert.ok(isHookProgram("C:\\Users\\me\\bin\\aec.exe", "windows"));
  assert.ok(!isHookProgram("/usr/bin/deno", "linux"));
});

Deno.test("parseHookArgs() takes the store, the session choice and one profile", () => {
  assert.deepEqual(parseHookArgs(["--no-session", "dev"]), { profile: "dev", session: false });
  assert.throws(() => parseHookArgs(["--no-session", "--duration", "900", "dev"]), UsageError);
  assert.throws(() => parseHookArgs(["--store", "file", "--store", "pass", "dev"]), /twice/);
});

Deno.test("chooseStore() takes --store, then AEC_KEY_STORE, then the settings, then the system's", () => {
  const settings = [{ value: "pass", from: "the aec_key_store setting of profile dev" }];
  assert.equal(chooseStore("file", { AEC_KEY_STORE: "pass" }, settings).name, "file");
  assert.equal(chooseStore(undefined, { AEC_KEY_STORE: "1password" }, settings).name, "1password");
  assert.deepEqual(chooseStore(undefined, {}, settings), {
    name: "pass",
    from: "the aec_key_store setting of profile dev",
  });
  assert.equal(chooseStore(undefined, {}, [], "darwin").name, "keychain");
  assert.equal(defaultStoreName("windows"), "wincred");
  assert.equal(defaultStoreName("linux"), "secret-service");
  // A setting naming no store is a configuration problem (exit 3), not a usage error.
  assert.throws(
    () => chooseStore(undefined, {}, [{ value: "vault", from: "a setting" }]),
    (error: unknown) => error instanceof CredentialError && !(error instanceof UsageError),
  );
});

Deno.test("decodeKeys() and keysProblem() accept long-term keys only", () => {
  assert.deepEqual(
    decodeKeys(
      '{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE","SecretAccessKey":"s3cr3t/x+y"}',
      "x",
    ),
    { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "s3cr3t/x+y" },
  );
  assert.throws(() => decodeKeys("not json", "the entry"), /the entry does not hold keys/);
  assert.match(
    keysProblem({ accessKeyId: "ASIAIOSFODNN7EXAMPLE", secretAccessKey: "s" })!,
    /temporary/,
  );
  assert.match(
    keysProblem({ accessKeyId: "wJalrXUtnFEMI/K7MDENG", secretAccessKey: "s" })!,
    /16 to 128/,
  );
  assert.match(
    keysProblem({ accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "a b" })!,
    /one word/,
  );
});

Deno.test("entryName() names entries without folders, and profileOfEntry() reads them back", () => {
  for (const profile of ["dev", "team/prod", "a:b", "x%y", "ünï"]) {
    assert.ok(!entryName(profile).includes("/"));
    assert.equal(profileOfEntry(entryName(profile)), profile);
  }
  assert.equal(entryName("team/prod"), "team%2Fprod");
  assert.equal(profileOfEntry("not%2fcanonical"), undefined);
});
