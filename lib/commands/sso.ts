/**
 * `aec sso roles` and `aec sso populate`: an sso-session's accounts and
 * roles, listed, or written into the config file as one profile each.
 */

import type { SsoPopulateOptions, SsoRolesOptions } from "../options/mod.ts";
import { writeStdout } from "../output/mod.ts";
import { populateProfiles, rolesListing } from "../sso/mod.ts";
import { createLogger } from "../support/mod.ts";

export async function ssoRolesCommand(options: SsoRolesOptions): Promise<number> {
  const log = createLogger(options.debug);
  await writeStdout(await rolesListing(options, Deno.env.toObject(), log));
  return 0;
}

/** With `--dry-run`, the diff goes to stdout; what changed goes to stderr either way. */
export async function ssoPopulateCommand(options: SsoPopulateOptions): Promise<number> {
  const log = createLogger(options.debug);
  await writeStdout(await populateProfiles(options, Deno.env.toObject(), log));
  return 0;
}
