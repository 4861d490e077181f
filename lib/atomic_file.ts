/** Whole-file replacement that a crash or a concurrent reader never sees half done. */

const encoder = new TextEncoder();

/**
 * Writes `data` to a temporary file beside `path`, flushes it to disk and
 * renames it over `path`, so readers see the old file or the new one, never a
 * mix. The new file gets `mode` (ignored on Windows).
 */
export async function writeFileAtomic(path: string, data: string, mode: number): Promise<void> {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const directory = slash === -1 ? "." : path.slice(0, slash) || "/";
  const name = path.slice(slash + 1);
  const temporary = `${directory}/.${name}.${crypto.randomUUID()}.tmp`;
  try {
    const file = await Deno.open(temporary, { write: true, createNew: true, mode });
    try {
      const bytes = encoder.encode(data);
      for (let offset = 0; offset < bytes.length;) {
        offset += await file.write(bytes.subarray(offset));
      }
      // The mode given to open is masked by the umask; set it exactly.
      if (Deno.build.os !== "windows") await Deno.chmod(temporary, mode);
      await file.sync();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}
