/**
 * What aec hands over: credentials rendered in a format, and written into the
 * credentials file (`-c`); the other commands' tables and unified diffs. The
 * file writer imports node:path, so it is loaded only when a command writes.
 */

import { load } from "../support/mod.ts";
import type { WriteProfileOptions } from "./credentials_file.ts";

export * from "./columns.ts";
export * from "./formats.ts";
export * from "./stdout.ts";
export * from "./unified_diff.ts";
export type { WriteProfileOptions };

function credentialsFile() {
  return load<typeof import("./credentials_file.ts")>("output/credentials_file.ts");
}

/** See credentials_file.ts: writes `options.credentials` as a profile of the credentials file. */
export async function writeCredentialsProfile(options: WriteProfileOptions): Promise<void> {
  return await (await credentialsFile()).writeCredentialsProfile(options);
}

/** See credentials_file.ts: refuses a profile the config file would shadow. */
export async function refuseShadowedProfile(profile: string, configPath: string): Promise<void> {
  return await (await credentialsFile()).refuseShadowedProfile(profile, configPath);
}
