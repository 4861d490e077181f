/**
 * Exclusive locks between aec processes: an OS lock (flock on Unix,
 * LockFileEx on Windows) on a lock file beside what it guards.
 *
 * Why this design: the OS releases the lock when its process dies, so a
 * killed aec never leaves a stale lock behind, which an O_EXCL lock file
 * would need racy stale detection (a pid, an age) for. The guarded file
 * itself cannot carry the lock when it is replaced by rename: a waiter would
 * then lock the old file. The lock file is never deleted, since a waiter
 * could hold a lock on a deleted one.
 *
 * @module
 */

import { CredentialError } from "../support/mod.ts";

/**
 * Waits until this process holds the lock on `lockPath` (made 0600 if
 * missing); closing the returned file releases it. `onWait` is called once
 * if another process holds it at first.
 *
 * @throws the error `onTimeout` makes when the lock is still held after `timeoutMs`.
 * @throws {CredentialError} when `lockPath` is not a regular file.
 */
export async function acquireLock(
  lockPath: string,
  options: { timeoutMs: number; onTimeout: () => Error; onWait?: () => void },
): Promise<Deno.FsFile> {
  const file = await openLockFile(lockPath);
  try {
    const deadline = Date.now() + options.timeoutMs;
    let delay = 5;
    // Polling tryLock, because a blocking lock() cannot be given up on a timeout.
    for (let waited = false; !await file.tryLock(true); waited = true) {
      if (!waited) options.onWait?.();
      const left = deadline - Date.now();
      if (left <= 0) throw options.onTimeout();
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
