/**
 * `aec profiles`: every profile of the config and credentials files, with
 * what it is, where its credentials come from, and what state they are in,
 * read from local files only: no AWS call, no SDK, no secret printed.
 *
 * @module
 */

import {
  allProfiles,
  type AwsFileTexts,
  planCredentials,
  type Profiles,
  profileSettings,
  readAwsFiles,
} from "./config/mod.ts";
import { defaultCachePath, identityFingerprint, loadCache } from "./cache.ts";
import { cliCachePath, loadCliCache, roleCallOf } from "./cli_cache.ts";
import { isoSeconds } from "./credentials.ts";
import type { Logger } from "./log.ts";
import { parseTokenTime, readToken, targetOfProfile, tokenPath, tokenState } from "./sso/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

export type ProfileKind =
  | "static keys"
  | "role"
  | "sso"
  | "process"
  | "web identity"
  | "login"
  | "none";

/** One row of `aec profiles`; the `--json` shape, which scripts may rely on. */
export interface ProfileSummary {
  name: string;
  kind: ProfileKind;
  region: string | null;
  /** The profile, then each `source_profile`, then a `credential_source` or an sso-session. */
  source: string[];
  /** What would happen now, without calling AWS. */
  state: string;
  /** When the credentials on hand (a token, a cache entry) stop working, if known. */
  validUntil: string | null;
  /** Why the profile cannot give credentials as it is, if it cannot. */
  problem: string | null;
}

export function kindOf(settings: Readonly<Record<string, string | undefined>>): ProfileKind {
  if (settings.web_identity_token_file) return "web identity";
  if (settings.role_arn) return "role";
  if (settings.aws_access_key_id || settings.aws_secret_access_key) return "static keys";
  if (settings.credential_process) return "process";
  if (Object.keys(settings).some((key) => key.startsWith("sso_"))) return "sso";
  if (settings.login_session) return "login";
  return "none";
}

/** The chain of sources of profile `name`, ending where credentials come from. */
function sourceChain(profiles: Profiles, name: string): string[] {
  const chain = [name];
  for (let settings = profileSettings(profiles, name); settings?.role_arn;) {
    if (settings.credential_source) {
      chain.push(settings.credential_source);
      break;
    }
    const next = settings.source_profile;
    if (next === undefined || chain.includes(next)) break;
    chain.push(next);
    settings = profileSettings(profiles, next);
  }
  const last = profileSettings(profiles, chain.at(-1)!);
  if (last?.sso_session) chain.push(`sso-session ${last.sso_session}`);
  return chain;
}

/** The AWS files read once, and every profile and sso-session in them. */
export interface ProfileIndex {
  files: AwsFileTexts;
  profiles: Profiles;
  sessions: Profiles;
}

export async function indexProfiles(env: Env): Promise<ProfileIndex> {
  const files = await readAwsFiles(env);
  return { files, ...allProfiles(files) };
}

/** Every profile, summarised from the files (and the caches) alone. */
export async function summarizeProfiles(env: Env, log: Logger): Promise<ProfileSummary[]> {
  const index = await indexProfiles(env);
  const summaries: ProfileSummary[] = [];
  for (const name of Object.keys(index.profiles)) {
    summaries.push(await summarizeProfile(index, name, env, log));
  }
  return summaries;
}

/** Profile `name` of `index`, summarised from the files (and the caches) alone. */
export async function summarizeProfile(
  index: ProfileIndex,
  name: string,
  env: Env,
  log: Logger,
): Promise<ProfileSummary> {
  const { profiles } = index;
  const settings = profiles[name] ?? {};
  const summary: ProfileSummary = {
    name,
    kind: kindOf(settings),
    region: settings.region ?? null,
    source: sourceChain(profiles, name),
    state: "",
    validUntil: null,
    problem: null,
  };
  try {
    const plan = planCredentials(profiles, name, true);
    await describeState(summary, plan.kind === "chain", index, env, log);
  } catch (error) {
    summary.state = "broken";
    summary.problem = error instanceof Error ? error.message : String(error);
  }
  return summary;
}

async function describeState(
  summary: ProfileSummary,
  usesChain: boolean,
  read: ProfileIndex,
  env: Env,
  log: Logger,
): Promise<void> {
  const { profiles, sessions, files } = read;
  if (usesChain) {
    summary.state = "no credentials of its own (the environment, container or instance role)";
    return;
  }
  // aec's own cache first, then the AWS CLI's role cache: what an export would use.
  const identity = {
    profile: summary.name,
    fingerprint: await identityFingerprint(summary.name, { ensureTemporary: false }, env, files),
  };
  const cached = await loadCache(defaultCachePath(summary.name, env), identity, 0, log);
  if (cached?.credentials.expiration) {
    summary.state = "cached by aec";
    summary.validUntil = isoSeconds(cached.credentials.expiration);
    return;
  }
  const call = roleCallOf(profileSettings(profiles, summary.name) ?? {});
  const fromCli = call && await loadCliCache(await cliCachePath(call, env), log);
  if (fromCli?.expiration) {
    summary.state = "cached by the AWS CLI";
    summary.validUntil = isoSeconds(fromCli.expiration);
    return;
  }
  // An SSO profile, or a role whose source chain ends in one.
  const ssoName = summary.source.findLast((name) => targetOfProfile(profiles, sessions, name));
  const target = ssoName === undefined ? undefined : targetOfProfile(profiles, sessions, ssoName);
  if (target) {
    const token = await readToken(await tokenPath(target, env));
    const state = tokenState(token);
    summary.state = {
      valid: "signed in",
      refreshable: "signed in (the token will be refreshed)",
      expired: "signed out: the session has expired (aec login)",
      missing: "signed out (aec login)",
    }[state];
    // As aec writes times, whichever spelling the file has (and never its raw text).
    const expires = token === undefined ? undefined : parseTokenTime(token.expiresAt);
    if (expires !== undefined) summary.validUntil = isoSeconds(new Date(expires));
    return;
  }
  summary.state = summary.kind === "static keys" ? "long-term keys" : "resolved when used";
}

/** The summaries as aligned columns for a terminal. */
export function profilesTable(summaries: readonly ProfileSummary[]): string {
  if (summaries.length === 0) return "No profiles in the AWS config or credentials file\n";
  const rows = [
    ["PROFILE", "KIND", "REGION", "SOURCE", "STATE"],
    ...summaries.map((summary) => [
      summary.name,
      summary.kind,
      summary.region ?? "-",
      summary.source.join(" -> "),
      summary.problem ??
        (summary.validUntil ? `${summary.state}, until ${summary.validUntil}` : summary.state),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!))
      .join("  ")
  ).join("\n") + "\n";
}
