/** `aec pick`: choose a profile in a fuzzy-searched list on the terminal. */

import { runPick } from "../profiles/mod.ts";
import { createLogger } from "../support/mod.ts";

export async function pickCommand(options: { debug: boolean }): Promise<number> {
  return await runPick(Deno.env.toObject(), createLogger(options.debug));
}
