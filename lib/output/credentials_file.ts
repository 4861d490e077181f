/**
 * Writes exported credentials into a profile of the AWS shared credentials file
 * (`aec -c NAME`). The edit is minimal (see `ini.ts`), atomic (temporary file,
 * fsync, rename), keeps the file's mode, owner and symlink, and is serialized
 * across processes by a lock, so that concurrent aec runs writing different
 * profiles all land (see `files/locked_edit.ts`).
 */

import {
  configSections,
  CREDENTIAL_SETTINGS,
  IniLayoutError,
  profileNameProblem,
  readIfPresent,
  readSectionKeys,
  updateSection,
} from "../config/mod.ts";
import { editTextFile } from "../files/mod.ts";
import {
  AecError,
  CredentialError,
  type Credentials,
  isoSeconds,
  messageOf,
  UsageError,
} from "../support/mod.ts";

export interface WriteProfileOptions {
  /** The shared credentials file. */
  path: string;
  /** The section to write the credentials into. */
  profile: string;
  credentials: Credentials;
  /** The profile the credentials come from; writing into it is refused. */
  sourceProfile?: string;
  /** How long to wait for another process writing the file; 10 s by default. */
  lockTimeoutMs?: number;
}

/**
 * Sets `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token` and
 * `aws_credential_expiration` in section `[profile]` of `path`, creating the
 * file (0600) and its directory (0700) if needed. The token and the expiration
 * are removed when the credentials have none.
 *
 * @throws {UsageError} if the AWS SDK for JavaScript or botocore would not
 * read section `[profile]` back as that profile (see `profileNameProblem`).
 * @throws {CredentialError} without changing the file if `profile` holds
 * long-term keys (a key id without a session token, as either reader sees
 * it), is `sourceProfile`, or is laid out so that the two readers would not
 * both read the edit (see `updateSection`); if the file is not a regular
 * file, is read-only (no owner write bit) or has an owner the process cannot
 * give the new file; if another process holds the lock past `lockTimeoutMs`;
 * or if reading or writing fails.
 */
export async function writeCredentialsProfile(options: WriteProfileOptions): Promise<void> {
  const { path, profile, credentials, sourceProfile } = options;
  const problem = profileNameProblem(profile);
  if (problem) throw new UsageError(problem);
  if (profile === sourceProfile) {
    throw new CredentialError(
      `Refusing to overwrite profile ${profile} with the credentials exported from it`,
    );
  }
  try {
    await editTextFile(
      path,
      (text) => edited(text, path, profile, credentials),
      options.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: options.lockTimeoutMs },
    );
  } catch (error) {
    if (error instanceof AecError) throw error;
    throw new CredentialError(
      `Could not write profile ${profile} to ${path}: ${messageOf(error)}`,
      error,
    );
  }
}

/**
 * Refuses to write `profile` when the config file gives it credential settings
 * of its own (keys, a role, SSO…): the keys `-c` writes would shadow them for
 * the SDK (which reads keys first) and, for keys, for the AWS CLI too.
 */
export async function refuseShadowedProfile(profile: string, configPath: string): Promise<void> {
  const config = await readIfPresent(configPath);
  const own = new Set(
    configSections(config, "profile", profile).flatMap(Object.keys)
      .map((key) => key.toLowerCase())
      .filter((key) => CREDENTIAL_SETTINGS.includes(key)),
  );
  if (own.size > 0) {
    throw new CredentialError(
      `Refusing to write profile ${profile}: its section in ${configPath} has credential ` +
        `settings of its own (${[...own].join(", ")}), which keys written by -c would shadow`,
      undefined,
      "write to another profile name",
    );
  }
}

/** The credentials file's text with the credentials in `profile` (under the lock). */
function edited(text: string, path: string, profile: string, credentials: Credentials): string {
  const set: Record<string, string> = {
    aws_access_key_id: credentials.accessKeyId,
    aws_secret_access_key: credentials.secretAccessKey,
  };
  const remove: string[] = [];
  if (credentials.sessionToken) set.aws_session_token = credentials.sessionToken;
  else remove.push("aws_session_token");
  if (credentials.expiration) set.aws_credential_expiration = isoSeconds(credentials.expiration);
  else remove.push("aws_credential_expiration");

  try {
    const keys = readSectionKeys(text, profile);
    // botocore reads `AWS_ACCESS_KEY_ID` as a key id, the SDK does not: either finding keys counts.
    if (keys && (isLongTerm(keys.sdk) || isLongTerm(keys.botocore))) {
      throw new CredentialError(
        `Refusing to overwrite long-term keys in profile ${profile} of ${path}: ` +
          "they may be the only copy of those keys",
        undefined,
        "write to another profile name; to export long-term keys as a session, " +
          "add --ensure-temporary",
      );
    }
    return updateSection(text, profile, set, remove);
  } catch (error) {
    if (!(error instanceof IniLayoutError)) throw error;
    throw new CredentialError(
      `Refusing to write profile ${profile} to ${path}: ${error.message}`,
      error,
    );
  }
}

function isLongTerm(keys: string[]): boolean {
  return keys.includes("aws_access_key_id") && !keys.includes("aws_session_token");
}
