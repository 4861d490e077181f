/**
 * The credentials of a stored profile, as its `credential_process` line hands
 * them out, and as aec reads them itself: like aws-vault, a session (STS
 * GetSessionToken, with an MFA code when the profile has `mfa_serial`),
 * cached 0600 in aec's cache directory, so that the store is read (and asks
 * to be unlocked) only when a new session is needed; or the long-term keys,
 * when the line says `--no-session`.
 *
 * Processes that need a new session at once take turns under a lock, so that
 * only the first reads the store; the others find its session in the cache.
 *
 * @module
 */

import {
  cacheDirectory,
  deleteCacheEntry,
  loadCache,
  profileFileName,
  saveCache,
  sha256Hex,
} from "../caches/mod.ts";
import { type AwsFileTexts, profileSettingsFromFiles, readAwsFiles } from "../config/mod.ts";
import { acquireLock, directoryOf } from "../files/mod.ts";
import type { KeysHook } from "../options/mod.ts";
import { type MfaCodeAsker, mfaCodeAsker } from "../prompt/mod.ts";
import { issuedCredentials, withSts } from "../sdk/mod.ts";
import {
  AecError,
  chooseRegion,
  CredentialError,
  type Credentials,
  firstLine,
  type Logger,
  registerSecret,
} from "../support/mod.ts";
import { type Env, type KeyStore, lockTimeout, type StoredKeys } from "./store.ts";
import { chooseStore, createStore, openStore, storeSettings } from "./stores.ts";

/** A session's length when the line gives none: aec's MFA sessions' too. */
export const DEFAULT_SESSION_SECONDS = 8 * 3600;
// Handed out with less left than this, a session would make botocore (which
// refreshes 15 minutes before the end) ask again at once: a new one instead.
const RENEW_BEFORE_MINUTES = 20;
// Another process may be waiting for its user to unlock the store.
const LOCK_TIMEOUT_MS = 150_000;
// Variables that send the session's STS call elsewhere.
const ENDPOINT_VARIABLES = ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_USE_FIPS_ENDPOINT"];

export interface StoredCredentialsOptions {
  env: Env;
  log: Logger;
  /** `--no-prompt` (`AEC_NO_PROMPT`): an MFA code only from `mfa_process`. */
  noPrompt: boolean;
  /** The AWS files, when already read. */
  files?: AwsFileTexts;
  /** `--region`, which wins over the profile's for the STS call. */
  region?: string | undefined;
  /** Read no session from the cache (`--refresh`). */
  refresh?: boolean;
  /** The long-term keys, whatever the line says: where no session can work. */
  longTerm?: boolean;
}

/** The stored profile's credentials: a session from the cache, a new one, or its keys. */
export async function storedProfileCredentials(
  hook: KeysHook,
  options: StoredCredentialsOptions,
): Promise<Credentials> {
  const { env, log } = options;
  const files = options.files ?? await readAwsFiles(env);
  const settings = profileSettingsFromFiles(files, hook.profile) ?? {};
  const { name, from } = hook.store === undefined
    ? chooseStore(undefined, env, storeSettings(files, hook.profile))
    : { name: hook.store, from: "its credential_process line" };
  const context = { env, log, os: Deno.build.os };
  if (!hook.session || options.longTerm) {
    log.debug(`profile ${hook.profile}: its long-term keys, from the ${name} store (${from})`);
    return await readStoredKeys(await openStore(name, context), hook.profile);
  }
  const store = await createStore(name, context);
  const path = storedSessionPath(hook.profile, env);
  const serial = settings.mfa_serial;
  const seconds = hook.durationSeconds ?? DEFAULT_SESSION_SECONDS;
  const identity = {
    profile: hook.profile,
    fingerprint: await sha256Hex(JSON.stringify({
      profile: hook.profile,
      store: store.name,
      location: store.location,
      serial: serial ?? null,
      seconds,
      env: ENDPOINT_VARIABLES.map((variable) => env[variable] ?? null),
    })),
  };
  const cached = async () =>
    options.refresh ? undefined : await loadCache(path, identity, RENEW_BEFORE_MINUTES, log);
  const hit = await cached();
  if (hit) return registered(hit.credentials);

  using _lock = await lockSession(path);
  const saved = await cached();
  if (saved) return registered(saved.credentials);
  log.debug(`profile ${hook.profile}: a new session, from the keys in the ${name} store (${from})`);
  const keys = await readStoredKeys(await openStore(name, context), hook.profile);
  const session = await getSessionToken(keys, {
    serial,
    seconds,
    region: chooseRegion(options.region, settings.region, env),
    askCode: mfaCodeAsker({
      profile: hook.profile,
      profiles: { [hook.profile]: settings },
      noPrompt: options.noPrompt,
      keepsSession: true,
      env,
      log,
    }),
  });
  await saveCache(path, identity, { credentials: session }, { owned: true, log });
  return session;
}

/** The lock of the session cached at `path`, its directory made first. */
async function lockSession(path: string): Promise<Deno.FsFile> {
  const lockPath = `${path}.lock`;
  try {
    await Deno.mkdir(directoryOf(path), { recursive: true, mode: 0o700 });
    return await acquireLock(lockPath, {
      timeoutMs: LOCK_TIMEOUT_MS,
      onTimeout: () => lockTimeout(path, LOCK_TIMEOUT_MS),
    });
  } catch (error) {
    // Not a bug of aec's: a cache directory it cannot make or write (exit 3, one line).
    if (error instanceof AecError) throw error;
    throw new CredentialError(`Could not lock ${lockPath}: ${firstLine(error)}`, error);
  }
}

/**
 * The profile's keys in `store`.
 *
 * @throws {CredentialError} when it has none, or cannot be read.
 */
export async function readStoredKeys(store: KeyStore, profile: string): Promise<StoredKeys> {
  const keys = await store.get(profile);
  if (keys === undefined) {
    throw new CredentialError(
      `The ${store.name} store (${store.location}) has no keys for profile ${profile}`,
      undefined,
      `add them with 'aec keys add ${profile} --store ${store.name}'`,
    );
  }
  return keys;
}

/** Where the stored profile's session is cached: aec's cache directory, `keys/`. */
export function storedSessionPath(profile: string, env: Env, os = Deno.build.os): string {
  const separator = os === "windows" ? "\\" : "/";
  return `${cacheDirectory(env, os)}${separator}keys${separator}${profileFileName(profile)}`;
}

/** Deletes the stored profile's cached session, if any: after its keys change. */
export async function forgetStoredSession(profile: string, env: Env): Promise<void> {
  await deleteCacheEntry(storedSessionPath(profile, env));
}

/** STS GetSessionToken with the long-term keys, and an MFA code when `serial` is given. */
export async function getSessionToken(
  keys: StoredKeys,
  options: {
    serial: string | undefined;
    seconds: number;
    region: string | undefined;
    askCode: MfaCodeAsker;
  },
): Promise<Credentials> {
  const { serial } = options;
  const code = serial === undefined ? undefined : await options.askCode(serial);
  return await withSts(
    "GetSessionToken",
    { region: options.region, credentials: keys },
    async (client, sts) =>
      issuedCredentials(
        (await client.send(
          new sts.GetSessionTokenCommand({
            DurationSeconds: options.seconds,
            ...(code === undefined ? {} : { SerialNumber: serial, TokenCode: code }),
          }),
        )).Credentials,
        "GetSessionToken",
      ),
  );
}

function registered(credentials: Credentials): Credentials {
  registerSecret(credentials.secretAccessKey);
  registerSecret(credentials.sessionToken);
  return credentials;
}
