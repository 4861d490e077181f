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
} from "../config/mod.ts";
import {
  cacheDirectory,
  cliCachePath,
  defaultCachePath,
  identityFingerprint,
  loadCache,
  loadCliCache,
  roleCallOf,
} from "../caches/mod.ts";
import { columns } from "../output/mod.ts";
import { isoSeconds, type Logger, messageOf, printableName } from "../support/mod.ts";
import {
  accountNameOf,
  parseTokenTime,
  readToken,
  type SsoToken,
  targetOfProfile,
  targetOfSession,
  tokenPath,
  tokenState,
} from "../sso/mod.ts";

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
  /** The account's name, in a profile `aec sso populate` wrote. */
  accountName: string | null;
  /** The profile, then each `source_profile`, then a `credential_source` or an sso-session. */
  source: string[];
  /** What would happen now, without calling AWS. */
  state: string;
  /** When the credentials on hand (a token, a cache entry, session keys) stop working, if known and still ahead. */
  validUntil: string | null;
  /** Resolving it asks for an MFA code: a role with `mfa_serial` in its source chain. */
  asksForMfa: boolean;
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

/** The profiles resolving `name` goes through: `name`, then each role's `source_profile`. */
function profileChain(profiles: Profiles, name: string): string[] {
  const chain = [name];
  for (
    let settings = profileSettings(profiles, name);
    settings?.role_arn && !settings.credential_source;
  ) {
    const next = settings.source_profile;
    if (next === undefined || chain.includes(next)) break;
    chain.push(next);
    settings = profileSettings(profiles, next);
  }
  return chain;
}

/** The chain of sources of profile `name`, ending where credentials come from. */
function sourceChain(profiles: Profiles, name: string): string[] {
  const chain = profileChain(profiles, name);
  const last = profileSettings(profiles, chain.at(-1)!);
  if (last?.role_arn && last.credential_source) return [...chain, last.credential_source];
  if (last?.sso_session) return [...chain, `sso-session ${last.sso_session}`];
  return chain;
}

/** Each role of the chain is assumed in turn, and any with `mfa_serial` asks for a code. */
function asksForMfa(profiles: Profiles, name: string): boolean {
  return profileChain(profiles, name).some((link) => {
    const settings = profileSettings(profiles, link);
    return Boolean(settings?.role_arn && settings.mfa_serial);
  });
}

/**
 * The time `text` names (in any spelling botocore reads, as in token files),
 * as `isoSeconds` writes it, or `undefined` if it names none.
 */
function timeOf(text: string | undefined): string | undefined {
  const time = text === undefined ? undefined : parseTokenTime(text);
  return time === undefined ? undefined : isoSeconds(new Date(time));
}

/** The AWS files read once, and every profile and sso-session in them. */
export interface ProfileIndex {
  files: AwsFileTexts;
  profiles: Profiles;
  sessions: Profiles;
  /**
   * What profiles share, looked up once for all of them: the files of aec's
   * cache directory, and each sign-in's token (by session name or start URL).
   */
  shared: {
    cacheFiles?: Promise<Set<string> | undefined>;
    tokens: Map<string, Promise<SsoToken | undefined>>;
  };
}

export async function indexProfiles(env: Env): Promise<ProfileIndex> {
  const files = await readAwsFiles(env);
  return { files, ...allProfiles(files), shared: { tokens: new Map() } };
}

/**
 * Whether aec's cache may hold a file at `path`: the cache directory is listed
 * once, so that thousands of profiles cost no look-up each. `undefined` (could
 * not list it, other than for its absence) means it may.
 */
async function mayBeCached(read: ProfileIndex, path: string, env: Env): Promise<boolean> {
  const directory = cacheDirectory(env);
  read.shared.cacheFiles ??= (async () => {
    try {
      return new Set(await Array.fromAsync(Deno.readDir(directory), (entry) => entry.name));
    } catch (error) {
      return error instanceof Deno.errors.NotFound ? new Set<string>() : undefined;
    }
  })();
  const names = await read.shared.cacheFiles;
  const name = path.slice(directory.length + 1);
  return names === undefined || !path.startsWith(directory) || names.has(name);
}

/** Every profile of `index`, summarised from the files (and the caches) alone. */
export async function summarizeProfiles(
  index: ProfileIndex,
  env: Env,
  log: Logger,
): Promise<ProfileSummary[]> {
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
    accountName: accountNameOf(settings) ?? null,
    source: sourceChain(profiles, name),
    state: "",
    validUntil: null,
    asksForMfa: asksForMfa(profiles, name),
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

/** One IAM Identity Center sign-in: an `[sso-session]`, or a legacy profile's start URL. */
export interface SsoSessionSummary {
  /** The sso-session's name, or `profile NAME` for a legacy profile's sign-in. */
  name: string;
  startUrl: string | null;
  /** Signed in or not, and until when, as a person reads it. */
  signedIn: string;
}

/** Every sign-in of the files, and until when it lasts, from the token cache alone. */
export async function summarizeSsoSessions(
  index: ProfileIndex,
  env: Env,
): Promise<SsoSessionSummary[]> {
  const { profiles, sessions } = index;
  const sources = Object.keys(sessions).map((name) => ({
    name,
    login: `--sso-session ${name}`,
    target: () => targetOfSession(sessions, name),
  }));
  const legacyUrls = new Set<string>();
  for (const name of Object.keys(profiles)) {
    const settings = profiles[name]!;
    const url = settings.sso_start_url;
    if (settings.sso_session || !url || legacyUrls.has(url)) continue;
    legacyUrls.add(url);
    sources.push({
      name: `profile ${name}`,
      login: `--profile ${name}`,
      target: () => targetOfProfile(profiles, sessions, name)!,
    });
  }
  const summaries: SsoSessionSummary[] = [];
  for (const source of sources) {
    let target;
    try {
      target = source.target();
    } catch (error) {
      summaries.push({
        name: source.name,
        startUrl: null,
        signedIn: `broken: ${messageOf(error)}`,
      });
      continue;
    }
    const token = await readToken(await tokenPath(target, env));
    const until = timeOf(token?.expiresAt) ?? token?.expiresAt;
    summaries.push({
      name: source.name,
      startUrl: target.startUrl,
      signedIn: {
        valid: `yes, until ${until}`,
        refreshable: `yes, renewed when used (token until ${until})`,
        expired: `no: ended ${until} (aec login ${source.login})`,
        missing: `no (aec login ${source.login})`,
      }[tokenState(token)],
    });
  }
  return summaries;
}

/** What an IAM Identity Center token means for whoever uses it. */
function signInState(token: SsoToken | undefined): { state: string; validUntil: string | null } {
  const state = tokenState(token);
  const end = timeOf(token?.expiresAt);
  if (state === "missing") return { state: "signed out (aec login)", validUntil: null };
  if (state === "expired") {
    return {
      state: `signed out: the session expired${end ? ` at ${end}` : ""} (aec login)`,
      validUntil: null,
    };
  }
  return {
    state: state === "valid" ? "signed in" : "signed in (the token will be refreshed)",
    validUntil: end ?? null,
  };
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
  const cachePath = defaultCachePath(summary.name, env);
  const cached = await mayBeCached(read, cachePath, env)
    ? await loadCache(
      cachePath,
      {
        profile: summary.name,
        fingerprint: await identityFingerprint(
          summary.name,
          { ensureTemporary: false },
          env,
          files,
        ),
      },
      0,
      log,
    )
    : undefined;
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
    const key = target.sessionName ?? target.startUrl;
    const token = read.shared.tokens.get(key) ?? tokenPath(target, env).then(readToken);
    read.shared.tokens.set(key, token);
    Object.assign(summary, signInState(await token));
    return;
  }
  if (summary.kind === "static keys") {
    describeKeys(summary, profileSettings(profiles, summary.name) ?? {});
    return;
  }
  summary.state = "resolved when used";
}

/** Keys in the files: long-term, or a session (`-c` writes its end as aws_credential_expiration). */
function describeKeys(
  summary: ProfileSummary,
  settings: Readonly<Record<string, string | undefined>>,
): void {
  if (!settings.aws_session_token) {
    summary.state = "long-term keys";
    return;
  }
  const end = timeOf(settings.aws_credential_expiration);
  if (end !== undefined && new Date(end).getTime() <= Date.now()) {
    summary.state = `session keys, expired at ${end}`;
    return;
  }
  summary.state = "session keys";
  summary.validUntil = end ?? null;
}

/** A state with its end, as the STATE column shows it. */
function stateText(summary: { state: string; validUntil: string | null }): string {
  return summary.validUntil ? `${summary.state}, until ${summary.validUntil}` : summary.state;
}

/** What `aec profiles` prints: the profiles' table (and the sign-ins'), or their JSON. */
export async function profilesListing(env: Env, log: Logger, json: boolean): Promise<string> {
  const index = await indexProfiles(env);
  const summaries = await summarizeProfiles(index, env, log);
  if (json) return JSON.stringify(summaries, null, 2) + "\n";
  const sessions = await summarizeSsoSessions(index, env);
  return profilesTable(summaries) +
    (sessions.length === 0 ? "" : "\n" + columns([
      ["SSO SESSION", "START URL", "SIGNED IN"],
      ...sessions.map((session) => [session.name, session.startUrl ?? "-", session.signedIn]),
    ]));
}

/** The summaries as aligned columns for a terminal. */
export function profilesTable(summaries: readonly ProfileSummary[]): string {
  if (summaries.length === 0) return "No profiles in the AWS config or credentials file\n";
  // An ACCOUNT column when a profile knows its account's name (aec sso populate).
  const accounts = summaries.some((summary) => summary.accountName !== null);
  return columns([
    ["PROFILE", "KIND", "REGION", ...accounts ? ["ACCOUNT"] : [], "SOURCE", "STATE"],
    ...summaries.map((summary) => [
      summary.name,
      summary.kind,
      summary.region ?? "-",
      ...accounts ? [printableName(summary.accountName ?? "-")] : [],
      summary.source.join(" -> "),
      summary.problem ?? stateText(summary) + (summary.asksForMfa ? "; asks for MFA" : ""),
    ]),
  ]);
}
