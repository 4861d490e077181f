/**
 * The Linux Secret Service store (GNOME Keyring, KWallet, KeePassXC), through
 * libsecret's `secret-tool`: one item per profile in the default collection,
 * labelled `aec: PROFILE`, with the attributes `application aec` and
 * `profile PROFILE`. The service
 * asks to unlock its collection when it is locked.
 *
 * @module
 */

import { CredentialError, findProgram, pathExists } from "../support/mod.ts";
import {
  decodeKeys,
  encodeKeys,
  type KeyStore,
  type StoreContext,
  type StoredEntry,
} from "./store.ts";
import { runTool, toolFailure, type ToolResult } from "./tool.ts";

const APPLICATION = ["application", "aec"];
const LABEL_PREFIX = "aec: ";

export function createSecretServiceStore({ env, os }: StoreContext): KeyStore {
  const attributes = (profile: string) => [...APPLICATION, "profile", profile];
  const secretTool = async (args: string[], stdin?: string): Promise<ToolResult> => {
    const program = findProgram("secret-tool", env, os) ?? "secret-tool";
    return await runTool(
      "secret-service",
      program,
      args,
      stdin === undefined ? { env } : { env, stdin },
    );
  };
  /** Whether the collection has an item for the profile, locked or not. */
  const exists = async (profile: string) => {
    const result = await secretTool(["search", ...attributes(profile)]);
    return /^\[/m.test(result.stdout);
  };
  const locked = (doing: string) =>
    new CredentialError(
      `The secret-service store could not ${doing}: its collection is locked, and unlocking it ` +
        "was refused or could not be asked for",
    );
  return {
    name: "secret-service",
    location: "the Secret Service's default collection",
    available() {
      if (findProgram("secret-tool", env, os) === undefined) {
        return Promise.resolve(
          "secret-tool is not installed: install libsecret-tools (Debian, Ubuntu) or libsecret " +
            "(Fedora, Arch)",
        );
      }
      const runtimeBus = env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR}/bus` : undefined;
      if (!env.DBUS_SESSION_BUS_ADDRESS && !(runtimeBus && pathExists(runtimeBus))) {
        return Promise.resolve(
          "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): the Secret " +
            "Service runs in a desktop session; elsewhere use --store file or --store pass",
        );
      }
      return Promise.resolve(undefined);
    },
    async get(profile) {
      const result = await secretTool(["lookup", ...attributes(profile)]);
      if (result.code === 0 && result.stdout.trim() !== "") {
        return decodeKeys(result.stdout, `Secret Service item of profile ${profile}`);
      }
      // A missing item and a locked one both end lookup with 1 and nothing said.
      if (result.stderr.trim() !== "") throw toolFailure("secret-service", "read", result);
      if (await exists(profile)) throw locked(`read the keys of profile ${profile}`);
      return undefined;
    },
    async put(profile, keys) {
      const result = await secretTool(
        ["store", `--label=${LABEL_PREFIX}${profile}`, ...attributes(profile)],
        encodeKeys(keys),
      );
      if (result.code !== 0) throw toolFailure("secret-service", "store the keys", result);
    },
    async remove(profile) {
      if (!await exists(profile)) return false;
      const result = await secretTool(["clear", ...attributes(profile)]);
      if (result.code !== 0) throw toolFailure("secret-service", "remove the keys", result);
      if (await exists(profile)) throw locked(`remove the keys of profile ${profile}`);
      return true;
    },
    async list() {
      const result = await secretTool(["search", "--all", "--unlock", ...APPLICATION]);
      if (result.code !== 0 && result.stdout.trim() === "") {
        if (result.stderr.trim() === "") return [];
        throw toolFailure("secret-service", "list the keys", result);
      }
      const entries: StoredEntry[] = [];
      // secret-tool writes the attributes on stderr, apart: the label names the profile.
      for (const item of result.stdout.split(/^(?=\[)/m)) {
        const profile = new RegExp(`^label = ${LABEL_PREFIX}(.*)$`, "m").exec(item)?.[1];
        if (profile === undefined) continue;
        const secret = /^secret = (.*)$/m.exec(item)?.[1];
        if (secret === undefined) throw locked("list the keys");
        const keys = decodeKeys(secret, `Secret Service item of profile ${profile}`);
        entries.push({ profile, accessKeyId: keys.accessKeyId });
      }
      return entries.sort((a, b) => a.profile.localeCompare(b.profile));
    },
  };
}
