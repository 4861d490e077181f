/**
 * Which store holds the keys, and opening it: `--store`, else
 * `AEC_KEY_STORE`, else the `aec_key_store` setting of the profile's config
 * section or of `[default]`, else the operating system's own store. Each
 * store's module is loaded only when that store is opened.
 *
 * @module
 */

import { type AwsFileTexts, profileSettingsFromFiles } from "../config/mod.ts";
import { CredentialError, load, UsageError } from "../support/mod.ts";
import { isStoreName, STORE_NAMES, type StoreName } from "../options/mod.ts";
import type { Env, KeyStore, StoreContext } from "./store.ts";

/** The config setting that names the store. */
export const STORE_SETTING = "aec_key_store";

/** The operating system's own store, the default. */
export function defaultStoreName(os = Deno.build.os): StoreName {
  return os === "darwin" ? "keychain" : os === "windows" ? "wincred" : "secret-service";
}

export interface StoreChoice {
  name: StoreName;
  /** Where the choice came from, for messages. */
  from: string;
}

/**
 * The store to use, from the first of `flag`, `AEC_KEY_STORE`, the settings
 * (each with where it was read), and the OS's default.
 *
 * @throws {UsageError} for `--store` naming no store; {@link CredentialError}
 * for the variable or a setting.
 */
export function chooseStore(
  flag: string | undefined,
  env: Env,
  settings: readonly { value: string | undefined; from: string }[] = [],
  os = Deno.build.os,
): StoreChoice {
  const candidates = [
    { value: flag, from: "--store" },
    { value: env.AEC_KEY_STORE || undefined, from: "AEC_KEY_STORE" },
    ...settings,
  ];
  for (const { value, from } of candidates) {
    if (value === undefined) continue;
    if (!isStoreName(value)) {
      const message = `${from} names store '${value}'; stores: ${STORE_NAMES.join(", ")}`;
      throw from === "--store" ? new UsageError(message) : new CredentialError(message);
    }
    return { name: value, from };
  }
  return { name: defaultStoreName(os), from: "the system's default" };
}

/** The settings that may name the store of `profile`: its own section's, then `[default]`'s. */
export function storeSettings(
  files: AwsFileTexts,
  profile: string,
): { value: string | undefined; from: string }[] {
  return [profile, "default"].map((name) => ({
    value: profileSettingsFromFiles(files, name)?.[STORE_SETTING],
    from: `the ${STORE_SETTING} setting of profile ${name}`,
  }));
}

/** The store named `name`, not yet checked. */
export async function createStore(name: StoreName, context: StoreContext): Promise<KeyStore> {
  switch (name) {
    case "file":
      return (await load<typeof import("./file_store.ts")>("keys/file_store.ts")).createFileStore(
        context,
      );
    case "pass":
      return (await load<typeof import("./pass_store.ts")>("keys/pass_store.ts")).createPassStore(
        context,
      );
    case "secret-service":
      return (await load<typeof import("./secret_service_store.ts")>(
        "keys/secret_service_store.ts",
      )).createSecretServiceStore(context);
    case "keychain":
      return (await load<typeof import("./keychain_store.ts")>("keys/keychain_store.ts"))
        .createKeychainStore(context);
    case "wincred":
      return (await load<typeof import("./wincred_store.ts")>("keys/wincred_store.ts"))
        .createWincredStore(context);
    case "1password":
      return (await load<typeof import("./onepassword_store.ts")>("keys/onepassword_store.ts"))
        .createOnePasswordStore(context);
  }
}

/**
 * The store named `name`, ready to use.
 *
 * @throws {CredentialError} in one line saying what to install, when it cannot work here.
 */
export async function openStore(name: StoreName, context: StoreContext): Promise<KeyStore> {
  const store = await createStore(name, context);
  const why = await store.available();
  if (why !== undefined) throw new CredentialError(`The ${name} store is not available: ${why}`);
  return store;
}
