/**
 * End to end: aec reads and replaces only regular files. A FIFO, a device or a
 * directory in place of the config, credentials or cache file is refused at
 * once, exit 3 and one line, and left as it was.
 */

import assert from "node:assert/strict";
import { STATIC_CREDENTIALS, STATIC_KEY_ID, withSandbox } from "./support/sandbox.ts";

const posix = Deno.build.os !== "windows";
// Kills a run that hangs, as aec did reading a FIFO; a refusal takes a second.
const WATCHDOG_MS = 60_000;

async function mkfifo(path: string): Promise<void> {
  const { success } = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.ok(success, `mkfifo ${path} failed`);
}

Deno.test({
  name: "a FIFO as the config or credentials file is refused at once in every mode",
  ignore: !posix,
  fn: async () => {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const fifo = `${sandbox.home}/fifo`;
      await mkfifo(fifo);
      await Deno.symlink(fifo, `${sandbox.home}/link`);
      const modes = [
        ["--json"],
        ["--cache-file", `${sandbox.home}/cache.json`, "--json"],
        ["--exec", Deno.execPath(), "--version"],
        ["-c", "exported"],
        ["--imds", "127.0.0.1:0"],
      ];
      for (const variable of ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]) {
        for (const path of [fifo, `${sandbox.home}/link`]) {
          for (const mode of modes) {
            const result = await sandbox.run(["--profile", "base", ...mode], {
              env: { [variable]: path },
              signal: AbortSignal.timeout(WATCHDOG_MS),
            });
            const what = `${variable}=${path} ${mode.join(" ")}`;
            assert.equal(result.code, 3, `${what}: ${result.stderr}`);
            assert.equal(result.stdout, "", what);
            assert.equal(result.stderr, `aec: ${path} is a FIFO, not a regular file\n`, what);
          }
        }
      }
      assert.ok((await Deno.lstat(fifo)).isFifo);
      assert.deepEqual(
        (await Array.fromAsync(Deno.readDir(sandbox.home))).map((entry) => entry.name).sort(),
        [".aws", "fifo", "link"],
        "aec made a file beside the FIFO",
      );
    });
  },
});

Deno.test({
  name: "a directory as the config file is refused",
  ignore: !posix,
  fn: async () => {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const result = await sandbox.run(["--profile", "base", "--json"], {
        env: { AWS_CONFIG_FILE: sandbox.home },
      });
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stderr, `aec: ${sandbox.home} is a directory, not a regular file\n`);
    });
  },
});

Deno.test({
  name: "/dev/null as the config or credentials file reads as an empty file",
  ignore: !posix,
  fn: async () => {
    // The keys in both files, so that either one blanked leaves them.
    const config = `[profile base]\n${STATIC_CREDENTIALS.split("\n").slice(1).join("\n")}`;
    await withSandbox({ config, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      for (const variable of ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"]) {
        const result = await sandbox.run(
          ["--profile", "base", "--cache-file", `${sandbox.home}/cache.json`, "--json"],
          { env: { [variable]: "/dev/null" } },
        );
        assert.equal(result.code, 0, result.stderr);
        assert.equal(JSON.parse(result.stdout).AccessKeyId, STATIC_KEY_ID);
      }
    });
  },
});

Deno.test({
  name: "a FIFO or a directory as the cache file is refused at once, even with --refresh",
  ignore: !posix,
  fn: async () => {
    // A role, so that the credentials expire and would be saved.
    const config = "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
      "source_profile = base\n";
    await withSandbox({ config, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const fifo = `${sandbox.home}/fifo`;
      await mkfifo(fifo);
      const targets = [[fifo, "a FIFO"], [`${sandbox.home}/.aws`, "a directory"]];
      for (const [path, kind] of targets) {
        for (const refresh of [[], ["--refresh"]]) {
          const result = await sandbox.run(
            ["--profile", "admin", "--cache-file", path!, ...refresh, "--json"],
            { signal: AbortSignal.timeout(WATCHDOG_MS) },
          );
          assert.equal(result.code, 3, result.stderr);
          assert.equal(result.stdout, "");
          assert.equal(result.stderr, `aec: ${path} is ${kind}, not a regular file\n`);
        }
      }
      assert.ok((await Deno.lstat(fifo)).isFifo);
      assert.equal(sandbox.aws.requests.length, 0);
    });
  },
});
