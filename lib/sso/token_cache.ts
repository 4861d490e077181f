/**
 * The IAM Identity Center token cache every AWS tool shares:
 * `~/.aws/sso/cache/<sha1>.json`, named by the sso-session's name (or a
 * legacy profile's start URL exactly as written). aec writes the fields that
 * the AWS CLI, botocore and the SDKs need to use and refresh the token, and
 * keeps its own client registrations in the same directory under names that
 * can never be the AWS CLI's.
 *
 * @module
 */

import { readRegularFile, writeFileAtomic } from "../files/mod.ts";
import { homeDirectory } from "../config/mod.ts";
import { CredentialError, firstLine, pythonJsonDumps, sha1Hex } from "../support/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** What aec signs in to: an `[sso-session]` or a legacy profile's start URL. */
export interface SsoTarget {
  /** The sso-session's name; absent for a legacy profile. */
  sessionName?: string;
  startUrl: string;
  region: string;
  /** `sso_registration_scopes`; legacy profiles have none. */
  scopes: string[];
  /** `sso_use_device_code = true`: sign in with a device code even where a browser could answer. */
  useDeviceCode?: true;
}

/** A token file's contents, as the AWS CLI writes it. */
export interface SsoToken {
  startUrl: string;
  region: string;
  accessToken: string;
  expiresAt: string;
  clientId?: string;
  clientSecret?: string;
  registrationExpiresAt?: string;
  refreshToken?: string;
}

export interface Registration {
  clientId: string;
  clientSecret: string;
  expiresAt: string;
  grantTypes: string[];
  scopes?: string[];
}

// A token or registration larger than this is not one.
const MAX_FILE_BYTES = 64 * 1024;
// The AWS CLI's margin: a registration this close to its end is renewed.
const REGISTRATION_MARGIN_MS = 15 * 60_000;

export function cacheDirectory(env: Env): string {
  return `${homeDirectory(env)}/.aws/sso/cache`;
}

/** The token file for `target`, as every AWS tool names it. */
export async function tokenPath(target: SsoTarget, env: Env): Promise<string> {
  return `${cacheDirectory(env)}/${await sha1Hex(target.sessionName ?? target.startUrl)}.json`;
}

/** aec's client registration for `target` and `grantTypes`; the `tool` field keeps it apart from the CLI's. */
export async function registrationPath(
  target: SsoTarget,
  grantTypes: readonly string[],
  env: Env,
): Promise<string> {
  const key = pythonJsonDumps({
    tool: "aec",
    startUrl: target.startUrl,
    region: target.region,
    scopes: target.scopes,
    session_name: target.sessionName ?? null,
    grantTypes: [...grantTypes],
  });
  return `${cacheDirectory(env)}/${await sha1Hex(key)}.json`;
}

/** The JSON object in `path`, or `undefined` when it is missing, not a small regular file or not JSON. */
export async function readJsonObject(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const contents = await readRegularFile(path, { limit: MAX_FILE_BYTES });
    if (contents === undefined || contents === "too large") return undefined;
    const value: unknown = JSON.parse(new TextDecoder().decode(contents.bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? value as Record<string, unknown>
      : undefined;
  } catch {
    return undefined;
  }
}

/** The token in `path` if it is one (it has an access token and an expiry). */
export async function readToken(path: string): Promise<SsoToken | undefined> {
  const value = await readJsonObject(path);
  if (typeof value?.accessToken !== "string" || typeof value.expiresAt !== "string") {
    return undefined;
  }
  return value as unknown as SsoToken;
}

/** Writes `value` as a cache file: 0600 in a 0700 directory, atomically. */
export async function writeCacheFile(path: string, value: unknown): Promise<void> {
  try {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
    // No lock (as with the AWS CLI): only an old temporary file is a killed writer's.
    await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n", {
      mode: 0o600,
      leftoverAgeMs: 60_000,
    });
  } catch (error) {
    throw new CredentialError(`Could not write ${path}: ${firstLine(error)}`, error);
  }
}

// The times botocore reads (dateutil's parser, and a zone, or it cannot compare them): ISO 8601,
// extended or basic, `T` or a space, a fraction of a second, and `Z`, `UTC`, `GMT` or an offset.
// The AWS CLI v2 wrote `2021-01-01T00:00:00UTC` before 2.1.14; JavaScript's Date cannot read it.
const TOKEN_TIME =
  /^\s*(\d{4})(-?)(\d\d)\2(\d\d)[Tt ](\d\d)(:?)(\d\d)(?:\6(\d\d)(?:[.,](\d+))?)?\s*(?:[Zz]|UTC|GMT|([+-])(\d\d)(?::?(\d\d))?)\s*$/;

/**
 * A time in a token or registration file (`expiresAt`, `registrationExpiresAt`)
 * in milliseconds since the epoch, or `undefined` when botocore could not read it.
 */
export function parseTokenTime(text: string): number | undefined {
  const match = TOKEN_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 3, 4, 5, 7, 8].map((group) =>
    Number(match[group] ?? 0)
  ) as [number, number, number, number, number, number];
  const [sign, offsetHours, offsetMinutes] = [match[10], Number(match[11]), Number(match[12] ?? 0)];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Date rolls 2030-02-30 over into March; botocore refuses it, as it refuses a 24th hour.
  if (
    year === 0 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 ||
    minute > 59 || second > 59 || (sign !== undefined && (offsetHours > 23 || offsetMinutes > 59))
  ) {
    return undefined;
  }
  // botocore keeps microseconds; whole milliseconds are what aec compares.
  const milliseconds = Number((match[9] ?? "").slice(0, 3).padEnd(3, "0"));
  const offset = sign === undefined ? 0 : (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + milliseconds -
    (sign === "-" ? -offset : offset);
}

/** How usable a token is without signing in again. */
export type TokenState = "valid" | "refreshable" | "expired" | "missing";

export function tokenState(token: SsoToken | undefined, now = Date.now()): TokenState {
  if (token === undefined) return "missing";
  // A time no reader understands is a token that has ended.
  const expires = parseTokenTime(token.expiresAt) ?? -Infinity;
  // The SDKs refresh a token five minutes before it ends.
  if (expires - now > 5 * 60_000) return "valid";
  const registrationEnds = parseTokenTime(String(token.registrationExpiresAt ?? ""));
  if (
    token.refreshToken && token.clientId && token.clientSecret &&
    !(registrationEnds !== undefined && registrationEnds <= now)
  ) {
    return "refreshable";
  }
  return expires > now ? "valid" : "expired";
}

/** A registration still good for more than the margin, with the grant types asked for. */
export function isReusable(
  registration: Record<string, unknown> | undefined,
  grantTypes: readonly string[],
  now = Date.now(),
): registration is Record<string, unknown> & Registration {
  if (
    typeof registration?.clientId !== "string" || typeof registration.clientSecret !== "string" ||
    typeof registration.expiresAt !== "string" || !Array.isArray(registration.grantTypes)
  ) {
    return false;
  }
  const has = registration.grantTypes as unknown[];
  return (parseTokenTime(registration.expiresAt) ?? -Infinity) - now > REGISTRATION_MARGIN_MS &&
    grantTypes.every((grant) => has.includes(grant));
}
