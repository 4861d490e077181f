/**
 * A separate aec-like writer for the concurrency test:
 * `deno run -A write_profile.ts PATH PROFILE` prints `ready`, waits for a line
 * on stdin so that every writer starts at once, then writes
 * `credentialsFor(PROFILE)` into profile PROFILE of PATH.
 */

import type { Credentials } from "../../lib/support/credentials.ts";
import { writeCredentialsProfile } from "../../lib/output/credentials_file.ts";
import { describeError, exitCodeFor } from "../../lib/support/errors.ts";

/** Distinct temporary credentials for each profile. */
export function credentialsFor(profile: string): Credentials {
  return {
    accessKeyId: `ASIA${profile.toUpperCase()}`,
    secretAccessKey: `secret/${profile}+`,
    sessionToken: `token/${profile}==`,
    expiration: new Date("2030-01-02T03:04:05Z"),
  };
}

if (import.meta.main) {
  const [path, profile] = Deno.args;
  if (path === undefined || profile === undefined) {
    console.error("usage: write_profile.ts PATH PROFILE");
    Deno.exit(2);
  }
  console.log("ready");
  await Deno.stdin.read(new Uint8Array(1));
  try {
    await writeCredentialsProfile({ path, profile, credentials: credentialsFor(profile) });
  } catch (error) {
    console.error(describeError(error, true));
    Deno.exit(exitCodeFor(error));
  }
}
