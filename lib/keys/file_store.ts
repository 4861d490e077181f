/**
 * The `file` store: every profile's keys in one file in aec's config
 * directory, encrypted with AES-256-GCM under a key derived from a passphrase
 * by Argon2id (memory-hard, so that guessing passphrases from a stolen file
 * is slow; Web Crypto has no memory-hard function, so it comes from
 * `@noble/hashes`, loaded only when the file is opened). The passphrase is
 * asked on the terminal, or taken from `AEC_KEY_STORE_PASSPHRASE`.
 *
 * The file is JSON: the format, the KDF's parameters and salt, the cipher,
 * the nonce (new at every write) and the ciphertext. Everything but the
 * ciphertext and nonce is the cipher's additional data, so that no field can
 * be changed unnoticed. The file is 0600 in a 0700 directory, replaced
 * atomically under a lock, and never written over when it cannot be opened.
 *
 * @module
 */

import { homeDirectory } from "../config/mod.ts";
import { CredentialError, registerSecret } from "../support/mod.ts";
import { acquireLock, readRegularFile, writeFileAtomic } from "../files/mod.ts";
import { promptOnTerminal } from "../ui/mod.ts";
import {
  type Env,
  keysProblem,
  type KeyStore,
  lockTimeout,
  type StoreContext,
  type StoredKeys,
} from "./store.ts";

const FORMAT = "aec-keys";
const VERSION = 1;
const CIPHER = "AES-256-GCM";
/** OWASP's first choice of Argon2id parameters: 46 MiB, one pass, one lane. */
const NEW_FILE_KDF = { Name: "argon2id", MemoryKiB: 47104, Passes: 1, Parallelism: 1 } as const;
// Bounds on a file's KDF parameters: a damaged or planted file cannot ask for
// gigabytes or hours, nor for less than a memory-hard derivation.
const KDF_BOUNDS = { MemoryKiB: [19456, 1048576], Passes: [1, 10], Parallelism: [1, 4] } as const;
const MAX_FILE_BYTES = 4 * 1024 * 1024;
const LOCK_TIMEOUT_MS = 120_000;
const PASSPHRASE_VARIABLE = "AEC_KEY_STORE_PASSPHRASE";

/** aec's own config directory: the platform's user config directory, `aec` in it. */
export function configDirectory(env: Env, os = Deno.build.os): string {
  return os === "windows"
    ? `${env.APPDATA ?? `${homeDirectory(env)}\\AppData\\Roaming`}\\aec`
    : os === "darwin"
    ? `${homeDirectory(env)}/Library/Application Support/aec`
    : `${env.XDG_CONFIG_HOME || `${homeDirectory(env)}/.config`}/aec`;
}

interface Kdf {
  Name: "argon2id";
  MemoryKiB: number;
  Passes: number;
  Parallelism: number;
  /** Base64, 16 random bytes. */
  Salt: string;
}

/** An open file: its KDF, and the key derived for it. */
interface Opened {
  kdf: Kdf;
  key: CryptoKey;
  profiles: Record<string, StoredKeys>;
}

// Keys derived in this process, by file, salt and passphrase variable: the passphrase is
// asked once per run.
const derivedKeys = new Map<string, CryptoKey>();

export function createFileStore({ env, os }: StoreContext): KeyStore {
  const directory = configDirectory(env, os);
  const path = `${directory}${os === "windows" ? "\\" : "/"}keys.json`;

  /** The file, opened; `undefined` when there is none. */
  const open = async (): Promise<Opened | undefined> => {
    const contents = await readRegularFile(path, { limit: MAX_FILE_BYTES });
    if (contents === undefined) return undefined;
    if (contents === "too large") throw damaged(`larger than ${MAX_FILE_BYTES} bytes`);
    const { info } = contents;
    if (os !== "windows" && info.mode !== null && (info.mode & 0o077) !== 0) {
      throw new CredentialError(
        `${path} has mode ${(info.mode & 0o777).toString(8)}, which lets other users read it; ` +
          `run 'chmod 600 ${path}'`,
      );
    }
    if (os !== "windows" && info.uid !== null && info.uid !== Deno.uid()) {
      throw new CredentialError(`${path} belongs to another user`);
    }
    const envelope = parseEnvelope(new TextDecoder().decode(contents.bytes));
    if (typeof envelope === "string") throw damaged(envelope);
    const key = await deriveKey(envelope.kdf, false);
    let plain: ArrayBuffer;
    try {
      plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: envelope.nonce, additionalData: header(envelope.kdf) },
        key,
        envelope.data,
      );
    } catch {
      derivedKeys.delete(cacheKeyOf(envelope.kdf));
      throw new CredentialError(
        `The passphrase does not open ${path} (or the file was changed since aec wrote it)`,
      );
    }
    const profiles = parseProfiles(new TextDecoder().decode(plain));
    if (typeof profiles === "string") throw damaged(profiles);
    return { kdf: envelope.kdf, key, profiles };
  };

  const cacheKeyOf = (kdf: Kdf) => `${path}\n${kdf.Salt}\n${env[PASSPHRASE_VARIABLE] ?? ""}`;
  const damaged = (why: string) =>
    new CredentialError(
      `${path} is not an aec key file, or is damaged (${why}); aec left it as is`,
    );

  const deriveKey = async (kdf: Kdf, creating: boolean): Promise<CryptoKey> => {
    const cacheKey = cacheKeyOf(kdf);
    const known = derivedKeys.get(cacheKey);
    if (known) return known;
    const passphrase = await askPassphrase(path, env, creating);
    const { argon2idAsync } = await import("@noble/hashes/argon2.js");
    const raw = await argon2idAsync(new TextEncoder().encode(passphrase), fromBase64(kdf.Salt), {
      m: kdf.MemoryKiB,
      t: kdf.Passes,
      p: kdf.Parallelism,
      dkLen: 32,
    });
    const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    raw.fill(0);
    derivedKeys.set(cacheKey, key);
    return key;
  };

  /** Reads, changes and writes the file under its lock; a new file gets a new salt. */
  const update = async (change: (profiles: Record<string, StoredKeys>) => boolean) => {
    await Deno.mkdir(directory, { recursive: true, mode: 0o700 });
    using _lock = await acquireLock(`${path}.lock`, {
      timeoutMs: LOCK_TIMEOUT_MS,
      onTimeout: () => lockTimeout(path, LOCK_TIMEOUT_MS),
    });
    let opened = await open();
    if (opened === undefined) {
      const kdf: Kdf = {
        ...NEW_FILE_KDF,
        Salt: toBase64(crypto.getRandomValues(new Uint8Array(16))),
      };
      opened = { kdf, key: await deriveKey(kdf, true), profiles: {} };
    }
    if (!change(opened.profiles)) return false;
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const plain = JSON.stringify({
      Profiles: Object.fromEntries(
        Object.entries(opened.profiles).map(([profile, keys]) => [profile, {
          AccessKeyId: keys.accessKeyId,
          SecretAccessKey: keys.secretAccessKey,
        }]),
      ),
    });
    const data = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: nonce, additionalData: header(opened.kdf) },
      opened.key,
      new TextEncoder().encode(plain),
    );
    const envelope = {
      Format: FORMAT,
      Version: VERSION,
      Kdf: opened.kdf,
      Cipher: CIPHER,
      Nonce: toBase64(nonce),
      Data: toBase64(new Uint8Array(data)),
    };
    await writeFileAtomic(await linkTarget(path), JSON.stringify(envelope, null, 2) + "\n", {
      mode: 0o600,
      // Under the lock, any temporary file is a killed writer's.
      leftoverAgeMs: 0,
    });
    return true;
  };

  return {
    name: "file",
    location: path,
    available: () => Promise.resolve(undefined),
    async get(profile) {
      const opened = await open();
      return opened && Object.hasOwn(opened.profiles, profile)
        ? opened.profiles[profile]
        : undefined;
    },
    async put(profile, keys) {
      await update((profiles) => {
        setOwn(profiles, profile, keys);
        return true;
      });
    },
    async remove(profile) {
      return await update((profiles) => {
        if (!Object.hasOwn(profiles, profile)) return false;
        delete profiles[profile];
        return true;
      });
    },
    async list() {
      const opened = await open();
      return Object.entries(opened?.profiles ?? {})
        .map(([profile, keys]) => ({ profile, accessKeyId: keys.accessKeyId }))
        .sort((a, b) => a.profile.localeCompare(b.profile));
    },
  };
}

/** Where a write of `path` goes: the file a symlink names (even one not there yet), so that the link stays. */
async function linkTarget(path: string): Promise<string> {
  const linked = await Deno.lstat(path).then((info) => info.isSymlink, () => false);
  if (!linked) return path;
  const real = await Deno.realPath(path).catch(() => undefined);
  if (real) return real;
  const link = await Deno.readLink(path);
  return /^([\\/]|[A-Za-z]:)/.test(link)
    ? link
    : `${path.slice(0, Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1)}${link}`;
}

/** The passphrase: the variable's, else asked on the terminal (twice for a new file). */
async function askPassphrase(path: string, env: Env, creating: boolean): Promise<string> {
  const given = env[PASSPHRASE_VARIABLE];
  if (given) {
    registerSecret(given);
    return given;
  }
  const what = `the passphrase of ${path}`;
  const otherwise = `set ${PASSPHRASE_VARIABLE}`;
  if (!creating) {
    return await promptOnTerminal(`Passphrase for ${path}: `, what, { hidden: true, otherwise });
  }
  const chosen = await promptOnTerminal(
    `New passphrase for ${path}: `,
    `a passphrase for ${path}`,
    {
      hidden: true,
      otherwise,
    },
  );
  const again = await promptOnTerminal("The same passphrase again: ", what, { hidden: true });
  if (again !== chosen) throw new CredentialError("The two passphrases differ; nothing was stored");
  registerSecret(chosen);
  return chosen;
}

/** The additional data: every field of the file but the nonce and the ciphertext. */
function header(kdf: Kdf): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify({
    Format: FORMAT,
    Version: VERSION,
    Kdf: {
      Name: kdf.Name,
      MemoryKiB: kdf.MemoryKiB,
      Passes: kdf.Passes,
      Parallelism: kdf.Parallelism,
      Salt: kdf.Salt,
    },
    Cipher: CIPHER,
  }));
}

/** The file's fields, checked; or what is wrong with it. */
function parseEnvelope(
  text: string,
): { kdf: Kdf; nonce: Uint8Array<ArrayBuffer>; data: Uint8Array<ArrayBuffer> } | string {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    return "not JSON";
  }
  if (value?.Format !== FORMAT) return "no aec-keys format";
  if (value.Version !== VERSION) return `version ${String(value.Version)}`;
  if (value.Cipher !== CIPHER) return "an unknown cipher";
  const kdf = value.Kdf as Record<string, unknown> | undefined;
  if (kdf?.Name !== "argon2id" || typeof kdf.Salt !== "string") return "an unknown KDF";
  for (const [name, [low, high]] of Object.entries(KDF_BOUNDS)) {
    const number = kdf[name];
    if (!Number.isInteger(number) || (number as number) < low || (number as number) > high) {
      return `KDF ${name} out of bounds`;
    }
  }
  try {
    const nonce = fromBase64(String(value.Nonce));
    const data = fromBase64(String(value.Data));
    if (fromBase64(kdf.Salt).length < 16 || nonce.length !== 12) return "a short salt or nonce";
    return { kdf: kdf as unknown as Kdf, nonce, data };
  } catch {
    return "bad base64";
  }
}

/** The profiles the decrypted text holds, checked; or what is wrong with them. */
function parseProfiles(text: string): Record<string, StoredKeys> | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "its content is not JSON";
  }
  const stored = (value as { Profiles?: unknown } | null)?.Profiles;
  if (typeof stored !== "object" || stored === null) return "no profiles";
  const profiles: Record<string, StoredKeys> = {};
  for (const [profile, entry] of Object.entries(stored)) {
    const { AccessKeyId, SecretAccessKey } = (entry ?? {}) as Record<string, unknown>;
    if (typeof AccessKeyId !== "string" || typeof SecretAccessKey !== "string") {
      return `no keys for profile ${profile}`;
    }
    registerSecret(SecretAccessKey);
    const keys = { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey };
    if (keysProblem(keys)) return `bad keys for profile ${profile}`;
    setOwn(profiles, profile, keys);
  }
  return profiles;
}

/** Sets an own property, even one named `__proto__`. */
function setOwn(profiles: Record<string, StoredKeys>, profile: string, keys: StoredKeys): void {
  Object.defineProperty(profiles, profile, {
    value: keys,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
