/**
 * Asking in a desktop dialog, for an aec with no terminal (started by an
 * IDE, a GUI tool, or a `credential_process` of one): `zenity`, then
 * `kdialog`, on Linux with a display; `osascript` on macOS; a PowerShell
 * input box on Windows. The answer comes back on the dialog's stdout, never
 * through any process's arguments.
 *
 * @module
 */

import { CredentialError } from "../support/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

// Nobody answered: the dialog is closed rather than left to hang a caller.
const DIALOG_TIMEOUT_MS = 120_000;

/** A dialog program and how to ask with it. */
export interface DialogCommand {
  program: string;
  args: string[];
  /** Variables the program gets besides aec's environment. */
  env?: Record<string, string>;
}

// The question reaches PowerShell in a variable: no quoting of it into the script.
const POWERSHELL_SCRIPT = "Add-Type -AssemblyName Microsoft.VisualBasic; " +
  "[Microsoft.VisualBasic.Interaction]::InputBox($env:AEC_DIALOG_QUESTION, 'aec')";

// The question is the script's argument (`argv`), so that no text of it is read as AppleScript.
const APPLESCRIPT = [
  "on run argv",
  'text returned of (display dialog (item 1 of argv) default answer "" with hidden answer ' +
  'with title "aec")',
  "end run",
];

/** The dialogs that could ask `question` on `os`, in order; none on Linux without a display. */
export function dialogCommands(
  question: string,
  os: typeof Deno.build.os,
  env: Env,
): DialogCommand[] {
  switch (os) {
    case "darwin":
      return [{ program: "osascript", args: [...APPLESCRIPT.flatMap((l) => ["-e", l]), question] }];
    case "windows":
      return ["powershell", "pwsh"].map((program) => ({
        program,
        args: ["-NoProfile", "-NonInteractive", "-Command", POWERSHELL_SCRIPT],
        env: { AEC_DIALOG_QUESTION: question },
      }));
    default:
      if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return [];
      return [
        // zenity reads its text as Pango markup.
        {
          program: "zenity",
          args: ["--entry", "--hide-text", "--title=aec", `--text=${escapeMarkup(question)}`],
        },
        { program: "kdialog", args: ["--title", "aec", "--password", question] },
      ];
  }
}

function escapeMarkup(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** What a dialog gave: the text entered, nothing (cancelled, timed out), or no dialog at all. */
export type DialogAnswer =
  | { kind: "answered"; text: string; program: string }
  | { kind: "cancelled"; program: string; timedOut: boolean }
  | { kind: "none" };

/**
 * Asks `question` with the first dialog program of {@link dialogCommands}
 * that is installed. Cancelling it is an answer: no other dialog follows.
 */
export async function askWithDialog(
  question: string,
  env: Env,
  os: typeof Deno.build.os = Deno.build.os,
): Promise<DialogAnswer> {
  for (const { program, args, env: extra } of dialogCommands(question, os, env)) {
    const deadline = AbortSignal.timeout(DIALOG_TIMEOUT_MS);
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(program, {
        args,
        ...(extra ? { env: extra } : {}),
        stdin: "null",
        stdout: "piped",
        // GTK and Qt warnings, which are not aec's to show.
        stderr: "null",
        signal: deadline,
      }).output();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw new CredentialError(`The dialog program ${program} could not be run`, error);
    }
    const text = new TextDecoder().decode(output.stdout).trim();
    if (!output.success || text === "") {
      return { kind: "cancelled", program, timedOut: deadline.aborted };
    }
    return { kind: "answered", text, program };
  }
  return { kind: "none" };
}

/** How long a dialog waits for an answer, for messages. */
export const DIALOG_TIMEOUT_SECONDS = DIALOG_TIMEOUT_MS / 1000;
