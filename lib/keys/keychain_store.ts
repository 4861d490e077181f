/**
 * The macOS Keychain store, through the `security` tool that macOS ships: one
 * generic password per profile, service `aec`, account PROFILE, the access
 * key id as its comment. The secret is written through `security -i`, whose
 * commands come on stdin, as hexadecimal (`-X`): never in any argv. macOS asks
 * to unlock the keychain, or to allow access, as it does for any program.
 *
 * @module
 */

import { CredentialError, findProgram } from "../support/mod.ts";
import {
  decodeKeys,
  encodeKeys,
  type KeyStore,
  type StoreContext,
  type StoredEntry,
} from "./store.ts";
import { runTool, toolFailure, type ToolResult } from "./tool.ts";

const SERVICE = "aec";
/** `security`'s exit code for errSecItemNotFound. */
const ITEM_NOT_FOUND = 44;
// `security -i` splits its commands at spaces: only names without them go there.
const PLAIN_WORD = /^[\w\-@+.%:/]+$/;

export function createKeychainStore({ env, os }: StoreContext): KeyStore {
  const security = async (args: string[], stdin?: string): Promise<ToolResult> => {
    const program = findProgram("security", env, os) ?? "security";
    return await runTool("keychain", program, args, stdin === undefined ? { env } : { env, stdin });
  };
  const find = (profile: string) =>
    security(["find-generic-password", "-s", SERVICE, "-a", profile, "-w"]);
  return {
    name: "keychain",
    location: "the default keychain",
    available() {
      if (os !== "darwin") {
        return Promise.resolve(
          "the Keychain is macOS's; here use --store file, pass or the system's own store",
        );
      }
      if (findProgram("security", env, os) === undefined) {
        return Promise.resolve("security is not on PATH (macOS has it in /usr/bin)");
      }
      return Promise.resolve(undefined);
    },
    async get(profile) {
      const result = await find(profile);
      if (result.code === 0) return decodeKeys(result.stdout, `Keychain item aec/${profile}`);
      if (result.code === ITEM_NOT_FOUND) return undefined;
      throw toolFailure("keychain", `read the keys of profile ${profile}`, result);
    },
    async put(profile, keys) {
      if (!PLAIN_WORD.test(profile)) {
        throw new CredentialError(`The keychain store cannot name an item for profile ${profile}`);
      }
      const hex = Array.from(
        new TextEncoder().encode(encodeKeys(keys)),
        (byte) => byte.toString(16).padStart(2, "0"),
      ).join("");
      // -U: update the item when it exists. Errors of -i's commands go to stderr.
      const result = await security(
        ["-i"],
        `add-generic-password -U -s ${SERVICE} -a ${profile} -l aec:${profile} ` +
          `-j ${keys.accessKeyId} -X ${hex}\n`,
      );
      if (result.code !== 0 || /\S/.test(result.stderr)) {
        throw toolFailure("keychain", `store the keys of profile ${profile}`, result);
      }
    },
    async remove(profile) {
      const result = await security(["delete-generic-password", "-s", SERVICE, "-a", profile]);
      if (result.code === 0) return true;
      if (result.code === ITEM_NOT_FOUND) return false;
      throw toolFailure("keychain", `remove the keys of profile ${profile}`, result);
    },
    async list() {
      // Attributes only: dumping them reads no secret and asks for nothing.
      const result = await security(["dump-keychain"]);
      if (result.code !== 0) throw toolFailure("keychain", "list the keys", result);
      const entries: StoredEntry[] = [];
      for (const item of result.stdout.split(/^(?=keychain: )/m)) {
        const attribute = (name: string) =>
          new RegExp(`^\\s*"${name}"<blob>="(.*)"\\s*$`, "m").exec(item)?.[1];
        if (!/^class: "genp"/m.test(item) || attribute("svce") !== SERVICE) continue;
        const profile = attribute("acct");
        if (profile === undefined) continue;
        entries.push({ profile, accessKeyId: attribute("icmt") ?? "?" });
      }
      return entries.sort((a, b) => a.profile.localeCompare(b.profile));
    },
  };
}
