/**
 * A usable IAM Identity Center token for a profile's or an sso-session's
 * sign-in: the cached one, refreshed if it nears its end, or a new sign-in
 * (`--sso-login`), one for many aecs at once (sign_in_lock.ts).
 *
 * @module
 */

import { CredentialError, load, type Logger, say } from "../support/mod.ts";
import { withSignInLock } from "./sign_in_lock.ts";
import {
  parseTokenTime,
  readToken,
  type SsoTarget,
  type SsoToken,
  tokenPath,
  tokenState,
} from "./token_cache.ts";

type Env = Readonly<Record<string, string | undefined>>;

// The flows load the SDK's OIDC client: only when someone signs in.
export function loginModule() {
  return load<typeof import("./login.ts")>("sso/login.ts");
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
