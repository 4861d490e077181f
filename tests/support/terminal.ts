/**
 * aec on a pseudo-terminal (util-linux `script`), driven as a person would:
 * wait for text to show, then type. POSIX-only; `noTerminal` tells why not.
 */

import { REPO_ROOT } from "./sandbox.ts";

async function has(command: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

/** Why terminal tests cannot run here, or `undefined` when they can. */
export const noTerminal: string | undefined = Deno.build.os === "windows"
  ? "no pseudo-terminal on Windows"
  : await has("script")
  ? undefined
  : "util-linux 'script' is not installed";

export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export interface TerminalSession {
  /** Resolves once the terminal has shown `text` (escape sequences and all). */
  waitFor(text: string): Promise<void>;
  type(keys: string): Promise<void>;
  /** Everything the terminal showed so far. */
  screen(): string;
  /** Waits for aec to end; its exit code. */
  exit(): Promise<number>;
}

/** `aec ARGS` as a command line. */
export function aecCommand(args: readonly string[]): string[] {
  return [Deno.execPath(), "run", "-A", "--quiet", `${REPO_ROOT}main.ts`, ...args];
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
