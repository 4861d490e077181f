/**
 * aec's key store (`aec keys`) as a source of the pipeline: a profile whose
 * credential_process line runs aec's own `keys credential-process` is read
 * here, as running the line would read it, with no child process and, while
 * the line's session is cached, without loading the SDK. Every other profile
 * is left to the SDK. Roles whose source profile is stored are the SDK's too;
 * an MFA role's session reads the store from lib/resolve/mfa_session.ts.
 */

import { planCredentials, profileSettingsFromFiles } from "../config/mod.ts";
import { keysHookOf, storedProfileCredentials } from "../keys/mod.ts";
import { defersToEnvironmentKeys, messageOf } from "../support/mod.ts";
import type { CredentialSource } from "./store.ts";

export const keyStoreSource: CredentialSource = {
  name: "aec's key store",
  async resolve({ options, profile, env, log, files }) {
    if (!files || defersToEnvironmentKeys(profile, env)) return undefined;
    const settings = profileSettingsFromFiles(files, profile.name);
    const hook = keysHookOf(settings?.credential_process);
    if (!settings || !hook) return undefined;
    try {
      const plan = planCredentials({ [profile.name]: settings }, profile.name, profile.explicit);
      if (plan.kind !== "profile" || plan.source !== "credential_process") return undefined;
    } catch (error) {
      // The SDK's source refuses the profile in its own words.
      log.debug(`aec's key store not used: ${messageOf(error)}`);
      return undefined;
    }
    log.debug(`profile ${profile.name} reads aec's key store, with no child process`);
    // --ensure-temporary: a session even where the line hands out the keys.
    const session = options.ensureTemporary && !hook.session
      ? {
        ...hook,
        session: true,
        ...(options.durationSeconds === undefined
          ? {}
          : { durationSeconds: options.durationSeconds }),
      }
      : hook;
    const credentials = await storedProfileCredentials(session, {
      env,
      log,
      files,
      noPrompt: options.noPrompt,
      refresh: options.refresh,
      longTerm: options.longTermKeys ?? false,
      ...(options.region === undefined ? {} : { region: options.region }),
    });
    return settings.region === undefined
      ? { credentials }
      : { credentials, profileRegion: settings.region };
  },
};
