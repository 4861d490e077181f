/**
 * aec on a pseudo-terminal from util-linux `script`, as on a user's terminal:
 * stdin, stdout and stderr are the terminal, which is also aec's controlling
 * terminal. Either all typed at once (`runOnTerminal`), or driven as a person
 * would: wait for text to show, then type (`startOnTerminal`). POSIX-only;
 * tests ignore themselves without it.
 */

import { command, POSIX } from "./clients.ts";
import { REPO_ROOT, type Sandbox } from "./sandbox.ts";
import { findProgram } from "../../lib/support/program_path.ts";

/**
 * What a terminal test needs, for `requires()`: util-linux `script` (BSD's,
 * on macOS, has no --version and other flags).
 */
export const TERMINAL = [POSIX, await command("script")] as const;

/** A word for `sh -c`, quoted. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `aec ARGS` as a command line. */
export function aecCommand(args: readonly string[]): string[] {
  return [Deno.execPath(), "run", "-A", "--quiet", `${REPO_ROOT}main.ts`, ...args];
}

/**
 * Runs `aec ARGS` on a pseudo-terminal whose keyboard types `typed`, with the
 * sandbox's environment and `env`; returns the exit code and everything the
 * terminal showed (stdout and stderr, with plain line ends).
 */
export async function runOnTerminal(
  sandbox: Sandbox,
  args: string[],
  typed: string,
  env: Record<string, string> = {},
): Promise<{ code: number; text: string }> {
  const session = startOnTerminal(aecCommand(args), { ...sandbox.env, ...env });
  await session.type(typed);
  const code = await session.exit();
  return { code, text: session.screen().replaceAll("\r\n", "\n") };
}

export interface TerminalSession {
  /** Resolves once the terminal has shown `text` (escape sequences and all). */
  waitFor(text: string): Promise<void>;
  type(keys: string): Promise<void>;
  /** Everything the terminal showed so far. */
  screen(): string;
  /** Waits for the command to end; its exit code. */
  exit(): Promise<number>;
}

/**
 * Starts `command` on a terminal with exactly `env`. With `stdoutFile`, its
 * stdout goes there and only what it draws on the terminal device shows.
 */
export function startOnTerminal(
  command: readonly string[],
  env: Record<string, string>,
  options: { stdoutFile?: string } = {},
): TerminalSession {
  let line = command.map(shellQuote).join(" ");
  if (options.stdoutFile) line += ` > ${shellQuote(options.stdoutFile)}`;
  const child = new Deno.Command("script", {
    args: ["-qefc", line, "/dev/null"],
    cwd: REPO_ROOT,
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const decoder = new TextDecoder();
  let shown = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  const reading = (async () => {
    for await (const chunk of child.stdout) {
      shown += decoder.decode(chunk, { stream: true });
      for (const waiter of waiters.filter((w) => shown.includes(w.text))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  })();
  return {
    waitFor(text) {
      if (shown.includes(text)) return Promise.resolve();
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      waiters.push({ text, resolve });
      // A test that waits for what never shows fails with the screen, not a hang.
      const timer = setTimeout(
        () => reject(new Error(`'${text}' never showed; the terminal shows:\n${shown}`)),
        30_000,
      );
      return promise.finally(() => clearTimeout(timer));
    },
    async type(keys) {
      await writer.write(new TextEncoder().encode(keys));
    },
    screen: () => shown,
    async exit() {
      await writer.close().catch(() => {});
      const { code } = await child.status;
      await reading;
      return code;
    },
  };
}

/** util-linux `setsid`, to run aec with no controlling terminal, if it is here. */
const setsid = Deno.build.os === "windows" ? undefined : findProgram("setsid", Deno.env.toObject());

/** What a test of aec without a terminal needs, for `requires()`: util-linux `setsid`. */
export const NO_TERMINAL = [
  POSIX,
  setsid === undefined ? { missing: "setsid is not installed" } : await command(setsid),
] as const;

/**
 * Runs `aec ARGS` detached from any terminal (`setsid`), as an IDE or a GUI
 * tool starts it, with the sandbox's environment and `env`; killed after
 * `timeoutMs` (a minute), should it wait for someone.
 */
export async function runWithoutTerminal(
  sandbox: Sandbox,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  // By its path: `env` may give aec a PATH without it.
  const output = await new Deno.Command(setsid!, {
    args: ["-w", ...aecCommand(args)],
    cwd: REPO_ROOT,
    env: { ...sandbox.env, ...env },
    clearEnv: true,
    stdin: "null",
    signal: AbortSignal.timeout(timeoutMs),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}
