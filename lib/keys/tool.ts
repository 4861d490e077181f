/**
 * Running the program a store is reached through (`pass`, `secret-tool`,
 * `security`, `op`, PowerShell). Secrets go to its stdin and come from its
 * stdout, never through its arguments, which every local user can read.
 *
 * @module
 */

import { CredentialError, firstLine } from "../support/mod.ts";
import type { StoreName } from "../options/mod.ts";
import type { Env } from "./store.ts";

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

// A store may wait for its user to unlock it (a passphrase, a fingerprint); not for ever.
const TOOL_TIMEOUT_MS = 120_000;
const decoder = new TextDecoder();

export interface ToolOptions {
  env: Env;
  /** Written to the program's stdin, then closed; without it, stdin is empty. */
  stdin?: string;
}

/**
 * Runs `program` (a path from `findProgram`) with `args` and returns
 * what it printed and its exit code; `store` names the store in errors.
 *
 * @throws {CredentialError} if it cannot be started, or runs past the timeout.
 */
export async function runTool(
  store: StoreName,
  program: string,
  args: readonly string[],
  options: ToolOptions,
): Promise<ToolResult> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env)) {
    // The file store's passphrase is for aec alone.
    if (value !== undefined && name !== "AEC_KEY_STORE_PASSPHRASE") env[name] = value;
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program, {
      args: [...args],
      env,
      clearEnv: true,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(TOOL_TIMEOUT_MS),
    }).spawn();
  } catch (error) {
    throw new CredentialError(`The ${store} store: could not run ${program}: ${firstLine(error)}`);
  }
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    // A program that exits without reading all of stdin is judged by its exit code.
    await writer.write(new TextEncoder().encode(options.stdin)).catch(() => {});
    await writer.close().catch(() => {});
  }
  const output = await child.output();
  if (output.signal === "SIGTERM") {
    throw new CredentialError(
      `The ${store} store did not answer within ${TOOL_TIMEOUT_MS / 1000}s (${program})`,
    );
  }
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/**
 * The error for a store program that failed: its last line on stderr (gpg's
 * verdict comes after its notes), or its exit code.
 */
export function toolFailure(store: StoreName, doing: string, result: ToolResult): CredentialError {
  const said = result.stderr.split("\n").map((line) => line.trim()).findLast(Boolean);
  return new CredentialError(
    `The ${store} store could not ${doing}: ${said ? firstLine(said) : `exit code ${result.code}`}`,
  );
}
