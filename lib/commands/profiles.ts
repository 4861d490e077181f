/** `aec profiles`: the profiles of the AWS files and their state, as a table or JSON. */

import { writeStdout } from "../output/mod.ts";
import { profilesTable, summarizeProfiles } from "../profiles/mod.ts";
import { createLogger } from "../support/mod.ts";

export async function profilesCommand(options: { json: boolean; debug: boolean }): Promise<number> {
  const { profiles, ssoSessions } = await summarizeProfiles(
    Deno.env.toObject(),
    createLogger(options.debug),
  );
  await writeStdout(
    options.json ? JSON.stringify(profiles, null, 2) + "\n" : profilesTable(profiles, ssoSessions),
  );
  return 0;
}
