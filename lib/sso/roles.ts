/**
 * `aec sso roles`: the accounts and roles an IAM Identity Center session may
 * use, as a table or JSON; and the listing `aec sso populate` writes from.
 *
 * @module
 */

import { allProfiles, configFilePath, readIfPresent } from "../config/mod.ts";
import type { SsoRolesOptions } from "../options/mod.ts";
import { columns } from "../output/mod.ts";
import { noPromptFromEnvironment } from "../prompt/mod.ts";
import { type Logger, printableName, UsageError } from "../support/mod.ts";
import { progressLine } from "../ui/mod.ts";
import { signedIn } from "./signed_in.ts";
import { listAccounts, type PortalAccount, SessionRefusedError } from "./portal.ts";
import { targetOfSession } from "./sso_target.ts";
import type { SsoTarget } from "./token_cache.ts";

type Env = Readonly<Record<string, string | undefined>>;

// A token this close to its end could end in the middle of a listing.
const TOKEN_MARGIN_MS = 60_000;

/** `aec sso roles`: the listing, as a table or JSON, for stdout. */
export async function rolesListing(
  options: SsoRolesOptions,
  env: Env,
  log: Logger,
): Promise<string> {
  const { accounts } = await listSession(options, env, log);
  if (options.json) {
    return JSON.stringify(
      accounts.map((account) => ({
        accountId: account.id,
        accountName: account.name,
        ...(account.email === undefined ? {} : { emailAddress: account.email }),
        roles: account.roles,
      })),
      null,
      2,
    ) + "\n";
  }
  if (accounts.length === 0) return "The session may use no account\n";
  return columns([
    ["ACCOUNT", "NAME", "ROLE"],
    ...accounts.flatMap((account) =>
      (account.roles.length > 0 ? account.roles : ["-"]).map((role) => [
        account.id,
        printableName(account.name) || "-",
        role,
      ])
    ),
  ]);
}

/** The sso-session of `--sso-session`, or the config file's only one. */
async function chooseSession(name: string | undefined, env: Env): Promise<SsoTarget> {
  const path = configFilePath(env);
  const { sessions } = allProfiles({ config: await readIfPresent(path), credentials: "" });
  if (name !== undefined) return targetOfSession(sessions, name);
  const names = Object.keys(sessions);
  if (names.length === 1) return targetOfSession(sessions, names[0]!);
  throw new UsageError(
    names.length === 0
      ? `${path} has no [sso-session] section to list the accounts of`
      : `${path} has several sso-sessions (${names.join(", ")}): name one with --sso-session`,
  );
}

/**
 * The session's accounts and roles, signing in first with `--sso-login` (and
 * again, once, if the portal refuses the token).
 */
export async function listSession(
  options: { ssoSession?: string; ssoLogin: boolean },
  env: Env,
  log: Logger,
): Promise<{ session: string; accounts: PortalAccount[] }> {
  const target = await chooseSession(options.ssoSession, env);
  const session = target.sessionName!;
  const named = { who: `the sso-session ${session}`, login: `--sso-session ${session}` };
  const signIn = {
    signIn: options.ssoLogin,
    noPrompt: noPromptFromEnvironment(env),
    env,
    log,
    minValidityMs: TOKEN_MARGIN_MS,
  };
  let token = await signedIn(target, named, signIn);
  // Not with --debug, whose lines would land on the progress line.
  const progress = progressLine(Deno.stderr.isTerminal() && !log.enabled);
  const listing = {
    log,
    progress: (done: number, found: number) =>
      progress.show(`aec: listing roles: ${done} of ${found} accounts`, done >= found),
    signInHint: `run 'aec login ${named.login}'`,
  };
  try {
    try {
      return { session, accounts: await listAccounts(target, token.accessToken, listing) };
    } catch (error) {
      if (!(error instanceof SessionRefusedError) || !options.ssoLogin) throw error;
      progress.clear();
      token = await signedIn(target, named, { ...signIn, force: true });
      return { session, accounts: await listAccounts(target, token.accessToken, listing) };
    }
  } finally {
    progress.clear();
  }
}
