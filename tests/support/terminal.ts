/**
 * Runs aec on a pseudo-terminal from util-linux `script`, as on a user's
 * terminal: stdin, stdout and stderr are the terminal, which is also aec's
 * controlling terminal. POSIX-only; tests ignore themselves without it.
 */

import { REPO_ROOT, type Sandbox } from "./sandbox.ts";

/** Whether `command ARGS` runs and succeeds: a tool a test needs. */
export async function runs(command: string, ...args: string[]): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, { args, stdout: "null", stderr: "null" })
      .output();
    return success;
  } catch {
    return false;
  }
}

/** Whether util-linux `script` is here (macOS's BSD `script` takes other flags). */
export const hasScript = Deno.build.os !== "windows" && await runs("script", "--version");

/** A word for `sh -c`, quoted. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
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
  const command = [Deno.execPath(), "run", "-A", "--quiet", `${REPO_ROOT}main.ts`, ...args]
    .map(shellQuote).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qefc", command, "/dev/null"],
    cwd: REPO_ROOT,
    env: { ...sandbox.env, ...env },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(typed));
  await writer.close();
  const { code, stdout } = await child.output();
  return { code, text: new TextDecoder().decode(stdout).replaceAll("\r\n", "\n") };
}
