/**
 * Writes exported credentials into a profile of the AWS shared credentials file
 * (`aec -c NAME`). The edit is minimal (see `ini.ts`), atomic (temporary file,
 * fsync, rename), keeps the file's mode, owner and symlink, and is serialized
 * across processes by a lock, so that concurrent aec runs writing different
 * profiles all land. `aec keys` edits the AWS files the same way (`editAwsFile`).
 */

import { dirname } from "node:path";
import {
  configSections,
  CREDENTIAL_SETTINGS,
  IniLayoutError,
  profileNameProblem,
  readIfPresent,
  readSectionKeys,
  updateSection,
} from "./config/mod.ts";
import { lockFile, readRegularFile, statRegularFile, writeFileAtomic } from "./files/mod.ts";
import { type Credentials, isoSeconds } from "./credentials.ts";
import { AecError, CredentialError, messageOf, UsageError } from "./errors.ts";

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

const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
// Fatal: rewriting bytes that are not UTF-8 would corrupt them. ignoreBOM keeps
// a byte order mark in the text, so that it is written back.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

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
    await editAwsFile(
      path,
      (text) => setCredentials(text, path, profile, credentials),
      options.lockTimeoutMs,
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
 * Replaces the AWS file at `path` with `edit` of its text ("" when it does not
 * exist yet), under a lock that serializes aec processes editing it: atomic,
 * keeping its mode, owner and symlink; created 0600 in a 0700 directory.
 * Nothing is written when `edit` returns the text unchanged.
 *
 * @throws {CredentialError} without changing the file if it is not a regular
 * file, is read-only (no owner write bit) or not UTF-8, has an owner the
 * process cannot give the new file, or is a symlink owned by another user
 * than its target's owner; if another process holds the lock past
 * `lockTimeoutMs` (10 s by default); or whatever `edit` throws.
 */
export async function editAwsFile(
  path: string,
  edit: (text: string) => string,
  lockTimeoutMs = DEFAULT_LOCK_TIMEOUT_MS,
): Promise<void> {
  const target = await resolveTarget(path);
  // Before anything is made beside it: a device or a FIFO stays untouched.
  await statRegularFile(target);
  await refuseForeignLink(path, target);
  await Deno.mkdir(dirname(target), { recursive: true, mode: 0o700 });
  const lockPath = `${target}.lock`;
  using lock = await lockFile(lockPath, lockTimeoutMs, path);
  await shareLock(lock, lockPath, target);
  const existing = await readExisting(target, path);
  const text = existing?.text ?? "";
  const edited = edit(text);
  if (existing !== undefined && edited === text) return;
  await writeFileAtomic(target, edited, {
    mode: existing?.mode ?? 0o600,
    owner: existing?.owner,
    // Under the lock, any temporary file is a killed writer's.
    leftoverAgeMs: 0,
  });
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

/** The file to rewrite: the target of a symlink, so that the link stays a link. */
async function resolveTarget(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const link = await Deno.lstat(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  // Renaming over a dangling symlink would replace it with a regular file.
  if (link?.isSymlink) throw new CredentialError(`${path} is a symlink to a missing file`);
  return path;
}

/**
 * Refuses a symlink whose owner is not the owner of the file it points at:
 * root following a link a user planted (`~/.aws/credentials -> /etc/passwd`)
 * would rewrite a file that user could not.
 */
async function refuseForeignLink(path: string, target: string): Promise<void> {
  if (target === path || Deno.build.os === "windows") return;
  const [link, file] = await Promise.all([Deno.lstat(path), Deno.stat(target)]);
  if (link.isSymlink && link.uid !== file.uid) {
    throw new CredentialError(
      `${path} is a symlink owned by uid ${link.uid} to a file owned by uid ${file.uid}; ` +
        "aec does not write through it",
    );
  }
}

/**
 * Gives the lock file the owner of the credentials file, so that root writing a
 * user's file (`sudo aec -c`) leaves no lock that the user cannot open. Best
 * effort: whoever cannot do this cannot give the new file its owner either,
 * and is refused then.
 */
async function shareLock(lock: Deno.FsFile, lockPath: string, target: string): Promise<void> {
  const [lockInfo, info] = await Promise.all([lock.stat(), statRegularFile(target)]);
  if (!info || info.uid === null || info.gid === null) return;
  if (lockInfo.uid !== info.uid || lockInfo.gid !== info.gid) {
    // lchown: should the name have become a symlink since, only the link changes.
    const { promises } = await import("node:fs");
    await promises.lchown(lockPath, info.uid, info.gid).catch(() => {});
  }
}

/** `text` with `credentials` in profile `profile`, unless that holds long-term keys. */
function setCredentials(
  text: string,
  path: string,
  profile: string,
  credentials: Credentials,
): string {
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

/**
 * The file's text, mode and owner, or `undefined` when it does not exist.
 *
 * @throws {CredentialError} if the file cannot be rewritten as it is: not a
 * regular file, read-only (no owner write bit, which root would ignore), or
 * not UTF-8.
 */
async function readExisting(
  target: string,
  path: string,
): Promise<{ text: string; mode: number; owner?: { uid: number; gid: number } } | undefined> {
  const contents = await readRegularFile(target);
  if (contents === undefined) return undefined;
  const { bytes, info } = contents;
  const mode = (info.mode ?? 0o600) & 0o777;
  if ((mode & 0o200) === 0) {
    throw new CredentialError(
      `Refusing to rewrite ${path}: it is read-only (mode ${mode.toString(8)})`,
    );
  }
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch (error) {
    throw new CredentialError(`Refusing to rewrite ${path}: it is not valid UTF-8`, error);
  }
  const { uid, gid } = info;
  return uid === null || gid === null ? { text, mode } : { text, mode, owner: { uid, gid } };
}
