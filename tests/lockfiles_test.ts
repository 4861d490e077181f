/**
 * deno.lock holds aec's own npm packages only, because `deno task` installs
 * every package of the lockfile before it runs any task: a test-only package
 * there would be downloaded by `deno task aec` and `deno task setup`. The
 * tests' packages are in tests/deno.lock (`deno task test` and `deno task
 * check` pass `--lock=tests/deno.lock`), which must agree with deno.lock on
 * every package aec uses.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import denoConfig from "../deno.json" with { type: "json" };
import { REPO_ROOT } from "./support/sandbox.ts";

interface Lockfile {
  specifiers: Record<string, string>;
  npm: Record<string, { dependencies?: string[]; optionalDependencies?: string[] }>;
  workspace: { dependencies: string[] };
}

async function readLock(path: string): Promise<Lockfile> {
  return JSON.parse(await Deno.readTextFile(join(REPO_ROOT, path)));
}

/** `name` or `name@version` as a lockfile's dependency lists write it, to its `npm` key. */
function packageKey(lock: Lockfile, dependency: string): string {
  const at = dependency.indexOf("@", 1);
  if (at !== -1) return dependency;
  const keys = Object.keys(lock.npm).filter((key) =>
    key.slice(0, key.indexOf("@", 1)) === dependency
  );
  assert.equal(keys.length, 1, `${dependency} is locked ${keys.length} times`);
  return keys[0]!;
}

/** The npm packages the specifiers lead to, their dependencies included. */
function reachable(lock: Lockfile, specifiers: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const pending = specifiers.map((specifier) => {
    const version = lock.specifiers[specifier];
    assert.ok(version, `${specifier} is not in the lockfile`);
    return `${specifier.slice("npm:".length, specifier.lastIndexOf("@"))}@${version}`;
  });
  for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
    if (seen.has(key)) continue;
    seen.add(key);
    const entry = lock.npm[key];
    assert.ok(entry, `${key} is not in the lockfile`);
    for (const dependency of [...entry.dependencies ?? [], ...entry.optionalDependencies ?? []]) {
      pending.push(packageKey(lock, dependency));
    }
  }
  return seen;
}

const APP_IMPORTS = Object.values(denoConfig.imports as Record<string, string>);

Deno.test("deno.lock holds only the npm packages that deno.json's imports lead to", async () => {
  const lock = await readLock("deno.lock");
  assert.deepEqual(lock.workspace.dependencies.toSorted(), APP_IMPORTS.toSorted());
  assert.deepEqual(
    Object.keys(lock.npm).toSorted(),
    [...reachable(lock, APP_IMPORTS)].toSorted(),
    "deno.lock holds packages aec does not import: run the tests with --lock=tests/deno.lock",
  );
  // The specifiers the packages themselves ask for (`npm:x@*`) are aec's too.
  for (const [specifier, version] of Object.entries(lock.specifiers)) {
    const name = specifier.slice("npm:".length, specifier.lastIndexOf("@"));
    assert.ok(`${name}@${version}` in lock.npm, `${specifier} leads to no locked package`);
  }
});

Deno.test("tests/deno.lock agrees with deno.lock on every package aec uses", async () => {
  const app = await readLock("deno.lock");
  const tests = await readLock("tests/deno.lock");
  assert.deepEqual(tests.workspace, app.workspace);
  for (const [specifier, version] of Object.entries(app.specifiers)) {
    assert.equal(tests.specifiers[specifier], version, specifier);
  }
  for (const [key, entry] of Object.entries(app.npm)) {
    assert.deepEqual(tests.npm[key], entry, key);
  }
});
