/**
 * `aec logout`: ends the sessions behind a profile: its IAM Identity Center
 * sign-in (the portal's Logout, the token file) and its MFA session, with
 * the cached credentials made from them (aec's cache, the AWS CLI's entry).
 */

import { cliCachePath, defaultCachePath, deleteCacheEntry, roleCallOf } from "../caches/mod.ts";
import type { LogoutOptions } from "../options/mod.ts";
import { chooseProfile, createLogger, say, UsageError } from "../support/mod.ts";
import { forgetAllMfaSessions, forgetMfaSession, mfaRoleOf } from "../resolve/mod.ts";
import { profileSettings } from "../config/mod.ts";
import { readSdkProfiles } from "../sdk/mod.ts";
import { logout, ssoBehind, targetOfSession } from "../sso/mod.ts";

export async function logoutCommand(options: LogoutOptions): Promise<number> {
  const env = Deno.env.toObject();
  const log = createLogger(options.debug);
  const profile = chooseProfile(options.profile, env);
  const { profiles, sessions } = await readSdkProfiles(profile.name);
  if (options.all) {
    await logout({ targets: "all", profiles, sessions, env, log });
    const forgotten = await forgetAllMfaSessions(env);
    if (forgotten > 0) say(`aec: deleted ${forgotten} MFA session(s)`);
    return 0;
  }
  if (options.ssoSession !== undefined) {
    const targets = [targetOfSession(sessions, options.ssoSession)];
    await logout({ targets, profiles, sessions, env, log });
    return 0;
  }

  const sso = ssoBehind(profiles, sessions, profile.name);
  const mfaRole = mfaRoleOf(profiles, profile.name);
  if (sso === undefined && typeof mfaRole === "string") {
    if (profileSettings(profiles, profile.name) === undefined) {
      throw new UsageError(`The config profile (${profile.name}) could not be found`);
    }
    throw new UsageError(
      `Profile ${profile.name} has no IAM Identity Center or MFA session to sign out of`,
    );
  }
  if (sso) await logout({ targets: [sso.target], profiles, sessions, env, log });
  if (typeof mfaRole === "object") {
    const had = await forgetMfaSession(mfaRole, env);
    say(
      had
        ? `aec: deleted the MFA session for ${mfaRole.serial}`
        : `aec: there was no MFA session for ${mfaRole.serial}`,
    );
    // The credentials made from it: aec's cache entry and the AWS CLI's.
    if (await deleteCacheEntry(defaultCachePath(profile.name, env))) {
      log.debug(`removed aec's cached credentials of profile ${profile.name}`);
    }
    const call = roleCallOf(profileSettings(profiles, profile.name) ?? {});
    if (call) {
      const path = await cliCachePath(call, env);
      await Deno.remove(path).then(
        () => log.debug(`removed the AWS CLI's cached role session ${path}`),
        () => {},
      );
    }
  }
  return 0;
}
