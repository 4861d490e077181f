/**
 * Which IAM Identity Center sign-in a profile or an `[sso-session]` names,
 * read from the config files as the SDK parsed them.
 */

import {
  CredentialError,
  hasControlCharacter,
  namedIn,
  type ProfileChoice,
  UsageError,
} from "../support/mod.ts";
import { type Profiles, profileSettings } from "../config/mod.ts";
import type { SsoTarget } from "./token_cache.ts";

const DEFAULT_SCOPES = ["sso:account:access"];

/** The sign-in of `[sso-session NAME]`. */
export function targetOfSession(sessions: Profiles, name: string): SsoTarget {
  const session = profileSettings(sessions, name);
  if (session === undefined) {
    throw new CredentialError(`The sso-session ${JSON.stringify(name)} could not be found`);
  }
  const startUrl = session.sso_start_url;
  const region = session.sso_region;
  if (!startUrl || !region) {
    throw new CredentialError(
      `The sso-session ${JSON.stringify(name)} needs both sso_start_url and sso_region`,
    );
  }
  const scopes = (session.sso_registration_scopes ?? "").split(",").map((scope) => scope.trim())
    .filter(Boolean);
  const target: SsoTarget = {
    sessionName: name,
    startUrl,
    region,
    scopes: scopes.length > 0 ? scopes : DEFAULT_SCOPES,
  };
  if (deviceCodeSetting(session.sso_use_device_code, name)) target.useDeviceCode = true;
  return target;
}

/**
 * `sso_use_device_code` of an sso-session, aec's own setting (botocore and
 * the SDKs ignore keys they do not know): true to always sign in with a
 * device code.
 */
function deviceCodeSetting(value: string | undefined, session: string): boolean {
  if (value === undefined || /^false$/i.test(value.trim())) return false;
  if (/^true$/i.test(value.trim())) return true;
  throw new CredentialError(
    `sso_use_device_code of sso-session ${JSON.stringify(session)} must be true or false; ` +
      `got ${JSON.stringify(value)}`,
  );
}

/**
 * The sign-in profile `name` uses itself (`sso_session`, or the legacy
 * `sso_start_url` and `sso_region`), or `undefined` when it uses none.
 */
export function targetOfProfile(
  profiles: Profiles,
  sessions: Profiles,
  name: string,
): SsoTarget | undefined {
  const settings = profileSettings(profiles, name);
  if (settings?.sso_session) return targetOfSession(sessions, settings.sso_session);
  if (settings?.sso_start_url || settings?.sso_region) {
    if (!settings.sso_start_url || !settings.sso_region) {
      throw new CredentialError(
        `The profile ${JSON.stringify(name)} needs both sso_start_url and sso_region`,
      );
    }
    return { startUrl: settings.sso_start_url, region: settings.sso_region, scopes: [] };
  }
  return undefined;
}

/**
 * The sign-in `aec login --profile NAME` renews; a usage error for a profile
 * without one, naming those that have one.
 */
export function requireTarget(
  profiles: Profiles,
  sessions: Profiles,
  profile: Pick<ProfileChoice, "name" | "origin">,
): SsoTarget {
  const { name } = profile;
  if (profileSettings(profiles, name) === undefined) {
    throw new CredentialError(
      `The config profile (${name})${namedIn(profile.origin)} could not be found` +
        signInChoices(profiles, sessions),
    );
  }
  const target = targetOfProfile(profiles, sessions, name);
  if (target === undefined) {
    throw new UsageError(
      `Profile ${name}${namedIn(profile.origin)} does not use IAM Identity Center ` +
        `(it has no sso_session or sso_start_url)${signInChoices(profiles, sessions)}`,
    );
  }
  return target;
}

// Enough names to find the right one; a config of hundreds lists the first ones.
const MAX_CHOICES = 8;

/** `; profiles that do: a, b; sso-sessions: corp`, or that none does. */
function signInChoices(profiles: Profiles, sessions: Profiles): string {
  const list = (names: string[]) =>
    names.slice(0, MAX_CHOICES).join(", ") + (names.length > MAX_CHOICES ? ", …" : "");
  // A name that would break the line is left out.
  const named = Object.keys(sessions).filter((name) => !hasControlCharacter(name));
  // The SDK merges each [sso-session NAME] into the profiles as `sso-session.NAME`.
  const merged = new Set(Object.keys(sessions).map((name) => `sso-session.${name}`));
  const sso = Object.keys(profiles).filter((name) => {
    const settings = profileSettings(profiles, name);
    return !hasControlCharacter(name) && !merged.has(name) &&
      (settings?.sso_session || settings?.sso_start_url);
  });
  if (sso.length === 0 && named.length === 0) {
    return "; no profile or sso-session of the config file does";
  }
  return (sso.length > 0 ? `; profiles that do: ${list(sso)}` : "") +
    (named.length > 0 ? `; sso-sessions (aec login --sso-session NAME): ${list(named)}` : "");
}

/**
 * The profile at the end of `name`'s `source_profile` chain that signs in to
 * IAM Identity Center, with its sign-in, or `undefined`.
 */
export function ssoBehind(
  profiles: Profiles,
  sessions: Profiles,
  name: string,
): { profile: string; target: SsoTarget } | undefined {
  const seen = new Set<string>();
  for (let current: string | undefined = name; current !== undefined && !seen.has(current);) {
    seen.add(current);
    const target = targetOfProfile(profiles, sessions, current);
    if (target) return { profile: current, target };
    const settings = profileSettings(profiles, current);
    current = settings?.role_arn ? settings.source_profile : undefined;
  }
  return undefined;
}
