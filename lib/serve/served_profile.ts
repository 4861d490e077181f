/**
 * Private AWS files for the command of `--serve --exec`, so that it acts as
 * the served identity whatever the user's own files hold.
 *
 * Every SDK reads the shared config and credentials files before it asks a
 * container endpoint: a `[default]` profile with keys, a `credential_process`
 * or an `sso_session` would win over aec's endpoint. So the command gets
 * `AWS_PROFILE` naming a profile that has no credential settings at all, in a
 * private copy of the user's config file (the other profiles stay usable by
 * name); every SDK then falls through to the container endpoint. Variables
 * that SDKs also read before it (web identity, the boto2 and EC2 tools'
 * files) are cleared or pointed at nothing.
 *
 * @module
 */

import {
  configFilePath,
  CREDENTIAL_SETTINGS,
  type Profiles,
  type ProfileSettings,
  SERVED_PROFILE,
} from "../config/mod.ts";
import { CredentialError } from "../support/mod.ts";

// Settings that would make the served profile a credential source of its own
// or modify one; everything else of the profile (region, output, endpoints,
// retries) carries over.
const NOT_CARRIED =
  /^(?:aws_|sso_|role_|web_identity|credential_|login_|mfa_)|^(?:source_profile|external_id|duration_seconds)$/;

export interface ChildFiles {
  /** Variables that point the command at the private files. */
  variables: [string, string][];
  /** Removes the private files. */
  dispose(): Promise<void>;
}

/**
 * Writes the private config file for the command and returns the variables
 * that point the command at it.
 *
 * @throws {CredentialError} when the user's files already have a profile
 * named {@link SERVED_PROFILE}, or the config file cannot be read.
 */
export async function prepareChildFiles(
  profiles: Profiles,
  served: ProfileSettings | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ChildFiles> {
  if (Object.hasOwn(profiles, SERVED_PROFILE)) {
    throw new CredentialError(
      `--serve --exec runs the command as profile ${SERVED_PROFILE}, which your AWS files ` +
        "already define; rename that profile",
    );
  }
  const path = configFilePath(env);
  let config = "";
  try {
    config = await Deno.readTextFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new CredentialError(`Could not read ${path} to prepare the command's config`, error);
    }
  }
  const directory = await Deno.makeTempDir({ prefix: "aec-serve-" });
  try {
    const childConfig = `${directory}/config`;
    await Deno.writeTextFile(childConfig, servedConfig(config, served), { mode: 0o600 });
    return {
      variables: [
        ["AWS_CONFIG_FILE", childConfig],
        ["AWS_PROFILE", SERVED_PROFILE],
        // botocore reads credentials from a boto2 file before the endpoint;
        // pointing it at a file that does not exist skips /etc/boto.cfg and ~/.boto.
        ["BOTO_CONFIG", `${directory}/no-boto-config`],
      ],
      dispose: () => Deno.remove(directory, { recursive: true }),
    };
  } catch (error) {
    await Deno.remove(directory, { recursive: true }).catch(() => {});
    throw error;
  }
}

/** `config` with a section for {@link SERVED_PROFILE} appended: the served profile's settings, no credentials. */
function servedConfig(config: string, served: ProfileSettings | undefined): string {
  const lines = [`[profile ${SERVED_PROFILE}]`];
  for (const [key, value] of Object.entries(served ?? {})) {
    // Sub-section keys (`s3.max_concurrent_requests`) come flattened; leave them out.
    if (value === undefined || value === "" || key.includes(".") || /[\r\n]/.test(value)) continue;
    if (NOT_CARRIED.test(key.toLowerCase()) || CREDENTIAL_SETTINGS.includes(key.toLowerCase())) {
      continue;
    }
    lines.push(`${key} = ${value}`);
  }
  const separator = config === "" || config.endsWith("\n") ? "" : "\n";
  return `${config}${separator}\n${lines.join("\n")}\n`;
}
