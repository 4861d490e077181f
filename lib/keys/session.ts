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
} from "../cache.ts";
import { profileSettingsFromFiles, readAwsFiles } from "../config/mod.ts";
import type { Credentials } from "../credentials.ts";
import { CredentialError } from "../errors.ts";
import { lockFile } from "../files/mod.ts";
import type { Logger } from "../log.ts";
import { chooseRegion } from "../profile.ts";
import type { RequestHandler } from "../sdk_http.ts";
import { issuedCredentials, withSts } from "../sts.ts";
import { registerSecret } from "../redact.ts";
import { promptMfaCode } from "../terminal.ts";
import type { KeysHook } from "./hook.ts";
import type { Env, KeyStore, StoredKeys } from "./store.ts";
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
  /** `--region`, which wins over the profile's for the STS call. */
  region?: string | undefined;
  requestHandler?: RequestHandler;
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
  const files = await readAwsFiles(env);
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
    fingerprint: await fingerprint({
      profile: hook.profile,
      store: store.name,
      location: store.location,
      serial: serial ?? null,
      seconds,
      env: ENDPOINT_VARIABLES.map((variable) => env[variable] ?? null),
    }),
  };
  const cached = async () =>
    options.refresh ? undefined : await loadCache(path, identity, RENEW_BEFORE_MINUTES, log);
  const hit = await cached();
  if (hit) return registered(hit.credentials);

  await Deno.mkdir(path.slice(0, Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))), {
    recursive: true,
    mode: 0o700,
  });
  using _lock = await lockFile(`${path}.lock`, LOCK_TIMEOUT_MS, path);
  const saved = await cached();
  if (saved) return registered(saved.credentials);
  log.debug(`profile ${hook.profile}: a new session, from the keys in the ${name} store (${from})`);
  const keys = await readStoredKeys(await openStore(name, context), hook.profile);
  const session = await getSessionToken(keys, {
    serial,
    seconds,
    region: chooseRegion(options.region, settings.region, env),
    ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
  });
  await saveCache(path, identity, { credentials: session }, { owned: true, log });
  return session;
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

/** STS GetSessionToken with the long-term keys (and an MFA code, asked on the terminal). */
async function getSessionToken(
  keys: StoredKeys,
  options: {
    serial: string | undefined;
    seconds: number;
    region: string | undefined;
    requestHandler?: RequestHandler;
  },
): Promise<Credentials> {
  const code = options.serial === undefined ? undefined : await promptMfaCode(options.serial);
  return await withSts(
    "GetSessionToken",
    {
      region: options.region,
      credentials: keys,
      ...(options.requestHandler ? { requestHandler: options.requestHandler } : {}),
    },
    async (client, sts) =>
      issuedCredentials(
        (await client.send(
          new sts.GetSessionTokenCommand({
            DurationSeconds: options.seconds,
            ...(code === undefined ? {} : { SerialNumber: options.serial, TokenCode: code }),
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

async function fingerprint(material: unknown): Promise<string> {
  const digest = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(JSON.stringify(material)),
  );
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
