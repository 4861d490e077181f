/**
 * The credentials cache (`--cache-file`, `--cache`). Each entry records the
 * identity it belongs to, so an entry for another profile or configuration is
 * a miss, never a wrong answer. A hit must stay cheap: this module imports no
 * npm module, and reads the config files with aec's own INI reader.
 *
 * The default files of `--cache` are aec's own: whatever regular file is there
 * is replaced. An explicit `--cache-file` is replaced only if it holds a cache
 * entry, so that a mistyped path cannot destroy another file.
 */

import {
  readRegularFile,
  readTrustedJson,
  statRegularFile,
  writeFileAtomic,
} from "../files/mod.ts";
import {
  type AwsFileTexts,
  configSections,
  credentialsSection,
  homeDirectory,
  readAwsFiles,
} from "../config/mod.ts";
import { type Credentials, isoSeconds, type Logger, warn } from "../support/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

const PROVIDER_TYPE = "aec";
// aws-export-credentials' cache files: never read (they name no identity), but
// replaced, so that a --cache-file carried over from it keeps working.
const SEED_PROVIDER_TYPE = "aws-export-credentials";
const FORMAT_VERSION = 1;
// How saved entries start: a damaged one is still recognised as aec's.
const ENTRY_START = `{"ProviderType":"${PROVIDER_TYPE}",`;
// An entry is a few hundred bytes; a larger file is not a cache file, and is
// never read whole (it could be any file, of any size).
const MAX_ENTRY_BYTES = 64 * 1024;
const decoder = new TextDecoder();

/** What a cache entry must match to be used. */
export interface CacheIdentity {
  profile: string;
  fingerprint: string;
}

export interface CachedCredentials {
  credentials: Credentials;
  /** The region the profile's configuration gave when the entry was saved. */
  region?: string;
}

// Environment variables that change what the SDK resolves for a profile.
const IDENTITY_VARIABLES = [
  // Read by `credential_source = Environment`; the key id is not a secret.
  "AWS_ACCESS_KEY_ID",
  "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT",
  "AWS_ENDPOINT_URL",
  "AWS_ENDPOINT_URL_STS",
  "AWS_ENDPOINT_URL_SSO",
];

/**
 * The sections a profile's credentials can depend on: the profile in both
 * files, every `source_profile` it leads to, and their `sso-session`s. Every
 * spelling the SDK accepts is included, so a change to any of them is a miss.
 */
function relevantSections(profile: string, config: string, credentials: string) {
  const sections: Record<string, unknown> = {};
  const pending = [profile];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (`credentials:${name}` in sections) continue;
    const inCredentials = credentialsSection(credentials, name);
    const inConfig = configSections(config, "profile", name);
    sections[`credentials:${name}`] = inCredentials ?? null;
    sections[`config:${name}`] = inConfig;
    for (const values of [...inConfig, inCredentials]) {
      if (values?.source_profile) pending.push(values.source_profile);
      if (values?.sso_session) {
        sections[`sso-session:${values.sso_session}`] = configSections(
          config,
          "sso-session",
          values.sso_session,
        );
      }
    }
  }
  return sections;
}

/**
 * A digest of everything that determines the profile's credentials: its
 * resolved sections of the config and credentials files, the environment
 * variables that redirect the SDK, and aec's own options that change them.
 */
export async function identityFingerprint(
  profile: string,
  options: { ensureTemporary: boolean },
  env: Env,
  files?: AwsFileTexts,
): Promise<string> {
  const { config, credentials } = files ?? await readAwsFiles(env);
  const material = JSON.stringify({
    profile,
    ensureTemporary: options.ensureTemporary,
    sections: relevantSections(profile, config, credentials),
    env: IDENTITY_VARIABLES.map((name) => env[name] ?? null),
  });
  return await sha256Hex(material);
}

/** The SHA-256 of `text` (UTF-8), in lower-case hex: for cache keys and file names. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** aec's own cache directory: the platform's user cache directory, `aec` in it. */
export function cacheDirectory(env: Env, os = Deno.build.os): string {
  return os === "windows"
    ? `${env.LOCALAPPDATA ?? `${homeDirectory(env)}\\AppData\\Local`}\\aec\\cache`
    : os === "darwin"
    ? `${homeDirectory(env)}/Library/Caches/aec`
    : `${env.XDG_CACHE_HOME || `${homeDirectory(env)}/.cache`}/aec`;
}

/** The per-profile cache file for `--cache`, in aec's cache directory. */
export function defaultCachePath(profile: string, env: Env, os = Deno.build.os): string {
  return `${cacheDirectory(env, os)}${os === "windows" ? "\\" : "/"}${profileFileName(profile)}`;
}

/** `PROFILE.json`, a safe file name on every platform for any profile name. */
export function profileFileName(profile: string): string {
  // Other characters become %XX per UTF-8 byte.
  const safe = Array.from(new TextEncoder().encode(profile), (byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9._-]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }).join("");
  return `${safe}.json`;
}

/**
 * The cached credentials for `identity` if `path` holds a trustworthy entry
 * that expires more than `bufferMinutes` from now. Every reason for a miss is
 * told to `--debug`; none is an error.
 */
export async function loadCache(
  path: string,
  identity: CacheIdentity,
  bufferMinutes: number,
  log: Logger,
): Promise<CachedCredentials | undefined> {
  const miss = (why: string) => {
    log.debug(`cache miss (${path}): ${why}`);
    return undefined;
  };
  // Readable or writable by others: someone else could have planted it, or read it.
  const read = await readTrustedJson(path, MAX_ENTRY_BYTES, 0o077);
  if (!read.ok) return miss(read.why);
  const entry = read.value;
  const parsed = parseEntry(entry);
  if (typeof parsed === "string") return miss(parsed);
  if (parsed.profile !== identity.profile) return miss(`entry is for profile ${parsed.profile}`);
  if (parsed.fingerprint !== identity.fingerprint) return miss("configuration changed");
  const remaining = parsed.cached.credentials.expiration!.getTime() - Date.now();
  if (remaining <= bufferMinutes * 60_000) {
    return miss(`expires in ${Math.round(remaining / 60_000)} min, within the buffer`);
  }
  log.debug(`cache hit (${path}): expires in ${Math.round(remaining / 60_000)} min`);
  return parsed.cached;
}

function parseEntry(
  entry: unknown,
): { profile: string; fingerprint: string; cached: CachedCredentials } | string {
  if (typeof entry !== "object" || entry === null) return "not an aec cache entry";
  const { ProviderType, Version, Profile, Fingerprint, Region, Credentials: c } = entry as Record<
    string,
    unknown
  >;
  if (ProviderType !== PROVIDER_TYPE || Version !== FORMAT_VERSION) {
    return "not an aec cache entry";
  }
  if (typeof Profile !== "string" || typeof Fingerprint !== "string") return "no identity";
  if (typeof c !== "object" || c === null) return "no credentials";
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = c as Record<string, unknown>;
  if (typeof AccessKeyId !== "string" || !AccessKeyId) return "no access key id";
  if (typeof SecretAccessKey !== "string" || !SecretAccessKey) return "no secret access key";
  if (SessionToken !== undefined && typeof SessionToken !== "string") return "bad session token";
  const expiration = typeof Expiration === "string" ? new Date(Expiration) : undefined;
  if (!expiration || Number.isNaN(expiration.getTime())) return "no valid expiration";
  const credentials: Credentials = {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    expiration,
  };
  if (SessionToken) credentials.sessionToken = SessionToken;
  const cached: CachedCredentials = { credentials };
  if (typeof Region === "string") cached.region = Region;
  return { profile: Profile, fingerprint: Fingerprint, cached };
}

/**
 * Whether saving may replace `path`: any regular file if aec `owns` it (the
 * default files of `--cache`), else only a missing or empty file or a cache
 * entry of aec's (even damaged) or aws-export-credentials', so that a mistyped
 * --cache-file can never destroy another file (say, ~/.aws/credentials).
 */
async function isReplaceable(path: string, owned: boolean): Promise<boolean> {
  try {
    if (owned) return await statRegularFile(path).then(() => true);
    const contents = await readRegularFile(path, { limit: MAX_ENTRY_BYTES });
    if (contents === undefined) return true;
    if (contents === "too large") return false;
    const text = decoder.decode(contents.bytes).trim();
    if (text === "" || text.startsWith(ENTRY_START)) return true;
    const type = (JSON.parse(text) as { ProviderType?: unknown })?.ProviderType;
    return type === PROVIDER_TYPE || type === SEED_PROVIDER_TYPE;
  } catch {
    return false;
  }
}

/**
 * Saves `cached` for `identity` at `path` (0600, directory 0700, atomically).
 * Credentials that never expire are not cached. A `path` that aec does not
 * `own` and that holds something else than a cache entry is left alone, with
 * a warning, since caching is then off; other failures only reach `--debug`.
 */
export async function saveCache(
  path: string,
  identity: CacheIdentity,
  cached: CachedCredentials,
  options: { owned: boolean; log: Logger },
): Promise<void> {
  const { log } = options;
  const { credentials } = cached;
  if (!credentials.expiration) {
    log.debug("not caching: the credentials do not expire");
    return;
  }
  const entry = {
    ProviderType: PROVIDER_TYPE,
    Version: FORMAT_VERSION,
    Profile: identity.profile,
    Fingerprint: identity.fingerprint,
    ...(cached.region === undefined ? {} : { Region: cached.region }),
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { SessionToken: credentials.sessionToken } : {}),
      Expiration: isoSeconds(credentials.expiration),
    },
  };
  try {
    if (!await isReplaceable(path, options.owned)) {
      warn(`not caching: ${path} is not an aec cache file`);
      return;
    }
    const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
    if (slash > 0) await Deno.mkdir(path.slice(0, slash), { recursive: true, mode: 0o700 });
    // No lock: only a temporary file older than any write is a killed writer's.
    await writeFileAtomic(path, JSON.stringify(entry) + "\n", {
      mode: 0o600,
      leftoverAgeMs: 60_000,
    });
    log.debug(`saved credentials to the cache (${path})`);
  } catch (error) {
    log.debug(`could not save the cache (${path}): ${String(error)}`);
  }
}

/** Deletes `path` if it is an aec cache entry; says whether it did. */
export async function deleteCacheEntry(path: string): Promise<boolean> {
  try {
    const contents = await readRegularFile(path, { limit: MAX_ENTRY_BYTES });
    if (contents === undefined || contents === "too large") return false;
    const entry = JSON.parse(decoder.decode(contents.bytes)) as { ProviderType?: unknown } | null;
    if (entry?.ProviderType !== PROVIDER_TYPE) return false;
    await Deno.remove(path);
    return true;
  } catch {
    return false;
  }
}
