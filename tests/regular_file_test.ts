import assert from "node:assert/strict";
import {
  NotRegularFileError,
  readRegularFile,
  refuseIrregularFile,
  statRegularFile,
} from "../lib/files/regular_file.ts";

const posix = Deno.build.os !== "windows";

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aec-regular-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("statRegularFile() returns a regular file's info and nothing for a missing one", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/file`, "abc");
    assert.equal((await statRegularFile(`${dir}/file`))?.size, 3);
    assert.equal(await statRegularFile(`${dir}/missing`), undefined);
    // A path below a regular file is missing too.
    assert.equal(await statRegularFile(`${dir}/file/below`), undefined);
  });
});

Deno.test({
  name: "statRegularFile() follows a symlink to a regular file",
  ignore: !posix,
  fn: async () => {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/file`, "abc");
      await Deno.symlink(`${dir}/file`, `${dir}/link`);
      assert.equal((await statRegularFile(`${dir}/link`))?.size, 3);
    });
  },
});

Deno.test({
  name: "statRegularFile() refuses a FIFO and a directory",
  ignore: !posix,
  fn: async () => {
    await withTempDir(async (dir) => {
      const made = await new Deno.Command("mkfifo", { args: [`${dir}/fifo`] }).output();
      assert.ok(made.success);
      for (const [path, kind] of [[`${dir}/fifo`, "a FIFO"], [dir, "a directory"]] as const) {
        await assert.rejects(statRegularFile(path), (error: unknown) => {
          assert.ok(error instanceof NotRegularFileError);
          assert.equal(error.exitCode, 3);
          assert.equal(error.message, `${path} is ${kind}, not a regular file`);
          return true;
        });
      }
    });
  },
});

Deno.test({
  name: "statRegularFile() takes /dev/null for a missing file only when asked to",
  ignore: !posix,
  fn: async () => {
    assert.equal(await statRegularFile("/dev/null", { nullDevice: true }), undefined);
    await assert.rejects(
      statRegularFile("/dev/null"),
      NotRegularFileError,
      "/dev/null is a character device, not a regular file",
    );
    await assert.rejects(statRegularFile("/dev/zero", { nullDevice: true }), NotRegularFileError);
  },
});

Deno.test({
  name: "refuseIrregularFile() refuses only what is not a regular file",
  ignore: !posix,
  fn: async () => {
    await withTempDir(async (dir) => {
      await refuseIrregularFile(`${dir}/missing`);
      await assert.rejects(refuseIrregularFile(dir), NotRegularFileError);
      // Failures to stat (here a symlink loop) are left to whatever reads the file.
      await Deno.symlink(`${dir}/a`, `${dir}/b`);
      await Deno.symlink(`${dir}/b`, `${dir}/a`);
      await assert.rejects(Deno.stat(`${dir}/a`));
      await refuseIrregularFile(`${dir}/a`);
    });
  },
});

Deno.test("readRegularFile() reads a whole file, or nothing for a missing one", async () => {
  await withTempDir(async (dir) => {
    const bytes = Uint8Array.from({ length: 100_000 }, (_, index) => index % 251);
    await Deno.writeFile(`${dir}/file`, bytes);
    const contents = await readRegularFile(`${dir}/file`);
    assert.deepEqual(contents?.bytes, bytes);
    assert.equal(contents?.info.size, bytes.length);
    assert.equal(await readRegularFile(`${dir}/missing`), undefined);
  });
});

Deno.test({
  name: "readRegularFile() reads past the size a file reports",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    // Files of /proc report a size of 0.
    const contents = await readRegularFile("/proc/self/status");
    assert.equal(contents?.info.size, 0);
    assert.match(new TextDecoder().decode(contents?.bytes), /^Name:.*\n[^]*\nPid:/);
    assert.equal(await readRegularFile("/proc/self/status", { limit: 10 }), "too large");
  },
});

Deno.test("readRegularFile() reads a file of exactly the limit, and one byte more is too large", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeFile(`${dir}/file`, new Uint8Array(10).fill(65));
    const contents = await readRegularFile(`${dir}/file`, { limit: 10 });
    assert.ok(typeof contents === "object");
    assert.equal(new TextDecoder().decode(contents.bytes), "A".repeat(10));
    assert.equal(await readRegularFile(`${dir}/file`, { limit: 9 }), "too large");
  });
});

Deno.test("readRegularFile() tells a huge file is too large without reading it", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/huge`;
    // Sparse: 1 TiB that takes no space, and that no process could hold.
    using file = await Deno.open(path, { write: true, create: true });
    await file.truncate(2 ** 40);
    assert.equal(await readRegularFile(path, { limit: 64 * 1024 }), "too large");
  });
});
