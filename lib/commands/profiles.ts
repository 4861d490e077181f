/** `aec profiles`: the profiles of the AWS files and their state, as a table or JSON. */

import { writeStdout } from "../output/mod.ts";
import { profilesListing } from "../profiles/mod.ts";
import { createLogger } from "../support/mod.ts";

export async function profilesCommand(options: { json: boolean; debug: boolean }): Promise<number> {
  const log = createLogger(options.debug);
  await writeStdout(await profilesListing(Deno.env.toObject(), log, options.json));
  return 0;
}
