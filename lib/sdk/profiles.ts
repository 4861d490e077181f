/** The AWS config files as the SDK itself parses them (this loads the SDK's INI loader). */

import type { Profiles } from "../config/mod.ts";

/** Every profile, and every sso-session, of the config and credentials files. */
export async function readSdkProfiles(
  profile: string,
): Promise<{ profiles: Profiles; sessions: Profiles }> {
  const { parseKnownFiles, loadSsoSessionData } = await import("@smithy/shared-ini-file-loader");
  const [profiles, sessions] = await Promise.all([
    parseKnownFiles({ profile }),
    loadSsoSessionData(),
  ]);
  return { profiles, sessions };
}
