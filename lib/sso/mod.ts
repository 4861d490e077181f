/**
 * IAM Identity Center for aec: `aec login`, `aec logout`, and the check that
 * an export's SSO session is usable (signing in first with `--sso-login`).
 * The rest of aec imports this module only.
 *
 * @module
 */

import type { LoginOptions } from "../options/mod.ts";
import {
  type AecError,
  CredentialError,
  load,
  type Logger,
  type ProfileChoice,
  say,
} from "../support/mod.ts";
import type { Profiles } from "../config/mod.ts";
import { noPromptFromEnvironment } from "../prompt/mod.ts";
import type { LogoutRequest } from "./logout.ts";
import { ssoBehind, targetOfSession } from "./sso_target.ts";

export { ssoBehind, targetOfSession };
export { targetOfProfile } from "./sso_target.ts";
export { parseTokenTime, readToken, type SsoToken, tokenPath, tokenState } from "./token_cache.ts";
import { readToken, type SsoToken, tokenPath, tokenState } from "./token_cache.ts";
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
  const { logout } = await load<typeof import("./logout.ts")>("sso/logout.ts");
  return await logout(request);
}

// The flows load the SDK's OIDC client: only when someone signs in.
function loginModule() {
  return load<typeof import("./login.ts")>("sso/login.ts");
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
  options: { signIn: boolean; noPrompt?: boolean; env: Env; log: Logger; force?: boolean },
): Promise<void> {
  const behind = ssoBehind(profiles, sessions, profile);
  if (behind === undefined) return;
  const path = await tokenPath(behind.target, options.env);
  const token = await readToken(path);
  let state = tokenState(token);
  // aec refreshes before the SDK would, so that only an answer it checked replaces the token.
  if (state === "refreshable" && token !== undefined && !options.force) {
    state = await (await loginModule()).refreshSession(
      behind.target,
      token,
      options.env,
      options.log,
    );
  }
  options.log.debug(`IAM Identity Center session of profile ${behind.profile}: ${state}`);
  if (!options.force && (state === "valid" || state === "refreshable")) return;
  const problem = options.force
    ? `IAM Identity Center refused the session of profile ${behind.profile}`
    : state === "missing"
    ? `Profile ${behind.profile} has not signed in to IAM Identity Center`
    : `The IAM Identity Center session of profile ${behind.profile} has expired`;
  if (!options.signIn) throw needsLogin(problem, behind.profile);
  if (options.noPrompt) {
    throw needsLogin(`${problem}, and --no-prompt forbids signing in`, behind.profile);
  }
  await withSignInLock(path, behind.target.startUrl, async () => {
    // Another aec may have signed in while this one waited for the lock.
    const now = await readToken(path);
    if (isUsable(now) && (!options.force || now?.accessToken !== token?.accessToken)) {
      options.log.debug("another aec signed in meanwhile; using its token");
      return;
    }
    say(`aec: ${problem}; signing in`);
    await (await loginModule()).login(behind.target, {
      useDeviceCode: false,
      noBrowser: false,
      env: options.env,
      log: options.log,
    });
  });
}

function isUsable(token: SsoToken | undefined): boolean {
  const state = tokenState(token);
  return state === "valid" || state === "refreshable";
}

/** The error for an SSO session that only a new sign-in can fix. */
export function needsLogin(problem: string, profile: string): AecError {
  return new CredentialError(problem, undefined, `run 'aec login --profile ${profile}'`);
}
