/**
 * aec reads and replaces only regular files (or symlinks to them). A FIFO
 * would block it forever, a device would be replaced (or read without end),
 * so anything else is refused before it is opened.
 */

import { CredentialError } from "../support/mod.ts";

/** Something other than a regular file is where aec expected one. */
export class NotRegularFileError extends CredentialError {
  constructor(path: string, info: Deno.FileInfo) {
    super(`${path} is ${kindOf(info)}, not a regular file`);
  }
}

function kindOf(info: Deno.FileInfo): string {
  if (info.isDirectory) return "a directory";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice) return "a character device";
  if (info.isBlockDevice) return "a block device";
  if (info.isSocket) return "a socket";
  return "something else";
}

export interface StatOptions {
  /** Whether `/dev/null` counts as a missing file, for files that are only read. */
  nullDevice?: boolean;
  /** A larger file is refused: no file of its kind is that large. */
  maxSize?: number;
}

/** A file far larger than any of its kind, which aec will not read. */
export class FileTooLargeError extends CredentialError {
  constructor(path: string, size: number, maxSize: number) {
    super(
      `${path} is ${Math.round(size / 1048576)} MiB; aec reads files like it up to ` +
        `${Math.round(maxSize / 1048576)} MiB`,
    );
  }
}

/**
 * The info of the regular file at `path` (following symlinks), or `undefined`
 * when there is none: nothing at `path` or below it, or `/dev/null` if
 * `options.nullDevice` (people point a variable at it to blank a file).
 *
 * @throws {NotRegularFileError} if anything else is there.
 */
// Asynchronous for its callers, whose errors it rejects with; the work inside is not.
// deno-lint-ignore require-await
export async function statRegularFile(
  path: string,
  options: StatOptions = {},
): Promise<Deno.FileInfo | undefined> {
  let info: Deno.FileInfo;
  try {
    // Synchronous: the files are small, and each asynchronous call costs start-up time.
    info = Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
  if (info.isFile) {
    if (options.maxSize !== undefined && info.size > options.maxSize) {
      throw new FileTooLargeError(path, info.size, options.maxSize);
    }
    return info;
  }
  if (options.nullDevice && info.isCharDevice && Deno.realPathSync(path) === "/dev/null") {
    return undefined;
  }
  throw new NotRegularFileError(path, info);
}

/**
 * Like {@linkcode statRegularFile}, for a check before anything reads `path`:
 * only the refusal counts, any other failure to stat is left to the reader.
 */
export async function refuseIrregularFile(path: string, options: StatOptions = {}): Promise<void> {
  try {
    await statRegularFile(path, options);
  } catch (error) {
    if (error instanceof NotRegularFileError || error instanceof FileTooLargeError) throw error;
  }
}

/** A regular file's bytes and the info of the file they were read from. */
export interface RegularFileContents {
  bytes: Uint8Array;
  info: Deno.FileInfo;
}

export interface ReadOptions extends StatOptions {
  /** At most this many bytes are read; a larger file reads as `"too large"`. */
  limit?: number;
}

/**
 * The contents of the regular file at `path`, `undefined` when there is none
 * (see {@linkcode statRegularFile}), or `"too large"` when it holds more than
 * `options.limit` bytes, of which no more than that many are read.
 *
 * @throws {NotRegularFileError} if something else is there.
 */
export function readRegularFile(
  path: string,
  options: ReadOptions & { limit: number },
): Promise<RegularFileContents | "too large" | undefined>;
export function readRegularFile(
  path: string,
  options?: StatOptions,
): Promise<RegularFileContents | undefined>;
export async function readRegularFile(
  path: string,
  options: ReadOptions = {},
): Promise<RegularFileContents | "too large" | undefined> {
  const limit = options.limit ?? Infinity;
  // Stat first: opening a FIFO would block until a writer comes.
  const before = await statRegularFile(path, options);
  if (before === undefined) return undefined;
  if (before.size > limit) return "too large";
  using file = Deno.openSync(path, { read: true });
  // What was opened, in case the path changed since the stat.
  const info = file.statSync();
  if (!info.isFile) throw new NotRegularFileError(path, info);
  // One byte more than allowed tells a file that grew past the limit.
  let buffer = new Uint8Array(Math.min(info.size, limit) + 1);
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > limit) return "too large";
      const grown = new Uint8Array(Math.min(length * 2, limit + 1));
      grown.set(buffer);
      buffer = grown;
    }
    const read = file.readSync(buffer.subarray(length));
    if (read === null) break;
    length += read;
  }
  return { bytes: buffer.subarray(0, length), info };
}

/** A small JSON file aec can trust, or why not. */
export type TrustedJson = { ok: true; value: unknown } | { ok: false; why: string };

/**
 * The JSON in `path` if it is a regular file of at most `limit` bytes, owned
 * by this user, with none of the `forbiddenMode` bits (say, 0o022: writable
 * by others, who could have planted it); otherwise the reason it is not.
 */
export async function readTrustedJson(
  path: string,
  limit: number,
  forbiddenMode: number,
): Promise<TrustedJson> {
  let contents;
  try {
    contents = await readRegularFile(path, { limit });
  } catch (error) {
    return { ok: false, why: String(error) };
  }
  if (contents === undefined) return { ok: false, why: "no file" };
  if (contents === "too large") return { ok: false, why: `larger than ${limit} bytes` };
  const { info } = contents;
  if (Deno.build.os !== "windows") {
    if (info.mode !== null && (info.mode & forbiddenMode) !== 0) {
      return {
        ok: false,
        why: `mode ${(info.mode & 0o777).toString(8)} lets other users in; not trusted`,
      };
    }
    if (info.uid !== null && info.uid !== Deno.uid()) {
      return { ok: false, why: "owned by another user" };
    }
  }
  try {
    return { ok: true, value: JSON.parse(new TextDecoder().decode(contents.bytes)) };
  } catch {
    return { ok: false, why: "not valid JSON" };
  }
}
