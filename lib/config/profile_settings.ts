/**
 * What a profile's own settings say about where its credentials come from,
 * decided before the SDK resolves anything. It is the rule that keeps aec
 * from handing over another identity: a profile with any credential setting
 * is resolved from those settings or fails; only a profile with none may fall
 * back to the rest of the SDK's chain (environment, container, instance
 * metadata).
 *
 * Pure: it reads the profiles as the SDK parsed them (`parseKnownFiles`).
 *
 * @module
 */

import {
  closestWords,
  CredentialError,
  namedIn,
  printableName,
  type ProfileChoice,
} from "../support/mod.ts";

/** A profile's settings, as the SDK parses them from the config and credentials files. */
export type ProfileSettings = Readonly<Record<string, string | undefined>>;
export type Profiles = Readonly<Record<string, ProfileSettings>>;

/** How a profile's credentials are resolved. */
export type CredentialPlan =
  /** The profile names its source; resolve it with the SDK's `fromIni` alone. */
  | { kind: "profile"; source: string }
  /** The profile has no credential settings (or, unnamed, does not exist): the SDK's chain. */
  | { kind: "chain" };

/**
 * Settings that make a profile a credential source. `role_session_name`,
 * `external_id`, `mfa_serial` and `duration_seconds` only modify a role, and
 * `aws_session_token` alone is nothing without keys, so they are judged with it.
 */
export const CREDENTIAL_SETTINGS: readonly string[] = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "role_arn",
  "source_profile",
  "credential_source",
  "credential_process",
  "web_identity_token_file",
  "sso_session",
  "sso_start_url",
  "sso_region",
  "sso_account_id",
  "sso_role_name",
  "login_session",
];

/** The profile the command of `--serve --exec` runs as, in a private copy of the config file. */
export const SERVED_PROFILE = "aec-served";

const CREDENTIAL_SOURCES = ["Environment", "Ec2InstanceMetadata", "EcsContainer"];

/** The profile's own settings: never an inherited property such as `constructor`. */
export function profileSettings(profiles: Profiles, name: string): ProfileSettings | undefined {
  return Object.hasOwn(profiles, name) ? profiles[name] : undefined;
}

/** The credential settings `settings` has, in the order of {@link CREDENTIAL_SETTINGS}. */
function credentialSettingsOf(settings: ProfileSettings): string[] {
  return CREDENTIAL_SETTINGS.filter((key) => typeof settings[key] === "string");
}

/**
 * How to resolve profile `name`.
 *
 * @throws {CredentialError} when the profile was named and does not exist, or
 * when its settings cannot give credentials (a missing or empty
 * `source_profile`, a key without its secret, a role with no source, a cycle),
 * with the cause in one line. `files` and `origin` (what named the profile)
 * are for the message that it does not exist.
 */
export function planCredentials(
  profiles: Profiles,
  name: string,
  explicit: boolean,
  files: readonly string[] = [],
  origin?: ProfileChoice["origin"],
): CredentialPlan {
  const settings = profileSettings(profiles, name);
  if (settings === undefined) {
    if (explicit) throw profileNotFound(profiles, name, files, origin);
    return { kind: "chain" };
  }
  rejectMisspelledSettings(name, settings);
  if (credentialSettingsOf(settings).length === 0) return { kind: "chain" };
  rejectSeveralSources(name, settings);
  return { kind: "profile", source: checkSource(profiles, name, [name]) };
}

/**
 * The kind of source profile `path.at(-1)` is, after checking that it can give
 * credentials; `path` is the chain of `source_profile`s that led to it.
 */
function checkSource(profiles: Profiles, name: string, path: readonly string[]): string {
  const settings = profileSettings(profiles, name)!;
  const has = (key: string) => typeof settings[key] === "string";
  const where = `profile ${JSON.stringify(name)}`;

  if (has("role_arn") && !has("web_identity_token_file")) {
    if (has("source_profile") && has("credential_source")) {
      throw new CredentialError(
        `The ${where} sets both source_profile and credential_source; keep one`,
      );
    }
    if (has("credential_source")) {
      checkCredentialSource(where, settings.credential_source!);
      return "role_arn with credential_source";
    }
    if (!has("source_profile")) {
      throw new CredentialError(
        `The ${where} sets role_arn but neither source_profile nor credential_source`,
      );
    }
    const source = settings.source_profile!;
    const sourceSettings = profileSettings(profiles, source);
    if (sourceSettings === undefined) {
      throw new CredentialError(
        `source_profile ${JSON.stringify(source)} referenced in ${where} does not exist`,
      );
    }
    rejectMisspelledSettings(source, sourceSettings);
    rejectSeveralSources(source, sourceSettings);
    if (path.includes(source)) {
      // The SDK reads a source profile's own keys before its role, so a
      // profile may name itself (or an earlier link) when it holds keys.
      if (hasStaticKeys(sourceSettings)) return "role_arn";
      throw new CredentialError(
        `The source_profile chain of profile ${JSON.stringify(path[0])} has a cycle: ` +
          [...path, source].join(" -> "),
      );
    }
    if (hasStaticKeys(sourceSettings)) return "role_arn";
    if (credentialSettingsOf(sourceSettings).length === 0) {
      throw new CredentialError(
        `source_profile ${JSON.stringify(source)} referenced in ${where} has no credentials`,
      );
    }
    // A source profile may take its credentials from a credential_source alone.
    if (sourceSettings.role_arn === undefined && sourceSettings.credential_source !== undefined) {
      checkCredentialSource(`profile ${JSON.stringify(source)}`, sourceSettings.credential_source);
      return "role_arn";
    }
    checkSource(profiles, source, [...path, source]);
    return "role_arn";
  }
  if (has("aws_access_key_id") || has("aws_secret_access_key")) {
    if (!has("aws_access_key_id")) {
      throw new CredentialError(`The ${where} sets no aws_access_key_id for its secret key`);
    }
    if (!has("aws_secret_access_key")) {
      throw new CredentialError(`The ${where} sets aws_access_key_id but no aws_secret_access_key`);
    }
    return "static keys";
  }
  if (has("web_identity_token_file")) {
    if (!has("role_arn")) {
      throw new CredentialError(`The ${where} sets web_identity_token_file but no role_arn`);
    }
    return "web_identity_token_file";
  }
  if (has("credential_process")) return "credential_process";
  if (CREDENTIAL_SETTINGS.some((key) => key.startsWith("sso_") && has(key))) return "sso";
  if (has("login_session")) return "login_session";
  // Only a setting that needs another: a role's source, or a key's token.
  const [stray] = credentialSettingsOf(settings);
  const needed = stray === "aws_session_token" ? "aws_access_key_id" : "role_arn";
  throw new CredentialError(`The ${where} sets ${stray} but no ${needed}`);
}

/** "Not found", with the files read and the profiles the user may have meant. */
function profileNotFound(
  profiles: Profiles,
  name: string,
  files: readonly string[],
  origin: ProfileChoice["origin"] | undefined,
) {
  const where = files.length > 0 ? ` in ${files.join(" or ")}` : "";
  const close = closestWords(name, Object.keys(profiles));
  const hint = close.length > 0 ? `; did you mean ${close.join(", ")}?` : "";
  return new CredentialError(
    `The config profile (${printableName(name)})${
      namedIn(origin)
    } could not be found${where}${hint}`,
  );
}

/**
 * The kinds of source a profile without a role may hold, each with the
 * settings that make it one. botocore tries SSO before keys and, for keys in
 * the config file, a `credential_process` first; the JS SDK tries keys before
 * either. With two of them in one profile, the AWS CLI and aec would hand out
 * different identities.
 */
const SOURCE_KINDS: readonly { kind: string; keys: readonly string[] }[] = [
  { kind: "static keys", keys: ["aws_access_key_id", "aws_secret_access_key"] },
  { kind: "credential_process", keys: ["credential_process"] },
  {
    kind: "IAM Identity Center settings",
    keys: ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"],
  },
  { kind: "login_session", keys: ["login_session"] },
];

function rejectSeveralSources(name: string, settings: ProfileSettings): void {
  // A role (web identity included) is assumed first by both readers.
  if (typeof settings.role_arn === "string") return;
  const kinds = SOURCE_KINDS.filter(({ keys }) =>
    keys.some((key) => typeof settings[key] === "string")
  ).map(({ kind }) => kind);
  if (kinds.length > 1) {
    throw new CredentialError(
      `The profile ${printableName(name)} has both ${kinds.join(" and ")}, between which the ` +
        "AWS CLI and the AWS SDK choose differently; keep one",
    );
  }
}

function hasStaticKeys(settings: ProfileSettings): boolean {
  return typeof settings.aws_access_key_id === "string" &&
    typeof settings.aws_secret_access_key === "string";
}

function checkCredentialSource(where: string, value: string): void {
  if (!CREDENTIAL_SOURCES.includes(value)) {
    throw new CredentialError(
      `The ${where} sets credential_source ${JSON.stringify(value)}; ` +
        `expected one of ${CREDENTIAL_SOURCES.join(", ")}`,
    );
  }
}

/**
 * botocore reads keys in any case; the JS SDK only in lower case. A profile
 * that one reader sees credentials in and the other does not is refused, so
 * that aec never falls back to another identity where the AWS CLI would not.
 */
function rejectMisspelledSettings(name: string, settings: ProfileSettings): void {
  for (const key of Object.keys(settings)) {
    const lower = key.toLowerCase();
    if (lower !== key && CREDENTIAL_SETTINGS.includes(lower)) {
      throw new CredentialError(
        `The profile ${JSON.stringify(name)} sets ${key}, which the AWS SDK reads only as ${lower}`,
      );
    }
  }
}
