/**
 * The house rules of lib/ (docs/development.md, "Layout"), read from the
 * sources: folders in one order of layers, each entered through its mod.ts,
 * no cycle, and nothing on the start-up path that imports an npm or node:
 * module. Static imports (`import type` included) and load() count alike.
 */

import assert from "node:assert/strict";
import { REPO_ROOT } from "./support/sandbox.ts";

/** lib/'s folders, top to bottom: a module imports only from its own folder or lower ones. */
const LAYERS = [
  "commands",
  "cli",
  "console",
  "profiles",
  "serve",
  "exec",
  "credentials",
  "resolve",
  "keys",
  "sso",
  "prompt",
  "ui",
  "caches",
  "sdk",
  "options",
  "output",
  "config",
  "files",
  "support",
] as const;

/** Modules at the top, in no folder: they may import any folder. */
const ROOTS = ["main.ts", "lib/app.ts"];

/** Every file of lib/commands/ is an entry of its own, for lib/app.ts to dispatch to. */
const ENTRY_FOLDERS = new Set(["commands"]);

interface Arrow {
  from: string;
  to: string;
  /** A static import that is not only types: it runs when `from` loads. */
  runtime: boolean;
  lazy: boolean;
}

export interface Module {
  path: string;
  source: string;
}

async function readModules(): Promise<Module[]> {
  const modules: Module[] = [];
  async function walk(dir: string) {
    for await (const entry of Deno.readDir(`${REPO_ROOT}${dir}`)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (path.endsWith(".ts")) {
        modules.push({ path, source: await Deno.readTextFile(`${REPO_ROOT}${path}`) });
      }
    }
  }
  await walk("lib");
  modules.push({ path: "main.ts", source: await Deno.readTextFile(`${REPO_ROOT}main.ts`) });
  return modules;
}

const STATIC = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s*"([^"]+)"/gms;
const BARE = /^import\s+"([^"]+)"/gm;
const LOAD = /\bload<[^>]*>\(\s*"([^"]+)"/gs;
const DYNAMIC = /(?<!typeof )\bimport\(\s*"([^"]+)"\s*\)/g;

function resolve(from: string, specifier: string): string {
  if (!specifier.startsWith(".")) return specifier;
  return new URL(specifier, `file:///${from}`).pathname.slice(1);
}

/** The arrows of `module`; specifiers that are not files (npm:, node:) are kept as written. */
export function arrowsOf({ path, source }: Module): Arrow[] {
  const arrows: Arrow[] = [];
  for (const match of source.matchAll(STATIC)) {
    const [, , typeOnly, clause, specifier] = match;
    const names = /^\{([^}]*)\}$/s.exec(clause!.trim())?.[1]?.split(",").map((n) => n.trim())
      .filter(Boolean);
    const onlyTypes = typeOnly !== undefined ||
      (names !== undefined && names.length > 0 && names.every((n) => n.startsWith("type ")));
    arrows.push({ from: path, to: resolve(path, specifier!), runtime: !onlyTypes, lazy: false });
  }
  for (const [, specifier] of source.matchAll(BARE)) {
    arrows.push({ from: path, to: resolve(path, specifier!), runtime: true, lazy: false });
  }
  for (const [, specifier] of source.matchAll(LOAD)) {
    arrows.push({ from: path, to: `lib/${specifier}`, runtime: false, lazy: true });
  }
  for (const [, specifier] of source.matchAll(DYNAMIC)) {
    arrows.push({ from: path, to: resolve(path, specifier!), runtime: false, lazy: true });
  }
  return arrows;
}

/** `lib/sso/login.ts` → `sso`; a root module → undefined. */
function folderOf(path: string): string | undefined {
  const parts = path.split("/");
  return parts[0] === "lib" && parts.length > 2 ? parts[1] : undefined;
}

export function layoutProblems(modules: readonly Module[]): string[] {
  const problems: string[] = [];
  const paths = new Set(modules.map((m) => m.path));
  const arrows = modules.flatMap(arrowsOf).filter((a) =>
    paths.has(a.to) || a.to.startsWith("lib/")
  );
  for (const { path } of modules) {
    const folder = folderOf(path);
    if (folder === undefined && !ROOTS.includes(path)) problems.push(`${path} is in no folder`);
    if (folder !== undefined && !(LAYERS as readonly string[]).includes(folder)) {
      problems.push(`${path}: folder ${folder} has no place in LAYERS`);
    }
  }
  for (const { from, to } of arrows) {
    if (!paths.has(to)) {
      problems.push(`${from} imports ${to}, which does not exist`);
      continue;
    }
    const [source, target] = [folderOf(from), folderOf(to)];
    if (target === undefined) {
      if (!ROOTS.includes(from)) problems.push(`${from} imports ${to}, above every folder`);
      continue;
    }
    if (source === target) continue;
    if (!to.endsWith("/mod.ts") && !(ENTRY_FOLDERS.has(target) && ROOTS.includes(from))) {
      problems.push(`${from} reaches into ${to}: import lib/${target}/mod.ts`);
    }
    if (source !== undefined && LAYERS.indexOf(source as never) > LAYERS.indexOf(target as never)) {
      problems.push(`${from} imports ${to}, from a lower layer (${source}) up to ${target}`);
    }
  }
  problems.push(...cycles(arrows.filter((a) => !a.lazy)));
  return problems;
}

/** One line per cycle of static imports found by a depth-first walk. */
function cycles(arrows: readonly Arrow[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of arrows) next.set(from, [...(next.get(from) ?? []), to]);
  const found: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      if (state.get(to) === "open") {
        found.push(`cycle: ${[...stack.slice(stack.indexOf(to)), to].join(" → ")}`);
      } else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of next.keys()) if (!state.has(node)) visit(node);
  return found;
}

/** The npm: and node: modules main.ts loads at start, before any load(). */
export function startupPackages(modules: readonly Module[]): string[] {
  const byPath = new Map(modules.map((m) => [m.path, m]));
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const arrow of arrowsOf(byPath.get(path)!)) {
      if (!arrow.runtime) continue;
      if (byPath.has(arrow.to)) visit(arrow.to);
      else if (!arrow.to.endsWith(".json")) packages.add(`${arrow.to} (from ${path})`);
    }
  };
  visit("main.ts");
  return [...packages];
}

Deno.test("lib/'s folders import down their layers, through mod.ts, with no cycle", async () => {
  assert.deepEqual(layoutProblems(await readModules()), []);
});

Deno.test("layoutProblems() finds an upward import, a reach into a folder and a cycle", async () => {
  const modules = await readModules();
  const planted = modules.map((m) =>
    m.path === "lib/support/log.ts"
      ? {
        ...m,
        source: `import { aecCacheStore } from "../credentials/aec_cache_store.ts";\n${m.source}`,
      }
      : m.path === "lib/credentials/aec_cache_store.ts"
      ? { ...m, source: `import { say } from "../support/log.ts";\n${m.source}` }
      : m
  );
  const problems = layoutProblems(planted);
  assert.ok(
    problems.some((p) => /support\/log\.ts reaches into lib\/credentials\/aec_cache_store/.test(p)),
  );
  assert.ok(problems.some((p) => /from a lower layer \(support\) up to credentials/.test(p)));
  assert.ok(problems.some((p) => /^cycle: .*lib\/support\/log\.ts/.test(p)));
});

Deno.test("the start-up path (--version, usage errors, a cache hit) imports no npm or node: module", async () => {
  const modules = await readModules();
  assert.deepEqual(startupPackages(modules), []);
  // The check can fail: lib/exec/, which an export loads only for --exec, imports node:os.
  const planted = modules.map((m) =>
    m.path === "lib/commands/export.ts"
      ? { ...m, source: `import "../exec/mod.ts";\n${m.source}` }
      : m
  );
  assert.ok(startupPackages(planted).some((p) => p.startsWith("node:")));
});
