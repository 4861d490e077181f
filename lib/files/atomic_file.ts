/** Whole-file replacement that a crash or a concurrent reader never sees half done. */

const encoder = new TextEncoder();
const isWindows = Deno.build.os === "windows";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface AtomicWriteOptions {
  /** The new file's mode (ignored on Windows). */
  mode: number;
  /** The new file's owner and group, when they may differ from the process's. */
  owner?: { uid: number; gid: number } | undefined;
  /**
   * Temporary files of earlier writes to `path` this old are removed first:
   * those of writes that were killed. 0 when a lock rules out a write in progress.
   */
  leftoverAgeMs: number;
}

/**
 * Writes `data` to a temporary file beside `path` (`.NAME.UUID.tmp`, 0600 from
 * creation, since it may hold secrets), flushes it to disk and renames it over
 * `path`, so readers see the old file or the new one, never a mix. The
 * directory is flushed too, so that the rename survives a power loss.
 *
 * @throws {Error} without touching `path` if the temporary file cannot be
 * given `options.owner` (only root may give a file away).
 */
export async function writeFileAtomic(
  path: string,
  data: string,
  options: AtomicWriteOptions,
): Promise<void> {
  const directory = directoryOf(path);
  const name = path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
  await removeLeftovers(directory, name, options.leftoverAgeMs);
  const temporary = `${directory}/.${name}.${crypto.randomUUID()}.tmp`;
  // Through the file descriptor, never by name: a name in a directory someone
  // else owns (root editing a user's file) could be swapped for a symlink, and
  // a chown or chmod by name would then change whatever it points at.
  const fs = await import("node:fs");
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  try {
    const fd = fs.openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | (O_NOFOLLOW ?? 0), 0o600);
    try {
      const bytes = encoder.encode(data);
      for (let offset = 0; offset < bytes.length;) {
        offset += fs.writeSync(fd, bytes, offset);
      }
      if (!isWindows) {
        const { owner } = options;
        const created = fs.fstatSync(fd);
        if (owner && (created.uid !== owner.uid || created.gid !== owner.gid)) {
          try {
            fs.fchownSync(fd, owner.uid, owner.gid);
          } catch (error) {
            throw new Error(
              `cannot keep its owner (uid ${owner.uid}, gid ${owner.gid}): ${
                (error as Error).message
              }`,
              { cause: error },
            );
          }
        }
        // After chown, which may clear set-id bits; and exact, unlike open's umasked mode.
        fs.fchmodSync(fd, options.mode);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
  // Best effort: the new file is in place, and a failure here is nothing to act on.
  if (!isWindows) {
    await Deno.open(directory, { read: true }).then((dir) => dir.sync().finally(() => dir.close()))
      .catch(() => {});
  }
}

/** The directory of `path`: what comes before its last `/` (or `\\`), else `.`. */
export function directoryOf(path: string): string {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return slash === -1 ? "." : path.slice(0, slash) || "/";
}

/**
 * Removes the temporary files that writes to `name` in `directory` left when
 * they were killed: only regular files named as this module names them, and
 * last modified at least `ageMs` ago.
 */
async function removeLeftovers(directory: string, name: string, ageMs: number): Promise<void> {
  const prefix = `.${name}.`;
  const cutoff = Date.now() - ageMs;
  try {
    for await (const { name: leftover } of Deno.readDir(directory)) {
      if (!leftover.startsWith(prefix) || !leftover.endsWith(".tmp")) continue;
      if (!UUID.test(leftover.slice(prefix.length, -".tmp".length))) continue;
      const path = `${directory}/${leftover}`;
      const info = await Deno.lstat(path).catch(() => undefined);
      if (info?.isFile && (info.mtime?.getTime() ?? Infinity) <= cutoff) {
        await Deno.remove(path).catch(() => {});
      }
    }
  } catch {
    // Best effort: a directory that cannot be listed does not stop the write.
  }
}
