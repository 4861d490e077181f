/**
 * The `credential_process` line that `aec keys` writes for a stored profile,
 * `aec keys credential-process [--store S] [--no-session | --duration SECONDS]
 * PROFILE`: one grammar for the command line and for recognising the line,
 * so that aec, resolving a profile, reads the store itself (no child
 * process) exactly where running the line would.
 *
 * @module
 */

import { UsageError } from "../support/mod.ts";
import { isStoreName, type KeysHook, STORE_NAMES, type StoreName } from "../options/mod.ts";

export const CREDENTIAL_PROCESS = "credential-process";
/** GetSessionToken's bounds for an IAM user's session. */
export const SESSION_SECONDS = { min: 900, max: 129_600 } as const;

/**
 * The hook the words after `aec keys credential-process` stand for.
 *
 * @throws {UsageError} for anything else.
 */
export function parseHookArgs(words: readonly string[]): KeysHook {
  let profile: string | undefined;
  let store: StoreName | undefined;
  let session = true;
  let durationSeconds: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    const [name, inline] = word.startsWith("--") && word.includes("=")
      ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]
      : [word, undefined];
    const value = () => {
      const given = inline ?? words[++i];
      if (given === undefined || given === "") throw new UsageError(`${name} needs a value`);
      return given;
    };
    if (name === "--store") {
      if (store !== undefined) throw new UsageError("--store was given twice");
      const given = value();
      if (!isStoreName(given)) {
        throw new UsageError(`--store takes one of ${STORE_NAMES.join(", ")}; got '${given}'`);
      }
      store = given;
    } else if (name === "--no-session" && inline === undefined) {
      session = false;
    } else if (name === "--duration") {
      const given = value();
      const seconds = Number(given);
      if (
        !/^\d+$/.test(given) || seconds < SESSION_SECONDS.min || seconds > SESSION_SECONDS.max
      ) {
        throw new UsageError(
          `--duration of aec keys ${CREDENTIAL_PROCESS} takes seconds from ` +
            `${SESSION_SECONDS.min} to ${SESSION_SECONDS.max}; got '${given}'`,
        );
      }
      durationSeconds = seconds;
    } else if (word.startsWith("-")) {
      throw new UsageError(`Unknown option '${name}' for aec keys ${CREDENTIAL_PROCESS}`);
    } else if (profile !== undefined) {
      throw new UsageError(`aec keys ${CREDENTIAL_PROCESS} takes one profile; got '${word}' too`);
    } else {
      profile = word;
    }
  }
  if (profile === undefined) {
    throw new UsageError(`aec keys ${CREDENTIAL_PROCESS} needs the profile whose keys it reads`);
  }
  if (!session && durationSeconds !== undefined) {
    throw new UsageError("--no-session and --duration cannot be used together");
  }
  const hook: KeysHook = { profile, session };
  if (store !== undefined) hook.store = store;
  if (durationSeconds !== undefined) hook.durationSeconds = durationSeconds;
  return hook;
}

// Words that every shell, botocore's shlex and Windows read the same: no
// quotes, escapes, variables, globs or separators.
const PLAIN_WORD = /^[\w\-@+.%:/=]+$/;
const AEC_PROGRAM = /(^|[\\/])aec(\.exe)?$/i;

/**
 * The hook a profile's `credential_process` line stands for, when the line
 * runs aec's own `keys credential-process` (its program `aec`, by any path,
 * the path alone in double quotes if it has spaces) with nothing a shell would
 * read otherwise; else `undefined`.
 */
export function keysHookOf(line: string | undefined, os = Deno.build.os): KeysHook | undefined {
  if (line === undefined) return undefined;
  const quoted = /^\s*"([^"]*)"(\s.*)$/.exec(line);
  const program = quoted ? quoted[1]! : line.trim().split(/\s+/)[0]!;
  const rest = (quoted ? quoted[2]! : line.trim().slice(program.length)).trim().split(/\s+/);
  if (!isHookProgram(program, os)) return undefined;
  if (!quoted && program.includes(" ")) return undefined;
  const [keys, action, ...words] = rest;
  if (keys !== "keys" || action !== CREDENTIAL_PROCESS) return undefined;
  if (!words.every((word) => PLAIN_WORD.test(word))) return undefined;
  try {
    return parseHookArgs(words);
  } catch {
    return undefined;
  }
}

/** The line for `hook`, run by `program` (a path {@link isHookProgram} accepts, or `aec`). */
export function hookLine(program: string, hook: KeysHook): string {
  const words = [program.includes(" ") ? `"${program}"` : program, "keys", CREDENTIAL_PROCESS];
  if (hook.store !== undefined) words.push("--store", hook.store);
  if (!hook.session) words.push("--no-session");
  if (hook.durationSeconds !== undefined) words.push("--duration", String(hook.durationSeconds));
  words.push(hook.profile);
  return words.join(" ");
}

/**
 * Whether `program` is aec by a path that a hook line can hold: plain words,
 * spaces allowed (the path is then quoted), backslashes only on Windows,
 * where they separate folders and escape nothing.
 */
export function isHookProgram(program: string, os = Deno.build.os): boolean {
  const path = os === "windows" ? program.replaceAll("\\", "/") : program;
  return AEC_PROGRAM.test(path) && path.split(" ").every((word) => PLAIN_WORD.test(word));
}
