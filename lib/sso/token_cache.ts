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
import { CredentialError, firstLine } from "../errors.ts";
import { pythonJsonDumps, sha1Hex } from "../python_json.ts";

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

/** How usable a token is without signing in again. */
export type TokenState = "valid" | "refreshable" | "expired" | "missing";

export function tokenState(token: SsoToken | undefined, now = Date.now()): TokenState {
  if (token === undefined) return "missing";
  const expires = Date.parse(token.expiresAt);
  // The SDKs refresh a token five minutes before it ends.
  if (expires - now > 5 * 60_000) return "valid";
  const registrationEnds = Date.parse(token.registrationExpiresAt ?? "");
  if (
    token.refreshToken && token.clientId && token.clientSecret &&
    !(registrationEnds <= now)
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
  return Date.parse(registration.expiresAt) - now > REGISTRATION_MARGIN_MS &&
    grantTypes.every((grant) => has.includes(grant));
}
