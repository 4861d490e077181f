/**
 * What a key store is to aec: one small interface, implemented once per store
 * (the OS's secret store, pass, 1Password, an encrypted file), and the one way
 * a profile's keys are written into a store's secret and read back.
 *
 * @module
 */

import type { StoreName } from "../options/mod.ts";
import {
  CredentialError,
  hasControlCharacter,
  type Logger,
  registerSecret,
} from "../support/mod.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** A profile's long-term keys. */
export interface StoredKeys {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What listing a store shows of a profile: never its secret. */
export interface StoredEntry {
  profile: string;
  accessKeyId: string;
}

/** One store. Every method that reaches the store may ask to unlock it. */
export interface KeyStore {
  readonly name: StoreName;
  /** Where it keeps the keys, in words: for messages and the session cache's fingerprint. */
  readonly location: string;
  /** Why it cannot work here, in one line that says what to install; `undefined` when it can. */
  available(): Promise<string | undefined>;
  /**
   * The profile's keys, or `undefined` when the store has none for it.
   *
   * @throws {CredentialError} when the store is locked, refuses, or holds something else.
   */
  get(profile: string): Promise<StoredKeys | undefined>;
  /** Stores the profile's keys, replacing any it had. */
  put(profile: string, keys: StoredKeys): Promise<void>;
  /** Deletes the profile's keys; whether there were any. */
  remove(profile: string): Promise<boolean>;
  /** Every profile it holds keys for. */
  list(): Promise<StoredEntry[]>;
}

/** What a store needs to know of the run. */
export interface StoreContext {
  env: Env;
  log: Logger;
  os: typeof Deno.build.os;
}

/** The secret a store keeps for a profile: both keys, as one line of JSON. */
export function encodeKeys(keys: StoredKeys): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: keys.accessKeyId,
    SecretAccessKey: keys.secretAccessKey,
  });
}

/**
 * The keys in a secret that {@link encodeKeys} wrote, checked and registered
 * for redaction; `where` names the secret in the error.
 *
 * @throws {CredentialError} when it holds something else.
 */
export function decodeKeys(text: string, where: string): StoredKeys {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch {
    throw new CredentialError(`${where} does not hold keys that aec stored`);
  }
  const { AccessKeyId, SecretAccessKey } = (value ?? {}) as Record<string, unknown>;
  if (typeof AccessKeyId !== "string" || typeof SecretAccessKey !== "string") {
    throw new CredentialError(`${where} does not hold keys that aec stored`);
  }
  registerSecret(SecretAccessKey);
  const keys = { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey };
  const problem = keysProblem(keys);
  if (problem) throw new CredentialError(`${where} holds keys aec cannot use: ${problem}`);
  return keys;
}

// Access key ids are 16 to 128 upper-case letters and digits; ASIA… ids are temporary.
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;

/** What is wrong with `keys` as long-term keys, in words; `undefined` when nothing. */
export function keysProblem(keys: StoredKeys): string | undefined {
  if (!ACCESS_KEY_ID.test(keys.accessKeyId)) {
    return "an access key id is 16 to 128 upper-case letters and digits, like AKIAIOSFODNN7EXAMPLE";
  }
  if (keys.accessKeyId.startsWith("ASIA")) {
    return "ASIA… key ids are temporary and need a session token; aec keys stores long-term keys";
  }
  if (
    keys.secretAccessKey === "" || keys.secretAccessKey.length > 1024 ||
    /\s/.test(keys.secretAccessKey) || hasControlCharacter(keys.secretAccessKey)
  ) {
    return "a secret access key is one word of up to 1024 characters";
  }
  return undefined;
}

/**
 * A profile name as part of an entry's name in a store: letters, digits and
 * `._@+-` as they are, any other byte as %XX (so `/` never makes a folder).
 */
export function entryName(profile: string): string {
  return Array.from(new TextEncoder().encode(profile), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9._@+-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
}

/** The profile an {@link entryName} stands for, or `undefined` for a name it never makes. */
export function profileOfEntry(name: string): string | undefined {
  try {
    const profile = decodeURIComponent(name);
    return entryName(profile) === name ? profile : undefined;
  } catch {
    return undefined;
  }
}

/** The error when another process holds the lock on `path` past `timeoutMs`. */
export function lockTimeout(path: string, timeoutMs: number): CredentialError {
  return new CredentialError(
    `Timed out after ${timeoutMs / 1000}s waiting for another process writing ${path} ` +
      `(lock file ${path}.lock)`,
  );
}
