/**
 * The command line: parsing argv into a typed command, usage and help, and
 * the shell completion scripts (loaded only for `--completions`).
 */

import { load } from "../support/mod.ts";
import type { Shell } from "./parse.ts";

export * from "./parse.ts";

/** The completion script for `shell`. */
export async function completionScript(shell: Shell): Promise<string> {
  const completions = await load<typeof import("./completions.ts")>("cli/completions.ts");
  return completions.completionScript(shell);
}
