/**
 * What `aec keys` reads and changes in the AWS files: a profile's own
 * credential settings, its long-term keys in the credentials file, the
 * `credential_process` line that makes it read the store. Every change is
 * the minimal, atomic, locked edit of `-c` (comments and other profiles stay
 * as they are), and refused where botocore and the AWS SDK would read the
 * files differently.
 *
 * @module
 */

import {
  type AwsFileTexts,
  checkReaderAgreement,
  configFilePath,
  configSections,
  CREDENTIAL_SETTINGS,
  credentialsFilePath,
  IniLayoutError,
  MAX_AWS_FILE_BYTES,
  parseIni,
  profileNameProblem,
  readIfPresent,
  readSection,
  readSectionKeys,
  sdkProfileName,
  updateSection,
  updateSections,
} from "../config/mod.ts";
import { AecError, CredentialError, messageOf, UsageError } from "../support/mod.ts";
import { editTextFile, refuseIrregularFile } from "../files/mod.ts";
import { keysHookOf } from "./hook.ts";
import type { Env, StoredKeys } from "./store.ts";

const KEY_SETTINGS = ["aws_access_key_id", "aws_secret_access_key"];

/** The AWS files, read once, with their paths. */
export interface ProfileFiles {
  configPath: string;
  credentialsPath: string;
  texts: AwsFileTexts;
}

/**
 * Both AWS files, refused as aec refuses them before resolving anything: not
 * regular files, or read by botocore and the SDK as other identities for
 * any of `profiles`.
 */
export async function readProfileFiles(env: Env, profiles: string[]): Promise<ProfileFiles> {
  const configPath = configFilePath(env);
  const credentialsPath = credentialsFilePath(env);
  for (const path of [configPath, credentialsPath]) {
    await refuseIrregularFile(path, { nullDevice: true, maxSize: MAX_AWS_FILE_BYTES });
  }
  const [config, credentials] = await Promise.all([
    readIfPresent(configPath),
    readIfPresent(credentialsPath),
  ]);
  for (const profile of profiles) {
    const { disagreement } = checkReaderAgreement(
      {
        config: { path: configPath, text: config },
        credentials: { path: credentialsPath, text: credentials },
      },
      profile,
    );
    if (disagreement) throw new CredentialError(disagreement);
  }
  return { configPath, credentialsPath, texts: { config, credentials } };
}

/**
 * The credential settings of `profile` in either file, lower-cased, except a
 * `credential_process` line of aec's keys.
 */
export function credentialSettings(files: ProfileFiles, profile: string): string[] {
  const sections = [
    ...configSections(files.texts.config, "profile", profile),
    readSection(files.texts.credentials, profile) ?? {},
  ];
  const found = new Set<string>();
  for (const section of sections) {
    for (const [key, value] of Object.entries(section)) {
      const setting = key.toLowerCase();
      if (!CREDENTIAL_SETTINGS.includes(setting)) continue;
      if (setting === "credential_process" && keysHookOf(value)) continue;
      found.add(setting);
    }
  }
  return [...found];
}

/** The `credential_process` line of aec's keys that `profile` has, if any. */
export function hookOfProfile(files: ProfileFiles, profile: string) {
  const line = configSections(files.texts.config, "profile", profile)
    .map((section) => section.credential_process).findLast((value) => value !== undefined);
  return keysHookOf(line);
}

/**
 * Refuses a profile that `aec keys` cannot make read the store: a name the
 * config file cannot hold, or credential settings of its own besides
 * `allowed` (which would win over the line, or be lost).
 */
export function refuseForeignProfile(
  files: ProfileFiles,
  profile: string,
  allowed: readonly string[],
): void {
  const problem = profileNameProblem(profile, "config");
  if (problem) throw new UsageError(problem);
  const own = credentialSettings(files, profile).filter((setting) => !allowed.includes(setting));
  if (own.length === 0) return;
  if (own.every((setting) => KEY_SETTINGS.includes(setting))) {
    throw new CredentialError(
      `Profile ${profile} has keys in ${files.credentialsPath} already`,
      undefined,
      `move them into the store with 'aec keys migrate ${profile}'`,
    );
  }
  throw new CredentialError(
    `Profile ${profile} gets its credentials from ${own.join(", ")}; aec keys keeps the ` +
      "long-term keys of a profile that has no other credential settings",
  );
}

/**
 * The long-term keys of `profile` in the credentials file, as both readers
 * read them; `undefined` when it has none.
 *
 * @throws {CredentialError} for a session's keys, or half of a pair.
 */
export function keysInCredentials(files: ProfileFiles, profile: string): StoredKeys | undefined {
  const keys = readSectionKeys(files.texts.credentials, profile);
  if (keys === undefined) return undefined;
  const has = (setting: string) => keys.sdk.includes(setting) || keys.botocore.includes(setting);
  if (!KEY_SETTINGS.some(has)) return undefined;
  if (has("aws_session_token")) {
    throw new CredentialError(
      `Profile ${profile} of ${files.credentialsPath} holds a session's keys ` +
        "(aws_session_token), not long-term keys",
    );
  }
  const section = readSection(files.texts.credentials, profile) ?? {};
  const accessKeyId = section.aws_access_key_id;
  const secretAccessKey = section.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey) {
    throw new CredentialError(
      `Profile ${profile} of ${files.credentialsPath} has half a pair of keys`,
    );
  }
  return { accessKeyId, secretAccessKey };
}

/**
 * Refuses a profile with keys in its config-file section too: once the
 * credentials file's are gone, the SDK and botocore would read those.
 */
export function refuseKeysInConfig(files: ProfileFiles, profile: string): void {
  const inConfig = configSections(files.texts.config, "profile", profile)
    .flatMap(Object.keys).filter((key) => KEY_SETTINGS.includes(key.toLowerCase()));
  if (inConfig.length > 0) {
    throw new CredentialError(
      `Profile ${profile} has keys in ${files.configPath} too (${inConfig.join(", ")}), ` +
        "which would be read once those of the credentials file are gone; move or delete them first",
    );
  }
}

/** Every profile of the credentials file with long-term keys, in file order. */
export function profilesWithKeys(files: ProfileFiles): string[] {
  const names = new Set<string>();
  for (const section of parseIni(files.texts.credentials)) {
    // `[profile x]` and the like are other kinds of section to the SDK.
    if (sdkProfileName(section.name, "credentials") !== section.name) continue;
    const keys = Object.keys(section.entries);
    if (keys.includes("aws_access_key_id") && !keys.includes("aws_session_token")) {
      names.add(section.name);
    }
  }
  return [...names];
}

/** `dryRun`: make every check of the edit (see `editTextFile`) but change nothing. */
export interface EditOptions {
  dryRun?: boolean;
}

/** Sets `credential_process = line` in the profile's section of the config file. */
export async function writeHook(
  files: ProfileFiles,
  profile: string,
  line: string,
  options: EditOptions = {},
): Promise<void> {
  await editAws(
    files.configPath,
    profile,
    (text) =>
      updateSections(
        text,
        "config",
        new Map([[profile, { set: { credential_process: line }, remove: [] }]]),
      ),
    options,
  );
}

/**
 * Removes the profile's keys from the credentials file, only if they are
 * still `keys` (the ones now in the store), leaving its other lines.
 */
export async function removeKeysFromCredentials(
  files: ProfileFiles,
  profile: string,
  keys: StoredKeys,
  options: EditOptions = {},
): Promise<void> {
  await editAws(files.credentialsPath, profile, (text) => {
    const now = readSection(text, profile);
    if (
      now?.aws_access_key_id !== keys.accessKeyId ||
      now?.aws_secret_access_key !== keys.secretAccessKey
    ) {
      throw new CredentialError(
        `The keys of profile ${profile} in ${files.credentialsPath} changed while aec moved ` +
          "them; the file was left as it is",
      );
    }
    return updateSection(text, profile, {}, KEY_SETTINGS);
  }, options);
}

async function editAws(
  path: string,
  profile: string,
  edit: (text: string) => string,
  options: EditOptions,
) {
  try {
    await editTextFile(path, (text) => {
      try {
        return edit(text);
      } catch (error) {
        if (!(error instanceof IniLayoutError)) throw error;
        throw new CredentialError(
          `Refusing to edit profile ${profile} in ${path}: ${error.message}`,
        );
      }
    }, { dryRun: options.dryRun ?? false });
  } catch (error) {
    if (error instanceof AecError) throw error;
    throw new CredentialError(`Could not edit profile ${profile} in ${path}: ${messageOf(error)}`);
  }
}
