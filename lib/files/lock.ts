/** An exclusive lock between processes, held through a file beside what it guards. */

import { CredentialError } from "../errors.ts";

/**
 * An exclusive OS lock (flock on Unix, LockFileEx on Windows) on `lockPath`;
 * closing the returned file releases it. `what` names what is guarded, for
 * the timeout's message.
 *
 * Why this design: the OS releases the lock when its process dies, so a killed
 * aec never leaves a stale lock behind, which an O_EXCL lock file would need
 * racy stale detection for. A file that is replaced by rename cannot carry its
 * own lock: a waiter would then lock the old file. The lock file is never
 * deleted, since a waiter could hold a lock on a deleted one.
 *
 * @throws {CredentialError} when another process holds the lock past `timeoutMs`.
 */
export async function lockFile(
  lockPath: string,
  timeoutMs: number,
  what: string,
): Promise<Deno.FsFile> {
  const file = await openLockFile(lockPath);
  try {
    const deadline = Date.now() + timeoutMs;
    let delay = 5;
    // Polling tryLock, because a blocking lock() cannot be given up on a timeout.
    while (!await file.tryLock(true)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new CredentialError(
          `Timed out after ${timeoutMs / 1000}s waiting for another process writing ${what} ` +
            `(lock file ${lockPath})`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)));
      delay = Math.min(delay * 2, 100);
    }
    return file;
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * The lock file, created new when missing, never through a symlink: as root
 * (`sudo aec -c`), following one planted in the user's directory would create
 * or hand over a file anywhere.
 */
async function openLockFile(lockPath: string): Promise<Deno.FsFile> {
  try {
    // O_EXCL: fails on anything already there, a dangling symlink included.
    return await Deno.open(lockPath, { read: true, write: true, createNew: true, mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  if (!(await Deno.lstat(lockPath)).isFile) {
    throw new CredentialError(`${lockPath} is not a regular file; remove it and try again`);
  }
  return await Deno.open(lockPath, { read: true, write: true });
}
