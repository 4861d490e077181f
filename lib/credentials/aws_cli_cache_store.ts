/**
 * The AWS CLI's assume-role cache as a store of the pipeline: the CLI's role
 * session, when the profile ends in a role the CLI assumed lately, and the
 * session aec resolves, for the CLI to find (off with `--no-cli-cache`).
 */

import {
  type AwsFileTexts,
  planCredentials,
  profileSettings,
  profileSettingsFromFiles,
  readAwsFiles,
} from "../config/mod.ts";
import { cliCachePath, loadCliCache, roleCallOf, saveCliCache } from "../caches/mod.ts";
import {
  defersToEnvironmentKeys,
  type Logger,
  messageOf,
  type ProfileChoice,
} from "../support/mod.ts";
import type { CredentialStore } from "./store.ts";

type Env = Record<string, string>;

export const awsCliCacheStore: CredentialStore = {
  name: "the AWS CLI's cache",
  async open({ options, profile, env, log, files }) {
    if (!options.cliCache) return undefined;
    const role = await cliCacheFor(profile, options.durationSeconds, env, log, files);
    if (!role) return undefined;
    return {
      async lookup() {
        const credentials = await loadCliCache(role.path, log);
        return credentials && {
          credentials,
          ...(role.profileRegion === undefined ? {} : { profileRegion: role.profileRegion }),
        };
      },
      async save({ credentials, assumeRoleAnswer }) {
        await saveCliCache(role.path, credentials, {
          roleArn: role.roleArn,
          answer: assumeRoleAnswer,
        }, log);
      },
    };
  },
};

/**
 * The AWS CLI's cache file for the profile's role session, when the profile
 * ends in AssumeRole and its settings would resolve (checked as before any
 * resolution, so that a broken profile never answers from the CLI's cache).
 */
async function cliCacheFor(
  profile: ProfileChoice,
  durationSeconds: number | undefined,
  env: Env,
  log: Logger,
  read: AwsFileTexts | undefined,
): Promise<{ path: string; profileRegion: string | undefined; roleArn: string } | undefined> {
  try {
    const files = read ?? await readAwsFiles(env);
    const profiles: Record<string, Record<string, string>> = {};
    for (let name: string | undefined = profile.name; name !== undefined;) {
      if (Object.hasOwn(profiles, name)) break;
      const settings = profileSettingsFromFiles(files, name);
      if (settings === undefined) break;
      profiles[name] = settings;
      name = settings.source_profile;
    }
    const settings = profileSettings(profiles, profile.name);
    // `--duration` stands for duration_seconds, which is part of the CLI's key.
    const call = settings && roleCallOf(
      durationSeconds === undefined
        ? settings
        : { ...settings, duration_seconds: String(durationSeconds) },
    );
    if (
      !call || defersToEnvironmentKeys(profile, env) ||
      planCredentials(profiles, profile.name, profile.explicit).kind !== "profile"
    ) {
      return undefined;
    }
    return {
      path: await cliCachePath(call, env),
      profileRegion: settings.region,
      roleArn: call.RoleArn,
    };
  } catch (error) {
    log.debug(`AWS CLI cache not used: ${messageOf(error)}`);
    return undefined;
  }
}
