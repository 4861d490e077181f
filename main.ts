/**
 * aec: get AWS credentials from a profile and inject them into other programs.
 * The entry only wires argv to an action and an exit code.
 */

import { run } from "./lib/app.ts";
import { parseCli, wantsDebug } from "./lib/cli/mod.ts";
import { describeError, exitCodeFor } from "./lib/support/mod.ts";

export async function main(argv: string[]): Promise<number> {
  try {
    return await run(parseCli(argv));
  } catch (error) {
    // Not console.error: the SDK's console output is routed to --debug.
    Deno.stderr.writeSync(new TextEncoder().encode(describeError(error, wantsDebug(argv)) + "\n"));
    return exitCodeFor(error);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
