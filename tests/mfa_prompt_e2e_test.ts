/**
 * End to end: where an MFA code comes from when nobody is at a terminal, with
 * stand-in programs on PATH: a profile's `mfa_process`, then a desktop
 * dialog (zenity, kdialog); and `--no-prompt`, which asks nobody. POSIX-only
 * (shell-script stand-ins, `setsid`).
 */

import assert from "node:assert/strict";
import { GOOD_MFA_CODE } from "./support/fake_aws.ts";
import { type Sandbox, STATIC_KEY_ID, STATIC_SECRET, withSandbox } from "./support/sandbox.ts";
import { requires } from "./support/clients.ts";
import {
  NO_TERMINAL,
  runOnTerminal,
  runWithoutTerminal,
  shellQuote,
  TERMINAL,
} from "./support/terminal.ts";

const SERIAL = "arn:aws:iam::111122223333:mfa/alice";
const ROLE = `[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/admin\n` +
  `source_profile = base\nmfa_serial = ${SERIAL}\n`;
const CREDENTIALS = `[base]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
  `aws_secret_access_key = ${STATIC_SECRET}\n`;

/**
 * Writes program `name` into the sandbox's `bin`: it records its arguments,
 * one a line, in `~/NAME.argv`, runs `body` (sh), and exits with its status.
 */
async function standIn(sandbox: Sandbox, name: string, body: string): Promise<void> {
  const path = await sandbox.write(
    `bin/${name}`,
    `#!/bin/sh\nprintf '%s\\n' "$@" > ${shellQuote(`${sandbox.home}/${name}.argv`)}\n${body}\n`,
  );
  await Deno.chmod(path, 0o755);
}

async function argvOf(sandbox: Sandbox, name: string): Promise<string[]> {
  return (await Deno.readTextFile(`${sandbox.home}/${name}.argv`)).trimEnd().split("\n");
}

/** The sandbox's PATH with its `bin` first, or alone. */
function pathWithBin(sandbox: Sandbox, alone = false): string {
  return alone ? `${sandbox.home}/bin` : `${sandbox.home}/bin:${sandbox.env.PATH}`;
}

Deno.test({
  ...requires(
    "mfa_process gives the code, without a shell, under --no-prompt; the code never reaches stderr",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    await withSandbox({
      config: `${ROLE}mfa_process = otp-code --account 'AWS prod' "--single"\n`,
      credentials: CREDENTIALS,
    }, async (sandbox) => {
      await standIn(sandbox, "otp-code", `echo "touch your key" >&2\necho ${GOOD_MFA_CODE}`);
      const { code, stdout, stderr } = await runWithoutTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--debug", "--no-prompt"],
        { PATH: pathWithBin(sandbox) },
      );
      assert.equal(code, 0, stderr);
      assert.match(JSON.parse(stdout).AccessKeyId, /^ASIA/);
      assert.deepEqual(await argvOf(sandbox, "otp-code"), ["--account", "AWS prod", "--single"]);
      assert.deepEqual(
        sandbox.aws.requests.map((r) => [r.action, r.params.TokenCode]),
        [["GetSessionToken", GOOD_MFA_CODE], ["AssumeRole", undefined]],
      );
      assert.match(stderr, /asking mfa_process of profile mfa \(otp-code\)/);
      assert.ok(!stderr.includes(GOOD_MFA_CODE), `the code reached stderr: ${stderr}`);

      // The SDK's own role assumer (a code each time) does not show it either.
      const direct = await runWithoutTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--debug", "--no-mfa-session", "--no-cli-cache"],
        { PATH: pathWithBin(sandbox) },
      );
      assert.equal(direct.code, 0, direct.stderr);
      assert.equal(sandbox.aws.requests.at(-1)?.params.TokenCode, GOOD_MFA_CODE);
      assert.ok(
        !direct.stderr.includes(GOOD_MFA_CODE),
        `the code reached stderr: ${direct.stderr}`,
      );
    });
  },
});

Deno.test({
  ...requires(
    "mfa_process in the source profile serves a role with the same serial",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    await withSandbox({
      config: `${ROLE}[profile base]\nmfa_serial = ${SERIAL}\nmfa_process = otp-code\n`,
      credentials: CREDENTIALS,
    }, async (sandbox) => {
      await standIn(sandbox, "otp-code", `echo ${GOOD_MFA_CODE}`);
      const { code, stderr } = await runWithoutTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--no-mfa-session"],
        { PATH: pathWithBin(sandbox) },
      );
      assert.equal(code, 0, stderr);
      assert.deepEqual(
        sandbox.aws.requests.map((r) => [r.action, r.params.TokenCode]),
        [["AssumeRole", GOOD_MFA_CODE]],
      );
    });
  },
});

Deno.test({
  ...requires(
    "a failing, silent or shell-syntax mfa_process exits 3 in one line and calls no STS",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    const cases = [
      [
        "otp-code",
        "echo 'no YubiKey detected' >&2\nexit 1",
        "aec: mfa_process of profile mfa failed (exit 1): no YubiKey detected\n",
      ],
      ["otp-code", "true", "aec: mfa_process of profile mfa printed no MFA code\n"],
      [
        "otp-code",
        "echo 'code: 123456'",
        "aec: mfa_process of profile mfa printed something other than a 6-digit MFA code\n",
      ],
      [
        "otp-code | head -1",
        "",
        `aec: mfa_process of profile mfa runs without a shell, and "|" would mean something ` +
        "to one (quote it, or run a shell yourself: sh -c '…')\n",
      ],
      ["no-such-program", "", "aec: mfa_process of profile mfa: no-such-program was not found\n"],
    ];
    for (const [command, body, line] of cases) {
      await withSandbox({
        config: `${ROLE}mfa_process = ${command}\n`,
        credentials: CREDENTIALS,
      }, async (sandbox) => {
        await standIn(sandbox, "otp-code", body!);
        const result = await runWithoutTerminal(sandbox, ["--profile", "mfa", "--json"], {
          PATH: pathWithBin(sandbox),
        });
        assert.equal(result.stderr, line, command);
        assert.equal(result.stdout, "");
        assert.equal(result.code, 3);
        assert.equal(sandbox.aws.requests.length, 0);
      });
    }
  },
});

Deno.test({
  ...requires(
    "an mfa_process that exits leaving a child on its pipes is not waited for",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    const cases = [
      [`echo ${GOOD_MFA_CODE}`, ""],
      [
        "echo 'no YubiKey detected' >&2\nexit 1",
        "aec: mfa_process of profile mfa failed (exit 1): no YubiKey detected\n",
      ],
    ];
    for (const [body, line] of cases) {
      await withSandbox({
        config: `${ROLE}mfa_process = otp-code\n`,
        credentials: CREDENTIALS,
      }, async (sandbox) => {
        const left = `${sandbox.home}/left.pid`;
        // The child outlives the test's bound: waiting for the pipes' end would fail it.
        await standIn(
          sandbox,
          "otp-code",
          `sleep 60 &\necho $! > ${shellQuote(left)}\n${body}`,
        );
        try {
          const result = await runWithoutTerminal(sandbox, ["--profile", "mfa", "--json"], {
            PATH: pathWithBin(sandbox),
          }, 20_000);
          if (line) {
            assert.equal(result.stderr, line);
            assert.equal(result.code, 3);
          } else {
            assert.equal(result.code, 0, result.stderr);
            assert.equal(sandbox.aws.requests[0]?.params.TokenCode, GOOD_MFA_CODE);
          }
        } finally {
          Deno.kill(Number(await Deno.readTextFile(left)), "SIGKILL");
        }
      });
    }
  },
});

Deno.test({
  ...requires(
    "a failing mfa_process's stderr is quoted with its digits masked: no code reaches stderr",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    const cases = [
      [`echo 'touch your key' >&2\necho ${GOOD_MFA_CODE} >&2\nexit 1`, "######"],
      ["echo 'your code: 12 34 56, device 0' >&2\nexit 2", "your code: ## ## ##, device #"],
    ];
    for (const [body, shown] of cases) {
      await withSandbox({
        config: `${ROLE}mfa_process = otp-code\n`,
        credentials: CREDENTIALS,
      }, async (sandbox) => {
        await standIn(sandbox, "otp-code", body!);
        const result = await runWithoutTerminal(sandbox, ["--profile", "mfa", "--json"], {
          PATH: pathWithBin(sandbox),
        });
        assert.match(result.stderr, /^aec: mfa_process of profile mfa failed \(exit \d\): /);
        assert.ok(result.stderr.endsWith(`: ${shown}\n`), result.stderr);
        assert.ok(!result.stderr.includes(GOOD_MFA_CODE), result.stderr);
        assert.equal(result.code, 3);
        assert.equal(sandbox.aws.requests.length, 0);
      });
    }
  },
});

Deno.test({
  ...requires(
    "with no terminal, a zenity stand-in asks; the code comes back on its stdout, not argv",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    await withSandbox({ config: ROLE, credentials: CREDENTIALS }, async (sandbox) => {
      await standIn(sandbox, "zenity", `echo ${GOOD_MFA_CODE}`);
      const { code, stderr } = await runWithoutTerminal(sandbox, ["--profile", "mfa", "--json"], {
        PATH: pathWithBin(sandbox),
        DISPLAY: ":0",
      });
      assert.equal(code, 0, stderr);
      assert.deepEqual(await argvOf(sandbox, "zenity"), [
        "--entry",
        "--hide-text",
        "--title=aec",
        `--text=MFA code for ${SERIAL}:`,
      ]);
      assert.equal(sandbox.aws.requests[0]?.params.TokenCode, GOOD_MFA_CODE);
    });
  },
});

Deno.test({
  ...requires(
    "without zenity, kdialog asks; a cancelled dialog exits 3 and asks no other",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    await withSandbox({ config: ROLE, credentials: CREDENTIALS }, async (sandbox) => {
      await standIn(sandbox, "kdialog", `echo ${GOOD_MFA_CODE}`);
      // PATH holds the stand-ins only: no zenity anywhere.
      const env = { PATH: pathWithBin(sandbox, true), WAYLAND_DISPLAY: "wayland-0" };
      const asked = await runWithoutTerminal(sandbox, ["--profile", "mfa", "--json"], env);
      assert.equal(asked.code, 0, asked.stderr);
      assert.deepEqual(await argvOf(sandbox, "kdialog"), [
        "--title",
        "aec",
        "--password",
        `MFA code for ${SERIAL}:`,
      ]);

      await standIn(sandbox, "zenity", "exit 1");
      await Deno.remove(`${sandbox.home}/kdialog.argv`);
      // A code each time, and no cache: the dialog asks again.
      const cancelled = await runWithoutTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--no-mfa-session", "--no-cli-cache"],
        env,
      );
      assert.equal(cancelled.stderr, `aec: No MFA code was entered for ${SERIAL}\n`);
      assert.equal(cancelled.code, 3);
      assert.deepEqual(await argvOf(sandbox, "zenity"), [
        "--entry",
        "--hide-text",
        "--title=aec",
        `--text=MFA code for ${SERIAL}:`,
      ]);
      await assert.rejects(Deno.stat(`${sandbox.home}/kdialog.argv`), Deno.errors.NotFound);
    });
  },
});

Deno.test({
  ...requires(
    "--no-prompt never asks on a terminal: exit 3 at once, naming the command that fixes it",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox({ config: ROLE, credentials: CREDENTIALS }, async (sandbox) => {
      // Nothing typed: a prompt would wait for the end of input, then fail otherwise.
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--no-prompt"],
        "",
      );
      assert.equal(code, 3, text);
      assert.ok(!text.includes(`MFA code for ${SERIAL}: `), text);
      assert.match(
        text,
        new RegExp(
          `aec: An MFA code for ${SERIAL} is needed, and --no-prompt forbids asking ` +
            `\\(run 'aec --profile mfa' where you can type the code: its MFA session serves ` +
            "the next runs\\)",
        ),
      );
      assert.equal(sandbox.aws.requests.length, 0);
    });
  },
});

Deno.test({
  ...requires(
    "AEC_NO_PROMPT=1 opens no dialog either; without an MFA session it names mfa_process",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    await withSandbox({ config: ROLE, credentials: CREDENTIALS }, async (sandbox) => {
      await standIn(sandbox, "zenity", `echo ${GOOD_MFA_CODE}`);
      const result = await runWithoutTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--no-mfa-session"],
        { PATH: pathWithBin(sandbox), DISPLAY: ":0", AEC_NO_PROMPT: "1" },
      );
      assert.equal(
        result.stderr,
        `aec: An MFA code for ${SERIAL} is needed, and --no-prompt forbids asking ` +
          "(set mfa_process in profile mfa, or run without --no-prompt)\n",
      );
      assert.equal(result.code, 3);
      await assert.rejects(Deno.stat(`${sandbox.home}/zenity.argv`), Deno.errors.NotFound);
    });
  },
});
