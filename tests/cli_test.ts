import assert from "node:assert/strict";
import {
  type Cli,
  type Command,
  helpText,
  OPTIONS,
  optionsOf,
  type OptionSpec,
  parseCli,
  parseHostPort,
  scanOptions,
  spellings,
  type Subcommand,
  SUBCOMMANDS,
  wantsDebug,
} from "../lib/cli/parse.ts";
import { UsageError } from "../lib/support/errors.ts";

function options(cli: Cli) {
  if (cli.kind !== "run") throw new Error(`expected a run command, got ${cli.kind}`);
  return cli.options;
}

function rejects(argv: string[], message: RegExp) {
  assert.throws(() => parseCli(argv), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("parseCli() defaults to pretty credential_process JSON", () => {
  assert.deepEqual(options(parseCli([])), {
    mode: { kind: "print", format: "process", implicit: true },
    pretty: true,
    ensureTemporary: false,
    debug: false,
    ssoLogin: false,
    noPrompt: false,
    withRegion: false,
    noRegion: false,
    refresh: false,
    cliCache: true,
    mfaSession: { enabled: true, seconds: 28800 },
  });
});

Deno.test("parseCli() marks the default output as implicit, but not --pretty or --format", () => {
  assert.deepEqual(options(parseCli(["--pretty"])).mode, { kind: "print", format: "process" });
  assert.deepEqual(options(parseCli(["--format", "process"])).mode, {
    kind: "print",
    format: "process",
  });
  assert.deepEqual(options(parseCli(["--json"])).mode, { kind: "print", format: "process" });
});

Deno.test("parseCli() prints compact JSON for --json and indents it with --pretty", () => {
  assert.deepEqual(options(parseCli(["--json"])).pretty, false);
  assert.deepEqual(options(parseCli(["--json", "--pretty"])).pretty, true);
  assert.deepEqual(options(parseCli(["--format", "process", "--pretty"])).pretty, true);
});

Deno.test("parseCli() maps the seed's mode flags to the AWS CLI's format names", () => {
  assert.deepEqual(options(parseCli(["--env"])).mode, { kind: "print", format: "env-no-export" });
  assert.deepEqual(options(parseCli(["--env-export"])).mode, { kind: "print", format: "env" });
  for (const format of ["process", "env", "env-no-export", "powershell", "windows-cmd", "fish"]) {
    assert.deepEqual(options(parseCli(["--format", format])).mode, { kind: "print", format });
    assert.deepEqual(options(parseCli([`--format=${format}`])).mode, { kind: "print", format });
  }
});

Deno.test("parseCli() reads --profile, --region, --ensure-temporary and --debug", () => {
  assert.deepEqual(
    options(parseCli(["--profile", "dev", "--region=eu-west-1", "--ensure-temporary", "--debug"])),
    {
      mode: { kind: "print", format: "process", implicit: true },
      pretty: true,
      ensureTemporary: true,
      debug: true,
      ssoLogin: false,
      noPrompt: false,
      withRegion: false,
      noRegion: false,
      refresh: false,
      cliCache: true,
      mfaSession: { enabled: true, seconds: 28800 },
      profile: "dev",
      region: "eu-west-1",
    },
  );
});

Deno.test("parseCli() rejects --json with --env", () => {
  rejects(["--json", "--env"], /^--json and --env cannot be used together$/);
});

Deno.test("parseCli() rejects two output modes in any spelling", () => {
  rejects(["--format", "fish", "--env-export"], /--format and --env-export/);
  rejects(["--json", "--format", "process"], /--json and --format/);
  rejects(["--env", "--exec", "true"], /--env and --exec/);
});

Deno.test("parseCli() rejects unknown options, stray arguments and bad values", () => {
  rejects(["--bogus"], /^Unknown option '--bogus'$/);
  rejects(["-x"], /^Unknown option '-x'$/);
  rejects(
    ["stray"],
    /^Unexpected argument 'stray': to use profile stray, run 'aec --profile stray'/,
  );
  rejects(["--profile"], /^--profile needs a value$/);
  rejects(["--profile", "--json"], /^--profile needs a value$/);
  rejects(["--profile="], /^--profile needs a non-empty value$/);
  rejects(["--format", "yaml"], /^--format must be one of process, env, env-no-export/);
  rejects(["--json=yes"], /^--json does not take a value$/);
});

Deno.test("parseCli() gives everything after --exec to the command", () => {
  assert.deepEqual(options(parseCli(["--profile", "p", "--exec", "aws", "--profile", "x"])).mode, {
    kind: "exec",
    command: "aws",
    args: ["--profile", "x"],
    serve: false,
    profileFlag: "--profile",
  });
  assert.deepEqual(options(parseCli(["--exec", "aws", "s3", "ls", "--region", "eu-west-1"])).mode, {
    kind: "exec",
    command: "aws",
    args: ["s3", "ls", "--region", "eu-west-1"],
    serve: false,
  });
  assert.deepEqual(options(parseCli(["--exec", "--", "sh", "-c", "exit 7"])).mode, {
    kind: "exec",
    command: "sh",
    args: ["-c", "exit 7"],
    serve: false,
  });
  assert.deepEqual(options(parseCli(["--exec", "--", "--json"])).mode, {
    kind: "exec",
    command: "--json",
    args: [],
    serve: false,
  });
});

Deno.test("parseCli() reads the server modes and their addresses", () => {
  assert.deepEqual(options(parseCli(["--imds", "9911"])).mode, {
    kind: "imds",
    address: { hostname: "127.0.0.1", port: 9911 },
  });
  assert.deepEqual(options(parseCli(["--container", "0.0.0.0:0", "tok", "--debug"])), {
    mode: { kind: "container", address: { hostname: "0.0.0.0", port: 0 }, token: "tok" },
    pretty: false,
    ensureTemporary: false,
    debug: true,
    ssoLogin: false,
    noPrompt: false,
    withRegion: false,
    noRegion: false,
    refresh: false,
    cliCache: true,
    mfaSession: { enabled: true, seconds: 28800 },
  });
  assert.deepEqual(options(parseCli(["--container", "8080", "--profile", "p"])).mode, {
    kind: "container",
    address: { hostname: "127.0.0.1", port: 8080 },
  });
  assert.deepEqual(options(parseCli(["--serve", "--exec", "job"])).mode, {
    kind: "exec",
    command: "job",
    args: [],
    serve: true,
  });
});

Deno.test("parseCli() rejects servers with a cache, --serve without --exec, and bad addresses", () => {
  rejects(["--imds", "0", "--cache-file", "f"], /^--cache-file cannot be used with --imds$/);
  rejects(["--cache", "--container", "0"], /^--cache cannot be used with --container$/);
  rejects(["--cache", "--serve", "--exec", "x"], /^--cache cannot be used with --serve$/);
  rejects(["--serve", "--json"], /^--serve works only with --exec$/);
  rejects(["--imds", "0", "--json"], /^--imds and --json cannot be used together$/);
  rejects(["--container", "99999"], /^Invalid port in '99999'/);
});

Deno.test("parseCli() reads repeated --allow-host names for the servers, normalized", () => {
  assert.deepEqual(
    options(parseCli(["--imds", "0", "--allow-host", "Host.Docker.Internal.", "--allow-host=db"]))
      .allowedHosts,
    ["host.docker.internal", "db"],
  );
  assert.deepEqual(
    options(parseCli(["--allow-host", "my_service", "--container", "0"])).allowedHosts,
    ["my_service"],
  );
  assert.deepEqual(
    options(parseCli(["--allow-host", "gateway", "--serve", "--exec", "job"])).allowedHosts,
    ["gateway"],
  );
  assert.equal(options(parseCli(["--imds", "0"])).allowedHosts, undefined);
});

Deno.test("parseCli() rejects --allow-host without a server and with a bad name", () => {
  const onlyServers = /^--allow-host works only with --imds, --container or --serve$/;
  rejects(["--allow-host", "x"], onlyServers);
  rejects(["--allow-host", "x", "--json"], onlyServers);
  rejects(["--allow-host", "x", "--exec", "job"], onlyServers);
  for (const name of ["x:9911", "*", "*.example", "[::1]", "a..b", "-x=", "a b", "http://x"]) {
    rejects(
      ["--imds", "0", `--allow-host=${name}`],
      /^--allow-host takes a host name without a port/,
    );
  }
  rejects(["--imds", "0", "--allow-host"], /^--allow-host needs a value$/);
});

Deno.test("parseCli() reads --exec without a command as the user's shell", () => {
  for (const argv of [["--exec"], ["--exec", "--"], ["--profile", "dev", "--serve", "--exec"]]) {
    const mode = options(parseCli(argv)).mode;
    assert.equal(mode.kind, "exec");
    assert.ok(mode.kind === "exec" && mode.command === undefined && mode.args.length === 0);
  }
  rejects(["--exec", ""], /^--exec got an empty command name$/);
});

Deno.test("parseCli() notes a --profile among the command's words in any spelling aec reads", () => {
  const profileFlag = (...words: string[]) => {
    const mode = options(parseCli(["--exec", ...words])).mode;
    return mode.kind === "exec" ? mode.profileFlag : "not exec";
  };
  assert.equal(profileFlag("printenv", "AWS_REGION", "--profile", "role"), "--profile");
  assert.equal(profileFlag("aws", "--profile=role"), "--profile=role");
  assert.equal(profileFlag("aws", "--prof", "role"), "--prof");
  assert.equal(profileFlag("aws", "--pro=role"), "--pro=role");
  // Not aec's --profile: ambiguous, another option, a value, or after `--`.
  assert.equal(profileFlag("aws", "--pr", "role"), undefined);
  assert.equal(profileFlag("aws", "--pretty"), undefined);
  assert.equal(profileFlag("sh", "-c", "aws --profile role"), undefined);
  assert.equal(profileFlag("--", "aws", "--profile", "role"), undefined);
});

Deno.test("parseCli() rejects an option where the --exec command should be", () => {
  rejects(
    ["--profile", "x", "--exec", "--region", "eu-west-1", "--", "cmd"],
    /^'--region' after --exec is not a command: aec's options go before --exec, and -- before/,
  );
  rejects(["--exec", "-"], /^'-' after --exec is not a command/);
  // After `--`, the command is whatever it is named.
  assert.deepEqual(options(parseCli(["--exec", "--", "-x"])).mode, {
    kind: "exec",
    command: "-x",
    args: [],
    serve: false,
  });
});

Deno.test("parseCli() answers --help and --version before anything else runs", () => {
  assert.deepEqual(parseCli(["--profile", "x", "--version"]), { kind: "version" });
  assert.deepEqual(parseCli(["-h"]), { kind: "help" });
  assert.deepEqual(parseCli(["--json", "--help"]), { kind: "help" });
});

Deno.test("wantsDebug() ignores --debug that belongs to the --exec command", () => {
  assert.deepEqual(wantsDebug(["--debug", "--bogus"]), true);
  assert.deepEqual(wantsDebug(["--exec", "tool", "--debug"]), false);
});

Deno.test("parseHostPort() defaults to the loopback host", () => {
  assert.deepEqual(parseHostPort("9911"), { hostname: "127.0.0.1", port: 9911 });
  assert.deepEqual(parseHostPort("0"), { hostname: "127.0.0.1", port: 0 });
  assert.deepEqual(parseHostPort("80", "::1"), { hostname: "::1", port: 80 });
});

Deno.test("parseHostPort() reads a host and a port", () => {
  assert.deepEqual(parseHostPort("0.0.0.0:65535"), { hostname: "0.0.0.0", port: 65535 });
  assert.deepEqual(parseHostPort("localhost:1"), { hostname: "localhost", port: 1 });
  assert.deepEqual(parseHostPort("[::1]:8080"), { hostname: "::1", port: 8080 });
  assert.deepEqual(parseHostPort("[fd00:ec2::254]:80"), { hostname: "fd00:ec2::254", port: 80 });
});

Deno.test("parseHostPort() rejects bad input", () => {
  const cases: [string, RegExp][] = [
    ["", /^Invalid port in ''/],
    ["65536", /^Invalid port in '65536': expected an integer from 0 to 65535$/],
    ["-1", /^Invalid port/],
    ["8.5", /^Invalid port/],
    ["0x50", /^Invalid port/],
    [" 80", /^Invalid port/],
    ["localhost:", /^Invalid port/],
    ["localhost:http", /^Invalid port/],
    [":80", /^Missing host before the port in ':80'$/],
    ["::1:80", /^Invalid address '::1:80': put an IPv6 host in brackets/],
    ["[::1]", /^Invalid address '\[::1\]': expected \[IPV6\]:PORT/],
    ["[]:80", /^Invalid IPv6 address ''/],
    ["[localhost]:80", /^Invalid IPv6 address 'localhost'/],
    ["bad host:80", /^Invalid host 'bad host'/],
    ["-host:80", /^Invalid host '-host'/],
  ];
  for (const [value, message] of cases) {
    assert.throws(() => parseHostPort(value), (error: unknown) => {
      assert.ok(error instanceof UsageError, value);
      assert.match(error.message, message, value);
      return true;
    });
  }
});

Deno.test("parseCli() reads --completions SHELL and rejects other shells", () => {
  assert.deepEqual(parseCli(["--completions", "fish"]), { kind: "completions", shell: "fish" });
  rejects(["--completions", "tcsh"], /^--completions takes one of bash, zsh, fish, powershell/);
});

Deno.test("parseCli() reads aec login and aec logout with their own options", () => {
  assert.deepEqual(parseCli(["login", "--profile", "dev", "--use-device-code", "--no-browser"]), {
    kind: "login",
    options: { profile: "dev", debug: false, useDeviceCode: true, noBrowser: true },
  });
  assert.deepEqual(parseCli(["login", "--sso-session=corp", "--debug"]), {
    kind: "login",
    options: { ssoSession: "corp", debug: true, useDeviceCode: false, noBrowser: false },
  });
  assert.deepEqual(parseCli(["logout", "--all"]), {
    kind: "logout",
    options: { debug: false, all: true },
  });
  assert.equal(options(parseCli(["--profile", "p", "--sso-login"])).ssoLogin, true);
});

Deno.test("parseCli() rejects options that do not belong to login or logout", () => {
  rejects(["login", "--all"], /^Unknown option '--all' for aec login$/);
  rejects(["logout", "--no-browser"], /^Unknown option '--no-browser' for aec logout$/);
  rejects(["login", "--json"], /^Unknown option '--json' for aec login$/);
  rejects(
    ["login", "dev"],
    /^Unexpected argument 'dev' for aec login; to use profile dev, run 'aec login --profile dev'$/,
  );
  rejects(["profiles", "dev"], /^Unexpected argument 'dev' for aec profiles$/);
  rejects(["logout", "--all", "--profile", "p"], /^--all cannot be used with --profile$/);
  rejects(["login", "--profile"], /^--profile needs a value$/);
});

Deno.test("parseCli() reads the session options of the AWS CLI cache and MFA sessions", () => {
  const parsed = options(
    parseCli(["--no-cli-cache", "--no-mfa-session", "--mfa-session-duration", "36h"]),
  );
  assert.equal(parsed.cliCache, false);
  assert.deepEqual(parsed.mfaSession, { enabled: false, seconds: 129600 });
  rejects(["--mfa-session-duration", "37h"], /^--mfa-session-duration must be from 15m to 36h/);
});

Deno.test("parseCli() refuses a -c profile name that would not read back", () => {
  rejects(["-c", "a b"], /^Profile name "a b" would not read back as a profile: /);
  rejects(["--credentials-file-profile=x\ny"], /^Profile name "x\\ny" would not read back/);
  assert.deepEqual(options(parseCli(["-c", "team a b"])).mode, {
    kind: "credentials-file",
    profile: "team a b",
  });
});

Deno.test("parseCli() takes unique prefixes of long options, as argparse did", () => {
  assert.equal(options(parseCli(["--prof", "dev"])).profile, "dev");
  assert.deepEqual(options(parseCli(["--env-e"])).mode, { kind: "print", format: "env" });
  // An exact name wins over the longer names it begins.
  assert.deepEqual(options(parseCli(["--env"])).mode, { kind: "print", format: "env-no-export" });
  assert.deepEqual(options(parseCli(["--exe", "--", "make"])).mode, {
    kind: "exec",
    command: "make",
    args: [],
    serve: false,
  });
  assert.equal(options(parseCli(["--reg=eu-west-1", "--env"])).region, "eu-west-1");
  rejects(["--e"], /^Option '--e' is ambiguous: --ensure-temporary, --env, --env-export, --exec$/);
  rejects(["--c"], /^Option '--c' is ambiguous: .*--cache-file.*--cache\b/);
});

Deno.test("parseCli() suggests the closest option, and --profile for a bare word", () => {
  rejects(["--profle", "dev"], /^Unknown option '--profle'; did you mean --profile\?$/);
  rejects(["--jsno"], /^Unknown option '--jsno'; did you mean --json\?$/);
  rejects(["--zzzzzz"], /^Unknown option '--zzzzzz'$/);
  rejects(
    ["dev"],
    /^Unexpected argument 'dev': to use profile dev, run 'aec --profile dev' \(commands: login, logout, console/,
  );
  rejects(["logn"], /^Unknown command 'logn'; did you mean 'aec login'\?$/);
  rejects(
    ["login", "--profle", "x"],
    /^Unknown option '--profle' for aec login; did you mean --profile\?$/,
  );
  assert.deepEqual(parseCli(["login", "--use-dev"]), {
    kind: "login",
    options: { debug: false, useDeviceCode: true, noBrowser: false },
  });
});

Deno.test("parseCli() indents --format process as the AWS CLI does, and keeps --json compact", () => {
  assert.equal(options(parseCli(["--format", "process"])).pretty, true);
  assert.equal(options(parseCli(["--json"])).pretty, false);
});

Deno.test("parseCli() refuses --region and --with-region where no region can go", () => {
  rejects(
    ["--json", "--region", "eu-west-1"],
    /^--region has no effect on credential_process JSON/,
  );
  rejects(["--region", "eu-west-1"], /^--region has no effect on credential_process JSON/);
  rejects(["-c", "x", "--region", "eu-west-1"], /^--region has no effect on -c/);
  rejects(["--format", "process", "--with-region"], /^--with-region has no effect/);
  // It moves STS for GetSessionToken, so it does something there.
  assert.equal(
    options(parseCli(["--json", "--region", "eu-west-1", "--ensure-temporary"])).region,
    "eu-west-1",
  );
  assert.equal(options(parseCli(["--env", "--with-region"])).withRegion, true);
});

Deno.test("parseCli() reads --duration from 15m to 12h, and --no-region", () => {
  assert.equal(options(parseCli(["--duration", "2h"])).durationSeconds, 7200);
  assert.equal(options(parseCli(["--duration=900"])).durationSeconds, 900);
  assert.equal(options(parseCli([])).durationSeconds, undefined);
  rejects(["--duration", "10m"], /^--duration must be from 15m to 12h; got '10m'/);
  rejects(["--duration", "13h"], /^--duration must be from 15m to 12h/);
  rejects(["--duration", "soon"], /^--duration takes seconds or a length like 90m or 12h/);
  assert.equal(options(parseCli(["--env", "--no-region"])).noRegion, true);
  rejects(["--env", "--no-region", "--region", "eu-west-1"], /^--no-region cannot be used with/);
  rejects(["--env", "--no-region", "--with-region"], /^--no-region cannot be used with/);
});

const SUBCOMMAND_NAMES = Object.keys(SUBCOMMANDS) as Subcommand[];
const COMMANDS: Command[] = ["aec", ...SUBCOMMAND_NAMES];

/** The options a help text lists: the words that begin its indented lines. */
function listedOptions(help: string): string[] {
  return [...help.matchAll(/^ +(-[\w-]+(?:, -[\w-]+)*)/gm)].flatMap((match) =>
    match[1]!.split(", ")
  );
}

Deno.test("OPTIONS spells each option of a command once", () => {
  for (const command of COMMANDS) {
    const names = optionsOf(command).flatMap(spellings);
    assert.deepEqual(names, [...new Set(names)], command);
  }
  for (const spec of OPTIONS) assert.ok(spec.commands.length > 0, spec.name);
});

Deno.test("helpText() lists every option of each command, within 100 columns", () => {
  for (const command of SUBCOMMAND_NAMES) {
    const help = helpText(command);
    assert.deepEqual(listedOptions(help), optionsOf(command).flatMap(spellings), command);
    for (const line of help.split("\n")) assert.ok(line.length <= 100, line);
  }
  const help = helpText();
  const listed = new Set(listedOptions(help));
  for (const spec of OPTIONS) {
    for (const spelling of spellings(spec)) assert.ok(listed.has(spelling), spelling);
  }
  for (const command of SUBCOMMAND_NAMES) assert.match(help, new RegExp(`^  ${command} `, "m"));
  for (const line of help.split("\n")) assert.ok(line.length <= 100, line);
});

Deno.test("helpText() for a subcommand shows that command's options only", () => {
  const help = helpText("console");
  assert.match(help, /^aec console: open the AWS console/);
  assert.match(help, /--stdout/);
  for (const other of ["--json", "--exec", "--format", "--use-device-code", "--all"]) {
    assert.ok(!help.includes(other), other);
  }
});

Deno.test("parseCli() answers COMMAND --help, aec help and aec help COMMAND", () => {
  assert.deepEqual(parseCli(["help"]), { kind: "help" });
  for (const command of SUBCOMMAND_NAMES) {
    assert.deepEqual(parseCli(["help", command]), { kind: "help", command });
  }
  for (const command of ["login", "logout", "console", "profiles"] as const) {
    assert.deepEqual(parseCli([command, "--help"]), { kind: "help", command });
    assert.deepEqual(parseCli([command, "-h"]), { kind: "help", command });
  }
  rejects(["help", "consle"], /^Unknown command 'consle'; did you mean 'aec help console'\?$/);
  rejects(["help", "zzzzzz"], /^Unknown command 'zzzzzz' \(commands: login, logout, console/);
  rejects(["help", "login", "extra"], /^Unexpected argument 'extra' for aec help$/);
});

Deno.test("parseCli() takes -cNAME and -c=NAME, as argparse does", () => {
  for (const argv of [["-cdev"], ["-c=dev"], ["-c", "dev"], ["--credentials-file-profile=dev"]]) {
    assert.deepEqual(options(parseCli(argv)).mode, { kind: "credentials-file", profile: "dev" });
  }
  rejects(["-c="], /^--credentials-file-profile needs a non-empty value$/);
  rejects(["-hx"], /^Unknown option '-hx'$/);
});

Deno.test("parseCli() reads --cache-expiration-buffer as Python's int() did, sign included", () => {
  const buffer = (...argv: string[]) =>
    options(parseCli(["--cache", ...argv])).cache?.bufferMinutes;
  assert.equal(buffer("--cache-expiration-buffer", "+3"), 3);
  assert.equal(buffer("--cache-expiration-buffer=007"), 7);
  assert.equal(buffer("--cache-expiration-buffer=+0"), 0);
  rejects(["--cache", "--cache-expiration-buffer", "1.5"], /takes whole minutes; got '1.5'$/);
  rejects(
    ["--cache", "--cache-expiration-buffer", "-3"],
    /^--cache-expiration-buffer needs a value$/,
  );
});

Deno.test("parseCli() takes the last value of a repeated option, as argparse and the AWS CLI do", () => {
  assert.equal(options(parseCli(["--profile", "a", "--profile", "b"])).profile, "b");
  assert.equal(options(parseCli(["--prof=a", "--env", "--region", "x", "--reg", "y"])).region, "y");
  assert.deepEqual(options(parseCli(["-c", "a", "--credentials-file-profile", "b", "-cc"])).mode, {
    kind: "credentials-file",
    profile: "c",
  });
  assert.deepEqual(options(parseCli(["--format", "env", "--format", "fish"])).mode, {
    kind: "print",
    format: "fish",
  });
  assert.deepEqual(options(parseCli(["--container", "1", "tok", "--container", "2"])).mode, {
    kind: "container",
    address: { hostname: "127.0.0.1", port: 2 },
  });
  assert.deepEqual(options(parseCli(["--json", "--json", "--pretty", "--pretty"])).mode, {
    kind: "print",
    format: "process",
  });
  assert.deepEqual(parseCli(["console", "--duration", "1h", "--duration", "2h"]), {
    kind: "console",
    options: {
      stdout: false,
      ssoLogin: false,
      noPrompt: false,
      firefoxContainer: false,
      viaPortal: false,
      debug: false,
      durationSeconds: 7200,
    },
  });
  assert.deepEqual(parseCli(["login", "--profile", "a", "--profile", "b"]), {
    kind: "login",
    options: { profile: "b", debug: false, useDeviceCode: false, noBrowser: false },
  });
  // Two different output modes are still refused, however spelled.
  rejects(["--json", "--json", "--env"], /^--json and --env cannot be used together$/);
  rejects(["-c", "a", "--env-e"], /^-c and --env-export cannot be used together$/);
});

Deno.test("scanOptions() keeps every value of a repeatable option", () => {
  const specs: OptionSpec[] = [
    ...OPTIONS,
    {
      name: "--allow-host",
      value: { placeholder: "NAME", kind: "none" },
      repeatable: true,
      commands: ["aec"],
      help: "A host name",
    },
  ];
  const given = scanOptions("aec", ["--allow-host", "a", "--allow=b", "--json"], specs);
  assert.deepEqual(given.values("--allow-host"), ["a", "b"]);
  assert.equal(given.value("--allow-host"), "b");
  assert.deepEqual(given.mode, { name: "--json", spelled: "--json" });
  assert.throws(() => scanOptions("login", ["--allow-host", "a"], specs), UsageError);
});

Deno.test("parseCli() answers aws-vault's and granted's habits with the aec command line", () => {
  rejects(
    ["exec", "dev", "--", "aws", "s3", "ls"],
    /^Unknown command 'exec'; to run a command as profile dev, run 'aec --profile dev --exec -- aws s3 ls'$/,
  );
  rejects(
    ["exec", "dev", "sh", "-c", "echo $HOME"],
    /run 'aec --profile dev --exec -- sh -c 'echo \$HOME''$/,
  );
  rejects(
    ["exec", "--", "env"],
    /^Unknown command 'exec'; to run a command with a profile's credentials, run 'aec --exec -- env'$/,
  );
  rejects(["exec", "dev"], /run 'aec --profile dev --exec -- COMMAND \[ARGS\.\.\.\]'$/);
  rejects(
    ["exec", "dev", "--duration=1h", "--", "env"],
    /run 'aec --profile dev --exec -- COMMAND/,
  );
  rejects(
    ["dev", "--env-export"],
    /^Unexpected argument 'dev': to use profile dev, run 'aec --profile dev --env-export' \(commands: /,
  );
  rejects(
    ["--json", "dev"],
    /^Unexpected argument 'dev': to use profile dev, run 'aec --profile dev' /,
  );
});

Deno.test("parseCli() reads aec sso roles and populate, --region each time it is given", () => {
  assert.deepEqual(parseCli(["sso", "roles", "--json", "--sso-session", "corp"]), {
    kind: "sso-roles",
    options: { ssoSession: "corp", json: true, ssoLogin: false, debug: false },
  });
  assert.deepEqual(
    parseCli([
      "sso",
      "populate",
      "--region",
      "eu-west-1",
      "--region=prod-*=us-east-1",
      "--templ",
      "{account_id}.{role_name}",
      "--prune",
      "--dry-run",
      "--sso-login",
    ]),
    {
      kind: "sso-populate",
      options: {
        template: "{account_id}.{role_name}",
        regions: ["eu-west-1", "prod-*=us-east-1"],
        prune: true,
        dryRun: true,
        ssoLogin: true,
        debug: false,
      },
    },
  );
  assert.deepEqual(parseCli(["sso", "--help"]), { kind: "help", command: "sso" });
  assert.deepEqual(parseCli(["sso", "populate", "-h"]), { kind: "help", command: "sso" });
  assert.throws(
    () => parseCli(["sso", "roles", "--region", "x"]),
    /--region works only with aec sso populate/,
  );
  assert.throws(
    () => parseCli(["sso", "populate", "extra"]),
    /Unexpected argument 'extra' for aec sso/,
  );
});
