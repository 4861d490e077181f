import assert from "node:assert/strict";
import { type Cli, parseCli, wantsDebug } from "../lib/cli.ts";
import { UsageError } from "../lib/errors.ts";

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
    mode: { kind: "print", format: "process" },
    pretty: true,
    ensureTemporary: false,
    debug: false,
  });
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
      mode: { kind: "print", format: "process" },
      pretty: true,
      ensureTemporary: true,
      debug: true,
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
  rejects(["stray"], /^Unexpected argument 'stray'$/);
  rejects(["--profile"], /^--profile needs a value$/);
  rejects(["--profile", "--json"], /^--profile needs a value$/);
  rejects(["--profile="], /^--profile needs a non-empty value$/);
  rejects(["--profile", "a", "--profile", "b"], /^--profile was given twice$/);
  rejects(["--format", "yaml"], /^--format must be one of process, env, env-no-export/);
  rejects(["--json=yes"], /^--json does not take a value$/);
});

Deno.test("parseCli() gives everything after --exec to the command", () => {
  assert.deepEqual(options(parseCli(["--profile", "p", "--exec", "aws", "--profile", "x"])).mode, {
    kind: "exec",
    command: "aws",
    args: ["--profile", "x"],
  });
  assert.deepEqual(options(parseCli(["--exec", "--", "sh", "-c", "exit 7"])).mode, {
    kind: "exec",
    command: "sh",
    args: ["-c", "exit 7"],
  });
  assert.deepEqual(options(parseCli(["--exec", "--", "--json"])).mode, {
    kind: "exec",
    command: "--json",
    args: [],
  });
});

Deno.test("parseCli() rejects --exec without a command", () => {
  rejects(["--exec"], /^--exec needs a command to run$/);
  rejects(["--exec", "--"], /^--exec needs a command to run$/);
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
