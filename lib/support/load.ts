/**
 * Imports one of aec's modules when a command needs it. The specifier is built
 * at run time so that Deno does not walk that module's graph (the SDK's among
 * it) at every start-up, which costs --version and cache hits about 6 ms;
 * `deno task compile` embeds lib/ whole with --include to make up for it.
 *
 * `path` is relative to lib/ (`"exec/mod.ts"`): outside its own folder, a
 * module loads only another folder's mod.ts (tests/layout_test.ts checks).
 */
export function load<T>(path: string): Promise<T> {
  return import(new URL(`../${path}`, import.meta.url).href);
}
