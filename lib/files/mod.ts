/**
 * Reading and replacing files safely: only regular files, bounded reads, atomic writes. The
 * rest of aec imports this module only.
 *
 * @module
 */

export * from "./regular_file.ts";
export * from "./atomic_file.ts";
export * from "./lock_file.ts";
export * from "./locked_edit.ts";
