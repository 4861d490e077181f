/**
 * The AWS CLI's assume-role cache (`~/.aws/cli/cache`), read and written, so
 * that a role session is shared with the AWS CLI in both directions. The file
 * name is the CLI's own: the SHA-1 of the AssumeRole arguments the profile
 * configures, as Python's `json.dumps(args, sort_keys=True)` writes them. No
 * npm module is imported: a hit costs what aec's own cache hit costs.
 *
 * @module
 */

import { readTrustedJson, writeFileAtomic } from "../files/mod.ts";
import { homeDirectory } from "../config/mod.ts";
import {
  CredentialError,
  type Credentials,
  firstLine,
  isoSeconds,
  type Logger,
  pythonJsonDumps,
  sha1Hex,
} from "../support/mod.ts";
import type { AssumeRoleAnswer } from "../sdk/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** The AssumeRole arguments that name a role session in the CLI's cache. */
export interface RoleCall {
  RoleArn: string;
  RoleSessionName?: string;
  SerialNumber?: string;
  ExternalId?: string;
  DurationSeconds?: number;
}

// The CLI uses an entry until 15 minutes before it expires; so does aec.
const EXPIRY_WINDOW_MS = 15 * 60_000;
const MAX_ENTRY_BYTES = 64 * 1024;

/**
 * The AssumeRole call that is the last step of a profile, as the CLI keys it,
 * or `undefined` when the profile does not end in AssumeRole (web identity,
 * SSO, keys) or its `duration_seconds` is not a whole number.
 */
export function roleCallOf(
  settings: Readonly<Record<string, string | undefined>>,
): RoleCall | undefined {
  const { role_arn, source_profile, credential_source, web_identity_token_file } = settings;
  if (!role_arn || web_identity_token_file || (!source_profile && !credential_source)) {
    return undefined;
  }
  const call: RoleCall = { RoleArn: role_arn };
  if (settings.role_session_name !== undefined) call.RoleSessionName = settings.role_session_name;
  if (settings.mfa_serial !== undefined) call.SerialNumber = settings.mfa_serial;
  if (settings.external_id !== undefined) call.ExternalId = settings.external_id;
  if (settings.duration_seconds !== undefined) {
    // Python's int(): an optional sign and digits.
    if (!/^[+-]?\d+$/.test(settings.duration_seconds.trim())) return undefined;
    call.DurationSeconds = Number.parseInt(settings.duration_seconds, 10);
  }
  return call;
}

/** `~/.aws/cli/cache/<key>.json` for `call`, as botocore names it. */
export function cliCachePath(call: RoleCall, env: Env): Promise<string> {
  return cacheFile(pythonJsonDumps({ ...call }), env);
}

/** The file botocore keeps under the SHA-1 of `args`, made file-safe as it does. */
async function cacheFile(args: string, env: Env): Promise<string> {
  const key = (await sha1Hex(args)).replace(/[:/\\]/g, "_");
  return `${cliCacheDirectory(env)}/${key}.json`;
}

function cliCacheDirectory(env: Env): string {
  return `${homeDirectory(env)}/.aws/cli/cache`;
}

/** A role of IAM Identity Center, whose credentials AWS CLI v2 caches beside role sessions. */
export interface SsoRole {
  accountId: string;
  roleName: string;
  /** The sso-session's name; a legacy profile's entry is keyed by its start URL instead. */
  sessionName?: string;
  startUrl: string;
}

/** The CLI's entry for `role`, named as botocore's `SSOCredentialFetcher._create_cache_key` does. */
export function ssoCliCachePath(role: SsoRole, env: Env): Promise<string> {
  const args = { roleName: role.roleName, accountId: role.accountId };
  return cacheFile(
    pythonJsonDumps(
      role.sessionName
        ? { ...args, sessionName: role.sessionName }
        : { ...args, startUrl: role.startUrl },
      { compact: true },
    ),
    env,
  );
}

/**
 * Deletes the CLI's cached IAM Identity Center role credentials: those of
 * `roles`, or every one (what `aws sso logout` deletes). Only a JSON file of
 * this user with `"ProviderType": "sso"` goes, and of a link only the link.
 * Returns how many went.
 */
export async function deleteSsoCliCache(
  roles: readonly SsoRole[] | "all",
  env: Env,
  log: Logger,
): Promise<number> {
  const directory = cliCacheDirectory(env);
  const paths = new Set<string>();
  if (roles === "all") {
    try {
      for await (const entry of Deno.readDir(directory)) {
        if (entry.name.endsWith(".json")) paths.add(`${directory}/${entry.name}`);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  } else {
    for (const role of roles) paths.add(await ssoCliCachePath(role, env));
  }
  let deleted = 0;
  for (const path of paths) {
    const read = await readTrustedJson(path, MAX_ENTRY_BYTES, 0);
    if (!read.ok || (read.value as { ProviderType?: unknown } | null)?.ProviderType !== "sso") {
      continue;
    }
    try {
      await Deno.remove(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw new CredentialError(`Could not delete ${path}: ${firstLine(error)}`, error);
    }
    log.debug(`removed the AWS CLI's cached IAM Identity Center role credentials ${path}`);
    deleted++;
  }
  return deleted;
}

/**
 * The credentials of the CLI's entry at `path` when it is trustworthy (a
 * small regular file of this user that others cannot write, with all four
 * fields) and expires more than 15 minutes from now.
 */
export async function loadCliCache(path: string, log: Logger): Promise<Credentials | undefined> {
  const miss = (why: string) => {
    log.debug(`AWS CLI cache miss (${path}): ${why}`);
    return undefined;
  };
  const read = await readTrustedJson(path, MAX_ENTRY_BYTES, 0o022);
  if (!read.ok) return miss(read.why);
  const entry = (read.value as { Credentials?: Record<string, unknown> } | null)?.Credentials;
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = entry ?? {};
  if (
    typeof AccessKeyId !== "string" || !AccessKeyId || typeof SecretAccessKey !== "string" ||
    !SecretAccessKey || typeof SessionToken !== "string" || !SessionToken ||
    typeof Expiration !== "string"
  ) {
    return miss("not an assume-role entry");
  }
  const expiration = parseCliTime(Expiration);
  if (expiration === undefined) return miss("no valid expiration");
  const remaining = expiration.getTime() - Date.now();
  if (remaining <= EXPIRY_WINDOW_MS) {
    return miss(`expires in ${Math.round(remaining / 60_000)} min, within the CLI's 15`);
  }
  log.debug(`AWS CLI cache hit (${path}): expires in ${Math.round(remaining / 60_000)} min`);
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    sessionToken: SessionToken,
    expiration,
  };
}

/**
 * A time as botocore writes it (`2026-01-02T03:04:05UTC`, from `%Z`) or as
 * ISO 8601 with an offset or `Z`.
 */
export function parseCliTime(text: string): Date | undefined {
  const iso = text.trim().replace(/(?:UTC|GMT)$/, "Z");
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)$/.test(iso)) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Writes `credentials` as the CLI's entry at `path` (0600, directory 0700,
 * atomically), as botocore writes it: STS's answer with the account id in
 * `Credentials.AccountId` (from the assumed role's ARN, or the role's when
 * aec did not see the answer).
 */
export async function saveCliCache(
  path: string,
  credentials: Credentials,
  role: { roleArn: string; answer: AssumeRoleAnswer | undefined },
  log: Logger,
): Promise<void> {
  if (!credentials.sessionToken || !credentials.expiration) return;
  const { accessKeyId: _, ...answer } = role.answer ?? {};
  const accountId = accountOf(role.answer?.AssumedRoleUser.Arn ?? role.roleArn);
  const entry = {
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: isoSeconds(credentials.expiration),
      ...(accountId === undefined ? {} : { AccountId: accountId }),
    },
    ...answer,
  };
  try {
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true, mode: 0o700 });
    // No lock, as with the CLI: only an old temporary file is a killed writer's.
    await writeFileAtomic(path, JSON.stringify(entry), { mode: 0o600, leftoverAgeMs: 60_000 });
    log.debug(`saved the role session for the AWS CLI (${path})`);
  } catch (error) {
    log.debug(`could not save the AWS CLI cache entry (${path}): ${String(error)}`);
  }
}

/** The account of an ARN (its fifth field, as botocore's ArnParser reads it), if it is one. */
function accountOf(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):./.exec(arn)?.[1];
}
