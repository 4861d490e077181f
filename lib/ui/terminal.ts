/**
 * Asks the user on the controlling terminal, never on stdin, so that
 * `aec --json | …` and `--exec` with piped input keep their streams.
 */

import { CredentialError, ExitCode, InterruptedError } from "../support/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Terminal {
  input: Deno.FsFile;
  output: Deno.FsFile;
}

/** The controlling terminal (the console on Windows), or `undefined` when there is none. */
export function openTerminal(): Terminal | undefined {
  try {
    if (Deno.build.os === "windows") {
      return {
        input: Deno.openSync("CONIN$", { read: true }),
        output: Deno.openSync("CONOUT$", { write: true }),
      };
    }
    const tty = Deno.openSync("/dev/tty", { read: true, write: true });
    return { input: tty, output: tty };
  } catch {
    return undefined;
  }
}

async function readLine(input: Deno.FsFile): Promise<string | undefined> {
  const buffer = new Uint8Array(256);
  let line = "";
  while (!line.includes("\n")) {
    const n = await input.read(buffer);
    if (n === null) return line === "" ? undefined : line;
    line += decoder.decode(buffer.subarray(0, n));
    if (line.length > 1024) break;
  }
  return line.split(/\r?\n/)[0];
}

/**
 * Shows `question` on the terminal and returns the line typed, or
 * `undefined` when there is no terminal to ask on.
 */
export async function askOnTerminal(question: string): Promise<string | undefined> {
  const terminal = openTerminal();
  if (!terminal) return undefined;
  try {
    return await ask(terminal, question) ?? "";
  } finally {
    closeTerminal(terminal);
  }
}

/** Shows `question` and reads the line typed; `hidden` (naming the answer) shows nothing typed. */
async function ask(
  terminal: Terminal,
  question: string,
  hidden?: { what: string },
): Promise<string | undefined> {
  const show = async () => {
    await terminal.output.write(encoder.encode(question));
    return hidden ? await readHiddenLine(terminal, hidden.what) : await readLine(terminal.input);
  };
  // Raw before the question shows: what is typed once it shows is never echoed.
  return hidden ? await withRawMode(terminal, show) : await show();
}

export function closeTerminal(terminal: Terminal): void {
  terminal.input.close();
  if (terminal.output !== terminal.input) terminal.output.close();
}

/**
 * Runs `body` with the terminal in raw mode (no echo, no line editing, keys
 * as they are typed), and puts it back however `body` ends, a signal included.
 */
export async function withRawMode<T>(terminal: Terminal, body: () => Promise<T>): Promise<T> {
  terminal.input.setRaw(true);
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? [] : ["SIGTERM", "SIGHUP"];
  const restore = () => {
    try {
      terminal.input.setRaw(false);
    } catch {
      // The terminal may be gone (SIGHUP).
    }
  };
  const onSignal = () => {
    restore();
    Deno.exit(ExitCode.interrupted);
  };
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  try {
    return await body();
  } finally {
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
    restore();
  }
}

/**
 * Asks `question` on the terminal and returns the line typed, trimmed; with
 * `hidden`, nothing typed shows (for a secret or a passphrase). `what` names
 * the answer in errors ("the access key id"): no terminal (`otherwise` then
 * says what to do instead), nothing typed, Ctrl-C (exit 130).
 */
export async function promptOnTerminal(
  question: string,
  what: string,
  options: { hidden?: boolean; otherwise?: string } = {},
): Promise<string> {
  const terminal = openTerminal();
  if (!terminal) {
    throw new CredentialError(
      `${what.charAt(0).toUpperCase()}${what.slice(1)} is needed, but there is no terminal to ` +
        `ask on${options.otherwise ? `: ${options.otherwise}` : ""}`,
    );
  }
  try {
    const line = await ask(terminal, question, options.hidden ? { what } : undefined);
    const answer = line?.trim();
    if (!answer) throw new CredentialError(`Nothing was typed for ${what}`);
    return answer;
  } finally {
    closeTerminal(terminal);
  }
}

/** A line typed in raw mode, shown as nothing; Enter ends it, Ctrl-D with nothing typed too. */
async function readHiddenLine(terminal: Terminal, what: string): Promise<string | undefined> {
  const buffer = new Uint8Array(256);
  let line = "";
  try {
    for (;;) {
      const n = await terminal.input.read(buffer);
      if (n === null) return line === "" ? undefined : line;
      for (const char of decoder.decode(buffer.subarray(0, n), { stream: true })) {
        if (char === "\r" || char === "\n") return line;
        if (char === "\x03") throw new InterruptedError(`Typing ${what}`);
        if (char === "\x04" && line === "") return undefined;
        if (char === "\x7f" || char === "\b") line = line.slice(0, -1);
        else if (char === "\x15") line = "";
        else if (char >= " ") line += char;
        if (line.length > 4096) return line;
      }
    }
  } finally {
    await terminal.output.write(encoder.encode("\r\n"));
  }
}
