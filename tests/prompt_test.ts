import assert from "node:assert/strict";
import { askWithDialog, dialogCommands } from "../lib/prompt/dialog.ts";
import { commandWords, mfaProcessFor, runMfaProcess } from "../lib/prompt/mfa_process.ts";
import { noPromptFromEnvironment } from "../lib/prompt/no_prompt.ts";
import { CredentialError } from "../lib/support/errors.ts";
import { createLogger } from "../lib/support/log.ts";
import { shellQuote } from "./support/terminal.ts";

const WHAT = "mfa_process of profile p";

Deno.test("commandWords() splits at spaces; quotes keep text whole; backslashes stay", () => {
  assert.deepEqual(commandWords("ykman oath accounts code --single AWS", WHAT), [
    "ykman",
    "oath",
    "accounts",
    "code",
    "--single",
    "AWS",
  ]);
  assert.deepEqual(commandWords(`  op item get "AWS prod"  --otp `, WHAT), [
    "op",
    "item",
    "get",
    "AWS prod",
    "--otp",
  ]);
  assert.deepEqual(commandWords(`otp --name='a "b"' --x="c'd"`, WHAT), [
    "otp",
    `--name=a "b"`,
    `--x=c'd`,
  ]);
  assert.deepEqual(commandWords(String.raw`C:\Tools\ykman.exe "" x`, WHAT), [
    String.raw`C:\Tools\ykman.exe`,
    "",
    "x",
  ]);
});

Deno.test("commandWords() refuses shell syntax, an unclosed quote and an empty command", () => {
  for (const command of ["otp | head", "otp; rm x", "otp > f", "otp $HOME", "otp `x`", "a && b"]) {
    assert.throws(() => commandWords(command, WHAT), /runs without a shell/, command);
  }
  // Quoted, the same characters are plain text.
  assert.deepEqual(commandWords("otp '|' \"$HOME\"", WHAT), ["otp", "|", "$HOME"]);
  assert.throws(() => commandWords(`otp "AWS`, WHAT), /has an unclosed "/);
  assert.throws(() => commandWords("   ", WHAT), /is empty/);
  assert.throws(() => commandWords(`"" x`, WHAT), CredentialError);
});

Deno.test("mfaProcessFor() looks along the source chain, in profiles of the same serial or none", () => {
  const serial = "arn:aws:iam::1:mfa/a";
  const profiles = {
    role: { role_arn: "r", source_profile: "middle", mfa_serial: serial },
    middle: {
      role_arn: "m",
      source_profile: "keys",
      mfa_serial: "arn:aws:iam::1:mfa/other",
      mfa_process: "wrong",
    },
    keys: { aws_access_key_id: "k", mfa_process: "otp-code" },
    own: { role_arn: "o", source_profile: "keys", mfa_serial: serial, mfa_process: "own-code" },
    loop: { role_arn: "l", source_profile: "loop" },
  };
  assert.deepEqual(mfaProcessFor(profiles, "role", serial), {
    command: "otp-code",
    profile: "keys",
  });
  assert.deepEqual(mfaProcessFor(profiles, "own", serial), { command: "own-code", profile: "own" });
  assert.equal(mfaProcessFor(profiles, "loop", serial), undefined);
  assert.equal(mfaProcessFor(profiles, "constructor", serial), undefined);
});

Deno.test("dialogCommands() asks with zenity then kdialog on a Linux display, none without", () => {
  const question = "MFA code for <a&b>:";
  assert.deepEqual(dialogCommands(question, "linux", {}), []);
  assert.deepEqual(dialogCommands(question, "linux", { DISPLAY: ":0" }).map((c) => c.program), [
    "zenity",
    "kdialog",
  ]);
  const [zenity] = dialogCommands(question, "freebsd", { WAYLAND_DISPLAY: "wayland-0" });
  // zenity reads Pango markup: the question is escaped for it.
  assert.ok(zenity!.args.includes("--text=MFA code for &lt;a&amp;b&gt;:"), zenity!.args.join(" "));
});

/** Runs `body` with `dir` alone on this process's PATH, where dialogs are looked for. */
async function withPath(dir: string, body: () => Promise<void>) {
  const saved = Deno.env.get("PATH");
  Deno.env.set("PATH", dir);
  try {
    await body();
  } finally {
    if (saved === undefined) Deno.env.delete("PATH");
    else Deno.env.set("PATH", saved);
  }
}

/** A stand-in dialog in `dir`: it records its argv and environment and prints `answer`. */
async function standIn(dir: string, name: string, answer: string, status = 0) {
  const path = `${dir}/${name}`;
  const record = `${dir}/${name}.record`;
  await Deno.writeTextFile(
    path,
    `#!/bin/sh\n{ printf '%s\\n' "$@"; echo "question=$AEC_DIALOG_QUESTION"; } > ${
      shellQuote(record)
    }\nprintf '%s\\n' ${shellQuote(answer)}\nexit ${status}\n`,
  );
  await Deno.chmod(path, 0o755);
  return async () => (await Deno.readTextFile(record)).trimEnd().split("\n");
}

const posix = Deno.build.os !== "windows";

Deno.test({
  name: "askWithDialog() asks macOS through osascript, the question in argv, not in the script",
  ignore: !posix,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const recorded = await standIn(dir, "osascript", " 123456 ");
      await withPath(dir, async () => {
        const question = 'MFA code for "x" & y:';
        assert.deepEqual(await askWithDialog(question, {}, "darwin"), {
          kind: "answered",
          text: "123456",
          program: "osascript",
        });
        const argv = await recorded();
        assert.equal(argv.at(-2), question);
        const script = argv.slice(0, -2).filter((word) => word !== "-e");
        assert.deepEqual(script[0], "on run argv");
        assert.match(script[1]!, /display dialog \(item 1 of argv\) default answer "" with hidden/);
        assert.ok(!script.join("\n").includes(question));
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "askWithDialog() asks Windows through PowerShell, then pwsh; the question in a variable",
  ignore: !posix,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const recorded = await standIn(dir, "pwsh", "654321");
      await withPath(dir, async () => {
        // No `powershell` on this PATH: pwsh is next.
        const answer = await askWithDialog("MFA code for x:", {}, "windows");
        assert.deepEqual(answer, { kind: "answered", text: "654321", program: "pwsh" });
        const argv = await recorded();
        assert.deepEqual(argv.slice(0, 3), ["-NoProfile", "-NonInteractive", "-Command"]);
        assert.match(argv[3]!, /InputBox\(\$env:AEC_DIALOG_QUESTION, 'aec'\)/);
        assert.equal(argv.at(-1), "question=MFA code for x:");
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "askWithDialog() tells a cancelled or empty answer, and no dialog program at all",
  ignore: !posix,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await withPath(dir, async () => {
        assert.deepEqual(await askWithDialog("q", { DISPLAY: ":0" }, "linux"), { kind: "none" });
        await standIn(dir, "kdialog", "", 0);
        assert.deepEqual(await askWithDialog("q", { DISPLAY: ":0" }, "linux"), {
          kind: "cancelled",
          program: "kdialog",
          timedOut: false,
        });
        await standIn(dir, "zenity", "123456", 1);
        assert.deepEqual(await askWithDialog("q", { DISPLAY: ":0" }, "linux"), {
          kind: "cancelled",
          program: "zenity",
          timedOut: false,
        });
      });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("noPromptFromEnvironment() is on for AEC_NO_PROMPT set to anything but empty, 0 or false", () => {
  for (const value of ["1", "true", "yes", " on "]) {
    assert.equal(noPromptFromEnvironment({ AEC_NO_PROMPT: value }), true, value);
  }
  for (const value of [undefined, "", "0", "false", "FALSE", " "]) {
    assert.equal(noPromptFromEnvironment({ AEC_NO_PROMPT: value }), false, String(value));
  }
});

Deno.test("runMfaProcess() ends at its deadline even while a child it left holds its pipes", async () => {
  const dir = await Deno.makeTempDir();
  const left = `${dir}/left.pid`;
  // sh waits for its child; killed at the deadline, it leaves the child holding the pipes.
  const command = `sh -c ${shellQuote(`echo 123456; sleep 60 & echo $! > ${left}; wait`)}`;
  let bound: ReturnType<typeof setTimeout> | undefined;
  try {
    await assert.rejects(
      Promise.race([
        runMfaProcess({ command, profile: "p" }, "serial", createLogger(false), 500),
        new Promise((_, reject) => {
          bound = setTimeout(() => reject(new Error("still waiting after 15s")), 15_000);
        }),
      ]),
      /^CredentialError: mfa_process of profile p gave no code within 0.5s$/,
    );
  } finally {
    clearTimeout(bound);
    Deno.kill(Number(await Deno.readTextFile(left)), "SIGKILL");
    await Deno.remove(dir, { recursive: true });
  }
});
