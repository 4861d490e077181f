/**
 * The `pass` store: one gpg-encrypted entry per profile, `aec/PROFILE`, in the
 * user's password store (`PASSWORD_STORE_DIR`, else `~/.password-store`).
 * gpg-agent asks for the key's passphrase when it has none cached.
 *
 * @module
 */

import { homeDirectory } from "../config/mod.ts";
import {
  decodeKeys,
  encodeKeys,
  entryName,
  type KeyStore,
  profileOfEntry,
  type StoreContext,
  type StoredEntry,
} from "./store.ts";
import { runTool, toolFailure, type ToolResult } from "./tool.ts";
import { findProgram, pathExists } from "../support/mod.ts";

const FOLDER = "aec";
const NOT_FOUND = /is not in the password store/;

export function createPassStore({ env, os }: StoreContext): KeyStore {
  const location = env.PASSWORD_STORE_DIR || `${homeDirectory(env)}/.password-store`;
  const entry = (profile: string) => `${FOLDER}/${entryName(profile)}`;
  const pass = async (args: string[], stdin?: string): Promise<ToolResult> => {
    const program = findProgram("pass", env, os) ?? "pass";
    return await runTool("pass", program, args, stdin === undefined ? { env } : { env, stdin });
  };
  const get = async (profile: string) => {
    const result = await pass(["show", entry(profile)]);
    if (result.code === 0) return decodeKeys(result.stdout, `pass entry ${entry(profile)}`);
    if (NOT_FOUND.test(result.stderr)) return undefined;
    throw toolFailure("pass", `read ${entry(profile)}`, result);
  };
  return {
    name: "pass",
    location,
    available() {
      if (findProgram("pass", env, os) === undefined) {
        return Promise.resolve(
          "pass is not installed: install it (apt install pass, brew install pass) and run " +
            "'pass init GPG-KEY-ID'",
        );
      }
      return Promise.resolve(
        pathExists(`${location}/.gpg-id`)
          ? undefined
          : `no password store at ${location}: run 'pass init GPG-KEY-ID'`,
      );
    },
    get,
    async put(profile, keys) {
      const result = await pass(
        ["insert", "--multiline", "--force", entry(profile)],
        `${encodeKeys(keys)}\n`,
      );
      if (result.code !== 0) throw toolFailure("pass", `write ${entry(profile)}`, result);
    },
    async remove(profile) {
      const result = await pass(["rm", "--force", entry(profile)]);
      if (result.code === 0) return true;
      if (NOT_FOUND.test(result.stderr)) return false;
      throw toolFailure("pass", `remove ${entry(profile)}`, result);
    },
    async list() {
      const entries: StoredEntry[] = [];
      let names: string[];
      try {
        names = [...Deno.readDirSync(`${location}/${FOLDER}`)]
          .filter((file) => file.isFile && file.name.endsWith(".gpg"))
          .map((file) => file.name.slice(0, -".gpg".length))
          .sort();
      } catch {
        return entries; // No folder: nothing stored yet.
      }
      for (const name of names) {
        const profile = profileOfEntry(name);
        if (profile === undefined) continue;
        const keys = await get(profile);
        if (keys) entries.push({ profile, accessKeyId: keys.accessKeyId });
      }
      return entries;
    },
  };
}
