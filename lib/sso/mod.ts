/**
 * IAM Identity Center for aec: `aec login`, `aec logout`, the check that
 * an export's SSO session is usable (signing in first with `--sso-login`),
 * and `aec sso`: the portal's accounts and roles, listed or written as
 * profiles (loaded when run, as are the sign-in flows and logout).
 * The rest of aec imports this module only.
 *
 * @module
 */

import type { LoginOptions, SsoPopulateOptions, SsoRolesOptions } from "../options/mod.ts";
import {
  type AecError,
  CredentialError,
  load,
  type Logger,
  type ProfileChoice,
} from "../support/mod.ts";
import type { Profiles } from "../config/mod.ts";
import { noPromptFromEnvironment } from "../prompt/mod.ts";
import type { LogoutRequest } from "./logout.ts";
import { ssoBehind, targetOfSession } from "./sso_target.ts";

export { ssoBehind, targetOfSession };
export { targetOfProfile } from "./sso_target.ts";
export { parseTokenTime, readToken, type SsoToken, tokenPath, tokenState } from "./token_cache.ts";
export { accountNameOf } from "./account_name.ts";
import { loginModule, signedIn, type SignInOptions } from "./signed_in.ts";
export type { SignInOptions };

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

/** `aec sso roles`: the session's accounts and roles, as a table or JSON (see roles.ts). */
export async function rolesListing(
  options: SsoRolesOptions,
  env: Env,
  log: Logger,
): Promise<string> {
  // The portal's client is the SDK's: loaded only when a command lists.
  const roles = await load<typeof import("./roles.ts")>("sso/roles.ts");
  return await roles.rolesListing(options, env, log);
}

/** `aec sso populate`: writes a profile per account and role, or the diff (see populate_config.ts). */
export async function populateProfiles(
  options: SsoPopulateOptions,
  env: Env,
  log: Logger,
): Promise<string> {
  const populate = await load<typeof import("./populate_config.ts")>("sso/populate_config.ts");
  return await populate.populateProfiles(options, env, log);
}

/** Signs out of IAM Identity Center (see logout.ts). */
export async function logout(request: LogoutRequest): Promise<number> {
  const { logout } = await load<typeof import("./logout.ts")>("sso/logout.ts");
  return await logout(request);
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

/** The error for an SSO session that only a new sign-in can fix. */
export function needsLogin(problem: string, profile: string): AecError {
  return new CredentialError(problem, undefined, `run 'aec login --profile ${profile}'`);
}
