/**
 * Asks the user on the controlling terminal, never on stdin, so that
 * `aec --json | …` and `--exec` with piped input keep their streams.
 */

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
    await terminal.output.write(encoder.encode(question));
    return await readLine(terminal.input) ?? "";
  } finally {
    closeTerminal(terminal);
  }
}

export function closeTerminal(terminal: Terminal): void {
  terminal.input.close();
  if (terminal.output !== terminal.input) terminal.output.close();
}
