/**
 * Builds aec's release archives with `deno compile`.
 *
 *   deno task compile [--all | --target TRIPLE...] [--out-dir DIR]
 *
 * For this machine's target (what someone building from source wants), every
 * target of scripts/targets.ts with --all (the release), or those named by
 * --target, it compiles main.ts with COMPILE_FLAGS (the permissions `deno task aec` has,
 * and only the npm packages aec imports), packs the binary with README.md and
 * LICENSE into `aec-<version>-<triple>.tar.gz` (`.zip` for Windows), all under
 * one `aec-<version>-<triple>/` folder, and writes SHA256SUMS (in sha256sum's
 * format) for the archives it built. The version is deno.json's. DIR defaults
 * to dist/ beside deno.json.
 *
 * `deno compile` needs the Deno runtime (denort) of each target: it takes it
 * from Deno's cache or downloads it from dl.deno.land. When that download
 * fails, the target is reported as `SKIPPED <triple>: <why>` and gets no
 * archive. `DENORT_BIN` (a runtime for this machine) is used for the host
 * target only; every other target gets its own runtime.
 *
 * The archives are written here in TypeScript (ustar + gzip; zip with
 * deflate), so building needs no tar or zip program and gives the same layout
 * on every OS.
 *
 * Exit status: 0 every target built; 1 a target failed; 2 bad arguments;
 * 3 none failed but some were skipped because their runtime could not be
 * downloaded.
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import denoConfig from "../deno.json" with { type: "json" };
import { archiveName, archiveRoot, type Target, TARGETS } from "./targets.ts";

const ROOT = new URL("../", import.meta.url);
const VERSION = denoConfig.version;

/**
 * The `deno compile` flags of a release: -A as `deno task aec` runs; lib/
 * whole, since lib/ imports some of its modules by computed specifiers (load()) that
 * compile cannot follow; and only the npm packages those modules reach
 * (without it every package of deno.lock would ship, the tests' ones too).
 */
export const COMPILE_FLAGS: readonly string[] = [
  "-A",
  "--include",
  "lib/",
  "--exclude-unused-npm",
];

const USAGE = `Usage: deno task compile [--all | --target TRIPLE...] [--out-dir DIR]

Builds this machine's target, or with --all every release target:
${TARGETS.map((target) => target.triple).join(", ")}
Exit status: 0 all built, 1 a target failed, 2 bad arguments,
3 some targets skipped because Deno could not download their runtime.
`;

export class UsageError extends Error {}

export interface Options {
  readonly targets: readonly Target[];
  readonly outDir: string;
  readonly help: boolean;
}

/** The command line's options; `host` is the triple of the machine it runs on. */
export function parseOptions(args: readonly string[], host: string): Options {
  const triples: string[] = [];
  let outDir = fileURLToPath(new URL("dist", ROOT));
  let help = false;
  let all = false;
  for (let i = 0; i < args.length; i++) {
    const [flag = "", inline] = args[i]!.split(/=(.*)/s, 2);
    const value = (): string => {
      const next = inline ?? args[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === "--target") triples.push(value());
    else if (flag === "--all" && inline === undefined) all = true;
    else if (flag === "--out-dir") outDir = value();
    else if ((flag === "--help" || flag === "-h") && inline === undefined) help = true;
    else throw new UsageError(`Unknown argument: ${args[i]}`);
  }
  if (help) return { targets: [], outDir, help };
  for (const triple of triples) {
    if (!TARGETS.some((target) => target.triple === triple)) {
      throw new UsageError(`Unknown target: ${triple}`);
    }
  }
  if (all && triples.length > 0) throw new UsageError("--all and --target cannot be used together");
  if (all) return { targets: TARGETS, outDir, help };
  if (triples.length > 0) {
    return { targets: TARGETS.filter((target) => triples.includes(target.triple)), outDir, help };
  }
  const native = TARGETS.find((target) => target.triple === host);
  if (native === undefined) {
    throw new UsageError(
      `This machine (${host}) is not a target of deno compile: use --target or --all`,
    );
  }
  return { targets: [native], outDir, help };
}

/** One file or folder of an archive; paths are `/`-separated, folders end in `/`. */
export type ArchiveEntry =
  | { readonly kind: "folder"; readonly path: string }
  | {
    readonly kind: "file";
    readonly path: string;
    readonly data: Uint8Array<ArrayBuffer>;
    readonly executable: boolean;
  };

function unixMode(entry: ArchiveEntry): number {
  return entry.kind === "file" && !entry.executable ? 0o644 : 0o755;
}

function contents(entry: ArchiveEntry): Uint8Array<ArrayBuffer> {
  return entry.kind === "file" ? entry.data : new Uint8Array();
}

async function compress(
  parts: Uint8Array<ArrayBuffer>[],
  format: CompressionFormat,
): Promise<Uint8Array<ArrayBuffer>> {
  return await new Response(new Blob(parts).stream().pipeThrough(new CompressionStream(format)))
    .bytes();
}

const encoder = new TextEncoder();

function tarHeader(entry: ArchiveEntry, size: number, mtime: Date): Uint8Array<ArrayBuffer> {
  const header = new Uint8Array(512);
  const put = (offset: number, length: number, text: string) => {
    const bytes = encoder.encode(text);
    if (bytes.length > length) throw new Error(`"${text}" does not fit in a tar header`);
    header.set(bytes, offset);
  };
  // Numbers are octal, zero-padded and NUL-terminated (the NUL is the zero fill).
  const octal = (offset: number, length: number, value: number) =>
    put(offset, length - 1, value.toString(8).padStart(length - 1, "0"));
  put(0, 100, entry.path);
  octal(100, 8, unixMode(entry));
  octal(108, 8, 0); // uid
  octal(116, 8, 0); // gid
  octal(124, 12, size);
  octal(136, 12, Math.floor(mtime.getTime() / 1000));
  put(156, 1, entry.kind === "file" ? "0" : "5");
  put(257, 8, "ustar\x0000");
  put(265, 32, "root");
  put(297, 32, "root");
  // The checksum is the byte sum of the header with its own field read as spaces.
  header.fill(0x20, 148, 156);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  put(148, 8, `${checksum.toString(8).padStart(6, "0")}\x00 `);
  return header;
}

/** A gzip-compressed ustar archive of the entries, in order. */
export async function tarGz(
  entries: readonly ArchiveEntry[],
  mtime: Date,
): Promise<Uint8Array<ArrayBuffer>> {
  const parts: Uint8Array<ArrayBuffer>[] = [];
  for (const entry of entries) {
    const data = contents(entry);
    // Contents are padded to whole 512-byte blocks.
    parts.push(tarHeader(entry, data.length, mtime), data, new Uint8Array(-data.length & 511));
  }
  parts.push(new Uint8Array(1024)); // the end: two zero blocks
  return await compress(parts, "gzip");
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** A zip archive of the entries, in order: files deflated, Unix modes kept. */
export async function zip(
  entries: readonly ArchiveEntry[],
  mtime: Date,
): Promise<Uint8Array<ArrayBuffer>> {
  const dosTime = (mtime.getUTCHours() << 11) | (mtime.getUTCMinutes() << 5) |
    (mtime.getUTCSeconds() >> 1);
  const dosDate = ((mtime.getUTCFullYear() - 1980) << 9) | ((mtime.getUTCMonth() + 1) << 5) |
    mtime.getUTCDate();
  const local: Uint8Array<ArrayBuffer>[] = [];
  const central: Uint8Array<ArrayBuffer>[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encoder.encode(entry.path);
    const data = contents(entry);
    const deflate = entry.kind === "file";
    const body = deflate ? await compress([data], "deflate-raw") : data;
    // Without zip64 every size and offset must fit in 32 bits.
    if (offset + body.length + 30 + name.length > 0xffffffff) {
      throw new Error("The archive is too large for zip without zip64");
    }
    // The fields local and central headers share, from "version needed" on.
    const common = new DataView(new ArrayBuffer(26));
    common.setUint16(0, 20, true); // version needed: 2.0, for deflate and folders
    common.setUint16(4, deflate ? 8 : 0, true);
    common.setUint16(6, dosTime, true);
    common.setUint16(8, dosDate, true);
    common.setUint32(10, crc32(data), true);
    common.setUint32(14, body.length, true);
    common.setUint32(18, data.length, true);
    common.setUint16(22, name.length, true);
    const shared = new Uint8Array(common.buffer);

    const header = new Uint8Array(30);
    new DataView(header.buffer).setUint32(0, 0x04034b50, true);
    header.set(shared, 4);
    local.push(header, name, body);

    const record = new Uint8Array(46);
    const view = new DataView(record.buffer);
    view.setUint32(0, 0x02014b50, true);
    view.setUint16(4, (3 << 8) | 20, true); // made by Unix, so the mode below is read
    record.set(shared, 6);
    // External attributes: the Unix mode and type on top, the DOS folder bit below.
    const type = entry.kind === "file" ? 0o100000 : 0o040000;
    view.setUint32(38, (type | unixMode(entry)) * 0x10000 + (deflate ? 0 : 0x10), true);
    view.setUint32(42, offset, true);
    central.push(record, name);

    offset += header.length + name.length + body.length;
  }
  const centralSize = central.reduce((sum, part) => sum + part.length, 0);
  const end = new Uint8Array(22);
  const view = new DataView(end.buffer);
  view.setUint32(0, 0x06054b50, true);
  view.setUint16(8, entries.length, true);
  view.setUint16(10, entries.length, true);
  view.setUint32(12, centralSize, true);
  view.setUint32(16, offset, true);
  return await new Blob([...local, ...central, end]).bytes();
}

/**
 * Why `deno compile` could not get a target's runtime, or undefined when it
 * failed for another reason. Deno reports every failure to download
 * `denort-<triple>.zip` with the cause "Setting up base binary.", followed by
 * deeper causes; the last one is the root (a DNS error, say).
 */
export function runtimeDownloadFailure(stderr: string): string | undefined {
  // The numbered causes, up to the blank line (a stack backtrace may follow).
  const causes = stderr.split(/^Caused by:$/m)[1]?.split(/\n\s*\n/)[0] ?? "";
  if (!/^\s*\d+: Setting up base binary\.$/m.test(causes)) return undefined;
  const rootCause = [...causes.matchAll(/^\s*\d+: (.*)$/gm)].at(-1)?.[1];
  const url = stderr.match(/https:\/\/\S+\/denort-[\w-]+\.zip/)?.[0];
  return `Deno could not download its runtime${url ? ` from ${url}` : ""}: ${rootCause}`;
}

type Outcome =
  | { readonly kind: "built"; readonly binaryBytes: number }
  | { readonly kind: "skipped"; readonly reason: string }
  | { readonly kind: "failed"; readonly reason: string };

async function build(target: Target, outDir: string, mtime: Date): Promise<Outcome> {
  const workDir = await Deno.makeTempDir({ prefix: "aec-compile-" });
  try {
    const binaryPath = join(workDir, target.binary);
    const env = Deno.env.toObject();
    // DENORT_BIN is a runtime for this machine: for another target deno compile
    // would fail (a Windows target) or silently pack the wrong architecture.
    if (target.triple !== Deno.build.target) delete env.DENORT_BIN;
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "compile",
        ...COMPILE_FLAGS,
        "--output",
        binaryPath,
        "--target",
        target.triple,
        "main.ts",
      ],
      cwd: fileURLToPath(ROOT),
      env: { ...env, NO_COLOR: "1" },
      clearEnv: true,
      stdout: "null",
    }).output();
    if (code !== 0) {
      const errors = new TextDecoder().decode(stderr);
      const reason = runtimeDownloadFailure(errors);
      return reason === undefined
        ? { kind: "failed", reason: `deno compile exited with ${code}:\n${errors.trimEnd()}` }
        : { kind: "skipped", reason };
    }

    const root = archiveRoot(VERSION, target);
    const binary = await Deno.readFile(binaryPath);
    const entries: ArchiveEntry[] = [
      { kind: "folder", path: `${root}/` },
      { kind: "file", path: `${root}/${target.binary}`, data: binary, executable: true },
    ];
    for (const name of ["README.md", "LICENSE"]) {
      const data = await Deno.readFile(new URL(name, ROOT));
      entries.push({ kind: "file", path: `${root}/${name}`, data, executable: false });
    }
    await Deno.writeFile(
      join(outDir, archiveName(VERSION, target)),
      target.archive === "zip" ? await zip(entries, mtime) : await tarGz(entries, mtime),
    );
    return { kind: "built", binaryBytes: binary.length };
  } catch (error) {
    return { kind: "failed", reason: String(error) };
  } finally {
    await Deno.remove(workDir, { recursive: true });
  }
}

async function sha256(path: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path)));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function main(args: readonly string[]): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(args, Deno.build.target);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`compile: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const { targets, outDir } = options;
  const sums = join(outDir, "SHA256SUMS");
  await Deno.mkdir(outDir, { recursive: true });
  // Nothing from an earlier run may pass for this run's output.
  for (const stale of ["SHA256SUMS", ...targets.map((target) => archiveName(VERSION, target))]) {
    await Deno.remove(join(outDir, stale)).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
  }
  if (Deno.env.get("DENORT_BIN") && targets.some((t) => t.triple === Deno.build.target)) {
    console.log(`Using DENORT_BIN as the runtime for ${Deno.build.target}`);
  }

  const mtime = new Date();
  const built: string[] = [];
  let skipped = 0;
  let failed = 0;
  for (const target of targets) {
    const outcome = await build(target, outDir, mtime);
    switch (outcome.kind) {
      case "built": {
        const name = archiveName(VERSION, target);
        built.push(name);
        console.log(
          `built ${target.triple}: ${join(outDir, name)} (binary: ${outcome.binaryBytes} bytes)`,
        );
        break;
      }
      case "skipped":
        skipped++;
        console.log(`SKIPPED ${target.triple}: ${outcome.reason}`);
        break;
      case "failed":
        failed++;
        console.log(`FAILED ${target.triple}: ${outcome.reason}`);
        break;
    }
  }

  if (built.length > 0) {
    const lines = await Promise.all(
      built.map(async (name) => `${await sha256(join(outDir, name))}  ${name}\n`),
    );
    await Deno.writeTextFile(sums, lines.join(""));
  }
  console.log(
    `Summary: ${built.length} built, ${skipped} skipped, ${failed} failed` +
      ` (of ${targets.length} targets, aec ${VERSION})` +
      (built.length > 0 ? `; checksums in ${sums}` : "; no archive, no SHA256SUMS"),
  );
  return failed > 0 ? 1 : skipped > 0 ? 3 : 0;
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
