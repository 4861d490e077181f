/**
 * MFA sessions: one code, many roles, long jobs. For a role profile with
 * `mfa_serial` whose source is long-term keys, aec asks for the code once,
 * gets an MFA session (STS GetSessionToken), keeps it in its cache directory
 * and assumes the role with it, without MFA fields (the session carries the
 * MFA context). Every role with the same source and serial then resolves
 * without a prompt until the session nears its end. A source whose keys aec
 * keeps in a store (`aec keys`) counts: the store is read for a new session.
 *
 * Roles assumed from a session are role-chained, which AWS caps at one hour;
 * a profile that asks for more keeps the direct AssumeRole with MFA.
 *
 * @module
 */

import { readTrustedJson, writeFileAtomic } from "../files/mod.ts";
import { cacheDirectory, identityFingerprint, sha256Hex } from "../caches/mod.ts";
import { type Credentials, isoSeconds, type Logger, registerSecret } from "../support/mod.ts";
import { type Profiles, profileSettings } from "../config/mod.ts";
import { issuedCredentials, type RequestHandler, type StsOptions, withSts } from "../sdk/mod.ts";
import type { MfaCodeAsker } from "../prompt/mod.ts";
import { keysHookOf, storedProfileCredentials } from "../keys/mod.ts";
import type { KeysHook } from "../options/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

// Role chaining caps a role session at one hour.
const CHAINED_ROLE_MAX_SECONDS = 3600;
// A session this close to its end is renewed (with a prompt) first.
const RENEW_BEFORE_MS = 5 * 60_000;
const PROVIDER_TYPE = "aec-mfa-session";

/** A role profile that can use an MFA session: its role and where the session comes from. */
export interface MfaRole {
  roleArn: string;
  roleSessionName?: string;
  externalId?: string;
  durationSeconds?: number;
  serial: string;
  /** The profile holding the long-term keys. */
  sourceProfile: string;
  /** Its keys, or the line that reads them from aec's key store (only for a new session). */
  sourceKeys: Credentials | { storedIn: KeysHook };
}

/**
 * The MFA role of profile `name`, or why it takes the direct AssumeRole with
 * MFA instead (a string, for `--debug`).
 */
export function mfaRoleOf(profiles: Profiles, name: string): MfaRole | string {
  const settings = profileSettings(profiles, name);
  const serial = settings?.mfa_serial;
  if (!settings?.role_arn || !serial) return "no role with mfa_serial";
  const sourceProfile = settings.source_profile;
  if (!sourceProfile || settings.credential_source || settings.web_identity_token_file) {
    return "its source is not a profile with keys";
  }
  const source = profileSettings(profiles, sourceProfile);
  const hasKeys = source?.aws_access_key_id !== undefined &&
    source.aws_secret_access_key !== undefined && source.aws_session_token === undefined;
  // The SDK reads keys first, then web identity, then the line; a role would come first.
  const stored = !hasKeys && !source?.role_arn && !source?.web_identity_token_file &&
      !source?.aws_access_key_id
    ? keysHookOf(source?.credential_process)
    : undefined;
  if (!hasKeys && !stored) return "its source profile does not hold long-term keys";
  const duration = settings.duration_seconds === undefined
    ? undefined
    : Number(settings.duration_seconds);
  if (duration !== undefined && !(duration <= CHAINED_ROLE_MAX_SECONDS)) {
    return `duration_seconds ${settings.duration_seconds} is more than the hour a role assumed ` +
      "from a session may last";
  }
  const role: MfaRole = {
    roleArn: settings.role_arn,
    serial,
    sourceProfile,
    sourceKeys: stored ? { storedIn: stored } : {
      accessKeyId: source!.aws_access_key_id!,
      secretAccessKey: source!.aws_secret_access_key!,
    },
  };
  if (settings.role_session_name !== undefined) role.roleSessionName = settings.role_session_name;
  if (settings.external_id !== undefined) role.externalId = settings.external_id;
  if (duration !== undefined) role.durationSeconds = duration;
  return role;
}

/** Where the MFA session of `sourceProfile`'s identity and `serial` is kept. */
async function mfaSessionPath(sourceProfile: string, serial: string, env: Env) {
  const fingerprint = await identityFingerprint(sourceProfile, { ensureTemporary: false }, env);
  const name = await sha256Hex(`${fingerprint}\n${serial}`);
  return `${cacheDirectory(env)}/mfa-sessions/${name}.json`;
}

export interface MfaSessionOptions {
  env: Env;
  log: Logger;
  region: string | undefined;
  requestHandler: RequestHandler;
  /** Client plugins for the AssumeRole call. */
  plugins?: StsOptions["plugins"];
  /** The session's length (GetSessionToken DurationSeconds). */
  sessionSeconds: number;
  /** Asks for the code that starts a session. */
  askCode: MfaCodeAsker;
}

/**
 * The role's credentials, assumed with the MFA session (asking for a code only
 * without one). A saved session that STS refuses as ended or unknown is
 * dropped and a new one started, once, as if there had been none.
 */
export async function assumeWithMfaSession(
  role: MfaRole,
  options: MfaSessionOptions,
): Promise<Credentials> {
  const path = await mfaSessionPath(role.sourceProfile, role.serial, options.env);
  const saved = await loadSession(path, role.serial, options.log);
  if (saved === undefined) {
    return await assumeRole(role, await startSession(path, role, options), options);
  }
  try {
    return await assumeRole(role, saved, options);
  } catch (error) {
    const refusal = sessionRefusal(error);
    if (refusal === undefined) throw error;
    options.log.debug(
      `STS refused the MFA session for ${role.serial} (${refusal}); dropping it and asking again`,
    );
    await Deno.remove(path).catch(() => {});
    return await assumeRole(role, await startSession(path, role, options), options);
  }
}

// STS's answers for a session whose own credentials no longer work (ended
// early, or its source key deactivated or deleted): only a new session helps.
// A denial of the role (AccessDenied) is not one: a new code would not change it.
const SESSION_REFUSALS = new Set(["ExpiredToken", "InvalidClientTokenId"]);

/** The error code when STS refused the session's credentials themselves. */
function sessionRefusal(error: unknown): string | undefined {
  const name = error instanceof Error && error.cause instanceof Error
    ? error.cause.name
    : undefined;
  return name !== undefined && SESSION_REFUSALS.has(name) ? name : undefined;
}

/** AssumeRole signed with the MFA session, without MFA fields. */
function assumeRole(
  role: MfaRole,
  session: Credentials,
  options: MfaSessionOptions,
): Promise<Credentials> {
  return withSts(
    "AssumeRole",
    {
      region: options.region,
      credentials: session,
      requestHandler: options.requestHandler,
      ...(options.plugins === undefined ? {} : { plugins: options.plugins }),
    },
    async (client, sts) => {
      const { Credentials: assumed } = await client.send(
        new sts.AssumeRoleCommand({
          RoleArn: role.roleArn,
          RoleSessionName: role.roleSessionName ?? `aec-${Date.now()}`,
          ...(role.externalId === undefined ? {} : { ExternalId: role.externalId }),
          ...(role.durationSeconds === undefined ? {} : { DurationSeconds: role.durationSeconds }),
        }),
      );
      return issuedCredentials(assumed, "AssumeRole");
    },
  );
}

/** When the MFA session for the role ends, if there is a usable one. */
export async function mfaSessionEnd(
  role: MfaRole,
  env: Env,
  log: Logger,
): Promise<Date | undefined> {
  const path = await mfaSessionPath(role.sourceProfile, role.serial, env);
  return (await loadSession(path, role.serial, log))?.expiration;
}

/** Deletes the MFA session of the role, if any; says whether there was one. */
export async function forgetMfaSession(role: MfaRole, env: Env): Promise<boolean> {
  const path = await mfaSessionPath(role.sourceProfile, role.serial, env);
  try {
    await Deno.remove(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Deletes every MFA session aec keeps; says how many there were. */
export async function forgetAllMfaSessions(env: Env): Promise<number> {
  const directory = `${cacheDirectory(env)}/mfa-sessions`;
  let count = 0;
  try {
    for await (const entry of Deno.readDir(directory)) {
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      await Deno.remove(`${directory}/${entry.name}`);
      count++;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return count;
}

async function loadSession(
  path: string,
  serial: string,
  log: Logger,
): Promise<Credentials | undefined> {
  const read = await readTrustedJson(path, 64 * 1024, 0o077);
  if (!read.ok) {
    log.debug(`no MFA session for ${serial} (${read.why})`);
    return undefined;
  }
  const entry = read.value as {
    ProviderType?: unknown;
    SerialNumber?: unknown;
    Credentials?: Record<string, unknown>;
  } | null;
  const c = entry?.Credentials;
  if (
    entry?.ProviderType !== PROVIDER_TYPE || entry.SerialNumber !== serial ||
    typeof c?.AccessKeyId !== "string" || typeof c.SecretAccessKey !== "string" ||
    typeof c.SessionToken !== "string" || typeof c.Expiration !== "string"
  ) {
    log.debug(`no MFA session for ${serial} (not a session entry)`);
    return undefined;
  }
  const expiration = new Date(c.Expiration);
  if (!(expiration.getTime() - Date.now() > RENEW_BEFORE_MS)) {
    log.debug(`the MFA session for ${serial} has ended or is about to`);
    return undefined;
  }
  registerSecret(c.SecretAccessKey);
  registerSecret(c.SessionToken);
  log.debug(`using the MFA session for ${serial}, until ${isoSeconds(expiration)}`);
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration,
  };
}

/** Asks for a code, gets a session with it (STS GetSessionToken) and saves it. */
async function startSession(
  path: string,
  role: MfaRole,
  options: MfaSessionOptions,
): Promise<Credentials> {
  const { sourceKeys } = role;
  // The store first: a code typed for keys that cannot be read would be wasted.
  const keys = "storedIn" in sourceKeys
    ? await storedProfileCredentials(sourceKeys.storedIn, {
      env: options.env,
      log: options.log,
      // The keys themselves: no session, so no code is asked there.
      noPrompt: true,
      longTerm: true,
    })
    : sourceKeys;
  const code = await options.askCode(role.serial);
  const session = await withSts(
    "GetSessionToken",
    {
      region: options.region,
      credentials: keys,
      requestHandler: options.requestHandler,
    },
    async (client, sts) =>
      issuedCredentials(
        (await client.send(
          new sts.GetSessionTokenCommand({
            SerialNumber: role.serial,
            TokenCode: code,
            DurationSeconds: options.sessionSeconds,
          }),
        )).Credentials,
        "GetSessionToken",
      ),
  );
  const entry = {
    ProviderType: PROVIDER_TYPE,
    Version: 1,
    SerialNumber: role.serial,
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: isoSeconds(session.expiration!),
    },
  };
  try {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
    await writeFileAtomic(path, JSON.stringify(entry), { mode: 0o600, leftoverAgeMs: 60_000 });
    options.log.debug(
      `saved the MFA session for ${role.serial}, until ${isoSeconds(session.expiration!)}`,
    );
  } catch (error) {
    // Still usable for this run; the next one asks again.
    options.log.debug(`could not save the MFA session (${path}): ${String(error)}`);
  }
  return session;
}
