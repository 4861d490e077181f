/**
 * Signing out of IAM Identity Center: the portal's Logout for each token,
 * then the token files (only files that hold a token: the AWS CLI's client
 * registrations stay), aec's cache entries made from them and the role
 * credentials the AWS CLI cached from them.
 */

import {
  defaultCachePath,
  deleteCacheEntry,
  deleteSsoCliCache,
  type SsoRole,
} from "../caches/mod.ts";
import { type Logger, messageOf, registerSecret, say } from "../support/mod.ts";
import { type Profiles, profileSettings } from "../config/mod.ts";
import { timedRequestHandler } from "../sdk/mod.ts";
import { ssoBehind } from "./sso_target.ts";
import {
  cacheDirectory,
  parseTokenTime,
  readToken,
  type SsoTarget,
  type SsoToken,
  tokenPath,
} from "./token_cache.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface LogoutRequest {
  /** The sign-ins to end; `"all"` ends every token in the cache. */
  targets: SsoTarget[] | "all";
  profiles: Profiles;
  sessions: Profiles;
  env: Env;
  log: Logger;
}

/** Signs out and returns how many tokens it removed. */
export async function logout(request: LogoutRequest): Promise<number> {
  const { targets, profiles, sessions, env, log } = request;
  const tokenFiles = targets === "all"
    ? await allTokenFiles(env)
    : await Promise.all(targets.map((target) => tokenPath(target, env)));
  let removed = 0;
  for (const path of tokenFiles) {
    const token = await readToken(path);
    if (token === undefined) continue;
    await endSession(token, log);
    // A link goes, never the file it points to.
    await Deno.remove(path);
    removed++;
    say(`aec: signed out of ${token.startUrl}`);
  }
  // aec's cached credentials of every profile that got them from these sign-ins,
  // and the roles whose credentials the AWS CLI may have cached from them.
  const roles: SsoRole[] = [];
  for (const profile of Object.keys(profiles)) {
    let behind;
    try {
      behind = ssoBehind(profiles, sessions, profile);
    } catch {
      continue; // A profile with broken SSO settings has no credentials from these sign-ins.
    }
    if (behind === undefined) continue;
    const matches = targets === "all" ||
      targets.some((target) =>
        target.sessionName === behind.target.sessionName &&
        target.startUrl === behind.target.startUrl
      );
    if (!matches) continue;
    const path = defaultCachePath(profile, env);
    if (await deleteCacheEntry(path)) log.debug(`removed the cached credentials in ${path}`);
    const settings = profileSettings(profiles, profile);
    if (behind.profile === profile && settings?.sso_account_id && settings.sso_role_name) {
      roles.push({
        accountId: settings.sso_account_id,
        roleName: settings.sso_role_name,
        startUrl: behind.target.startUrl,
        ...(behind.target.sessionName === undefined
          ? {}
          : { sessionName: behind.target.sessionName }),
      });
    }
  }
  if (removed === 0) say("aec: there was no IAM Identity Center session to sign out of");
  // The AWS CLI keeps using the role credentials it cached until they expire.
  const deleted = await deleteSsoCliCache(targets === "all" ? "all" : roles, env, log);
  if (deleted > 0) {
    say(
      `aec: deleted ${deleted} IAM Identity Center role credential file(s) from the AWS CLI's cache`,
    );
  }
  return removed;
}

/**
 * Every file of the token cache that may hold a token, and every link there:
 * read through (as with a profile's own token), its session ends and only the
 * link is removed.
 */
async function allTokenFiles(env: Env): Promise<string[]> {
  const directory = cacheDirectory(env);
  const files: string[] = [];
  try {
    for await (const entry of Deno.readDir(directory)) {
      if ((entry.isFile || entry.isSymlink) && entry.name.endsWith(".json")) {
        files.push(`${directory}/${entry.name}`);
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return files.sort();
}

/** The portal's Logout, so the token stops working everywhere; a failure only reaches --debug. */
async function endSession(token: SsoToken, log: Logger): Promise<void> {
  // A token whose end aec cannot read may still work: end it too.
  const expires = parseTokenTime(token.expiresAt);
  if (expires !== undefined && expires <= Date.now()) return;
  registerSecret(token.accessToken);
  const { SSOClient, LogoutCommand } = await import("@aws-sdk/client-sso");
  const client = new SSOClient({
    region: token.region,
    requestHandler: await timedRequestHandler(),
  });
  try {
    await client.send(new LogoutCommand({ accessToken: token.accessToken }));
  } catch (error) {
    log.debug(`Logout for ${token.startUrl} failed: ${messageOf(error)}`);
  } finally {
    client.destroy();
  }
}
