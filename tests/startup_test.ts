/**
 * --version, --help and usage errors must not load any npm module. Running aec
 * with an empty Deno cache and --cached-only proves it: loading the SDK would
 * fail there, as the last test shows.
 */

import assert from "node:assert/strict";
import denoConfig from "../deno.json" with { type: "json" };
import { REPO_ROOT } from "./support/sandbox.ts";

async function runWithoutNpmCache(args: string[]) {
  const emptyCache = await Deno.makeTempDir({ prefix: "aec-empty-deno-dir-" });
  try {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", "--cached-only", `${REPO_ROOT}main.ts`, ...args],
      cwd: REPO_ROOT,
      env: { DENO_DIR: emptyCache, NO_COLOR: "1", HOME: emptyCache },
    }).output();
    const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
  } finally {
    await Deno.remove(emptyCache, { recursive: true });
  }
}

Deno.test("aec --version prints the version from deno.json without loading npm modules", async () => {
  const result = await runWithoutNpmCache(["--version"]);
  assert.equal(result.stdout, `${denoConfig.version}\n`);
  assert.equal(result.code, 0);
});

Deno.test("aec --help prints usage without loading npm modules", async () => {
  const result = await runWithoutNpmCache(["--help"]);
  assert.match(result.stdout, /^aec: get AWS credentials/);
  assert.match(result.stdout, /--exec \[--\] CMD/);
  assert.equal(result.code, 0);
});

Deno.test("aec --completions prints a script without loading npm modules", async () => {
  const result = await runWithoutNpmCache(["--completions", "bash"]);
  assert.match(result.stdout, /complete -F _aec aec/);
  assert.equal(result.code, 0);
});

Deno.test("aec COMMAND --help and aec help COMMAND print its options without loading npm modules", async () => {
  for (const args of [["console", "--help"], ["help", "console"]]) {
    const result = await runWithoutNpmCache(args);
    assert.match(result.stdout, /^aec console: /);
    assert.match(result.stdout, /--stdout/);
    assert.doesNotMatch(result.stdout, /--json/);
    assert.equal(result.code, 0, result.stderr);
  }
});

Deno.test("aec answers aws-vault's exec without loading npm modules", async () => {
  const result = await runWithoutNpmCache(["exec", "dev", "--", "env"]);
  assert.equal(
    result.stderr,
    "aec: Unknown command 'exec'; to run a command as profile dev, run " +
      "'aec --profile dev --exec -- env' (run 'aec --help' for usage)\n",
  );
  assert.equal(result.code, 2);
});

Deno.test("aec reports a usage error without loading npm modules", async () => {
  const result = await runWithoutNpmCache(["--json", "--env"]);
  assert.equal(
    result.stderr,
    "aec: --json and --env cannot be used together (run 'aec --help' for usage)\n",
  );
  assert.equal(result.code, 2);
});

Deno.test("resolving credentials does load npm modules (the check above can fail)", async () => {
  const result = await runWithoutNpmCache(["--profile", "any", "--json"]);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /npm package not found in cache/);
});
