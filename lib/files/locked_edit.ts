/**
 * The edit of a text file that other programs read and other aec processes
 * may edit at once (the AWS credentials and config files): read, change, and
 * replace atomically (see `atomic_file.ts`), under a lock that serializes the
 * editors, keeping the file's mode, owner and symlink. Only regular files,
 * UTF-8 and writable by their owner, are edited.
 *
 * @module
 */

import { CredentialError } from "../support/mod.ts";
import { directoryOf, writeFileAtomic } from "./atomic_file.ts";
import { acquireLock } from "./lock_file.ts";
import { readRegularFile, statRegularFile } from "./regular_file.ts";

export interface LockedEditOptions {
  /** How long to wait for another process editing the file; 10 s by default. */
  lockTimeoutMs?: number;
  /** Read and compute the edit, but take no lock and write nothing. */
  dryRun?: boolean;
}

/** The file's text before and after an edit ("" for a missing file). */
export interface EditedText {
  before: string;
  after: string;
}

const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
// Fatal: rewriting bytes that are not UTF-8 would corrupt them. ignoreBOM keeps
// a byte order mark in the text, so that it is written back.
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Replaces the text of `path` with `edit(text)`, creating the file (0600) and
 * its directory (0700) if needed; a file whose text does not change is not
 * written. `edit` runs under the lock, so that it sees the latest text; what
 * it throws is thrown as it is, with the file unchanged.
 *
 * @throws {CredentialError} without changing the file if it is not a regular
 * file, is a dangling symlink or a symlink another user owns, is read-only
 * (no owner write bit) or not UTF-8, has an owner the process cannot give the
 * new file, or another process holds the lock past `lockTimeoutMs`.
 * @throws {Error} if reading or writing fails otherwise.
 */
export async function editTextFile(
  path: string,
  edit: (text: string) => string,
  options: LockedEditOptions = {},
): Promise<EditedText> {
  const target = await resolveTarget(path);
  // Before anything is made beside it: a device or a FIFO stays untouched.
  await statRegularFile(target);
  await refuseForeignLink(path, target);
  if (options.dryRun) {
    const before = (await readExisting(target, path))?.text ?? "";
    return { before, after: edit(before) };
  }
  await Deno.mkdir(directoryOf(target), { recursive: true, mode: 0o700 });
  const lockPath = `${target}.lock`;
  using lockFile = await lock(lockPath, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, path);
  await shareLock(lockFile, lockPath, target);
  const existing = await readExisting(target, path);
  const before = existing?.text ?? "";
  const after = edit(before);
  if (after !== before) {
    await writeFileAtomic(target, after, {
      mode: existing?.mode ?? 0o600,
      owner: existing?.owner,
      // Under the lock, any temporary file is a killed writer's.
      leftoverAgeMs: 0,
    });
  }
  return { before, after };
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

/** The lock that serializes the editors of `path` (see `lock_file.ts`). */
function lock(lockPath: string, timeoutMs: number, path: string): Promise<Deno.FsFile> {
  return acquireLock(lockPath, {
    timeoutMs,
    onTimeout: () =>
      new CredentialError(
        `Timed out after ${timeoutMs / 1000}s waiting for another process writing ${path} ` +
          `(lock file ${lockPath})`,
      ),
  });
}

/**
 * Gives the lock file the owner of the edited file, so that root writing a
 * user's file (`sudo aec -c`) leaves no lock that the user cannot open. Best
 * effort: whoever cannot do this cannot give the new file its owner either,
 * and is refused then.
 */
async function shareLock(lockFile: Deno.FsFile, lockPath: string, target: string): Promise<void> {
  const [lockInfo, info] = await Promise.all([lockFile.stat(), statRegularFile(target)]);
  if (!info || info.uid === null || info.gid === null) return;
  if (lockInfo.uid !== info.uid || lockInfo.gid !== info.gid) {
    // lchown: should the name have become a symlink since, only the link changes.
    const { promises } = await import("node:fs");
    await promises.lchown(lockPath, info.uid, info.gid).catch(() => {});
  }
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
