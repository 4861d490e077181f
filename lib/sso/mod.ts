/**
 * IAM Identity Center for aec: `aec login`, `aec logout`, the check that
 * an export's SSO session is usable (signing in first with `--sso-login`), and
 * the portal's accounts and roles with the profiles `aec sso populate` makes of them.
 * The rest of aec imports this module only.
 *
 * @module
 */

import type { LoginOptions } from "../cli.ts";
import { type AecError, CredentialError } from "../errors.ts";
import { type Logger, say } from "../log.ts";
import type { ProfileChoice } from "../profile.ts";
import type { Profiles } from "../config/mod.ts";
import { load } from "../load.ts";
import { noPromptFromEnvironment } from "../prompt/mod.ts";
import type { LogoutRequest } from "./logout.ts";
import { ssoBehind, targetOfSession } from "./sso_target.ts";

export { ssoBehind, targetOfSession };
export { targetOfProfile } from "./sso_target.ts";
export { parseTokenTime, readToken, type SsoToken, tokenPath, tokenState } from "./token_cache.ts";
export { listAccounts, type PortalAccount, SessionRefusedError } from "./portal.ts";
export * from "./populate.ts";
import {
  parseTokenTime,
  readToken,
  type SsoTarget,
  type SsoToken,
  tokenPath,
  tokenState,
} from "./token_cache.ts";
import { withSignInLock } from "./sign_in_lock.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** `aec login`: always a fresh sign-in. */
export async function runLogin(
  command: LoginOptions,
  profile: ProfileChoice,
  env: Env,
  log: Logger,
): Promise<number> {
  if (noPromptFromEnvironment(env)) {
    throw new CredentialError(
      "aec login signs you in, which AEC_NO_PROMPT forbids",
      undefined,
      "run it without AEC_NO_PROMPT set",
    );
  }
  return (await loginModule()).runLogin(command, profile, env, log);
}

/** Signs out of IAM Identity Center (see logout.ts). */
export async function logout(request: LogoutRequest): Promise<number> {
  const { logout } = await load<typeof import("./logout.ts")>("./sso/logout.ts");
  return await logout(request);
}

// The flows load the SDK's OIDC client: only when someone signs in.
function loginModule() {
  return load<typeof import("./login.ts")>("./sso/login.ts");
}

/**
 * Makes sure the IAM Identity Center session behind `profile` can give
 * credentials: a token that is valid, refreshed if it nears its end. Otherwise it signs
 * in when `signIn` is set (`--sso-login`) and `noPrompt` is not, or fails
 * naming the command to run. Of several aecs that find the session ended at
 * once, one signs in and the others use its token.
 */
export async function ensureSsoSession(
  profiles: Profiles,
  sessions: Profiles,
  profile: string,
  options: SignInOptions,
): Promise<void> {
  const behind = ssoBehind(profiles, sessions, profile);
  if (behind === undefined) return;
  await signedIn(
    behind.target,
    { who: `profile ${behind.profile}`, login: `--profile ${behind.profile}` },
    options,
  );
}

export interface SignInOptions {
  /** Sign in when the session has ended (`--sso-login`); else fail naming `aec login`. */
  signIn: boolean;
  /** `--no-prompt`: never sign in, even with `signIn`. */
  noPrompt?: boolean;
  env: Env;
  log: Logger;
  /** Sign in even with a valid token, which the service refused. */
  force?: boolean;
  /** A token whose access token ends sooner than this counts as ended. */
  minValidityMs?: number;
}

/**
 * The token of `target`, valid or refreshable (refreshed if it nears its
 * end), signing in first when it is not and `options.signIn` is set.
 * `named.who` names the sign-in in messages (`profile NAME`, `the
 * sso-session NAME`), `named.login` the `aec login` to run. Of several aecs
 * that find the session ended at once, one signs in and the others use its
 * token.
 *
 * @throws {CredentialError} naming the `aec login` to run, when the session
 * has ended and `signIn` is not set (or `noPrompt` is).
 */
export async function signedIn(
  target: SsoTarget,
  named: { who: string; login: string },
  options: SignInOptions,
): Promise<SsoToken> {
  const { who } = named;
  const path = await tokenPath(target, options.env);
  let token = await readToken(path);
  let state = tokenState(token);
  // aec refreshes before the SDK would, so that only an answer it checked replaces the token.
  if (state === "refreshable" && token !== undefined && !options.force) {
    state = await (await loginModule()).refreshSession(target, token, options.env, options.log);
    token = await readToken(path);
  }
  options.log.debug(`IAM Identity Center session of ${who}: ${state}`);
  // Valid or refreshable (as `state` says, after a refresh), and lasting long enough.
  const usable = (
    candidate: SsoToken | undefined,
    candidateState = tokenState(candidate),
  ): candidate is SsoToken =>
    candidate !== undefined && (candidateState === "valid" || candidateState === "refreshable") &&
    (parseTokenTime(candidate.expiresAt) ?? -Infinity) - Date.now() >=
      (options.minValidityMs ?? -Infinity);
  if (!options.force && usable(token, state)) return token;
  const problem = options.force
    ? `IAM Identity Center refused the session of ${who}`
    : state === "missing"
    ? `${who[0]!.toUpperCase()}${who.slice(1)} has not signed in to IAM Identity Center`
    : `The IAM Identity Center session of ${who} has expired`;
  const hint = `run 'aec login ${named.login}'`;
  if (!options.signIn) throw new CredentialError(problem, undefined, hint);
  if (options.noPrompt) {
    throw new CredentialError(`${problem}, and --no-prompt forbids signing in`, undefined, hint);
  }
  return await withSignInLock(path, target.startUrl, async () => {
    // Another aec may have signed in while this one waited for the lock.
    const now = await readToken(path);
    if (usable(now) && (!options.force || now.accessToken !== token?.accessToken)) {
      options.log.debug("another aec signed in meanwhile; using its token");
      return now;
    }
    say(`aec: ${problem}; signing in`);
    return await (await loginModule()).login(target, {
      useDeviceCode: false,
      noBrowser: false,
      env: options.env,
      log: options.log,
    });
  });
}

/** The error for an SSO session that only a new sign-in can fix. */
export function needsLogin(problem: string, profile: string): AecError {
  return new CredentialError(problem, undefined, `run 'aec login --profile ${profile}'`);
}
