/** What each command is asked to do: the options parseCli() returns, as the modules that act on them read them. */

import type { Format } from "../output/mod.ts";

/** What aec does with the credentials. */
export type Mode =
  /** `implicit`: no output option was given, so a terminal gets a summary instead. */
  | { kind: "print"; format: Format; implicit?: true }
  | ExecMode
  | { kind: "credentials-file"; profile: string }
  | { kind: "imds"; address: Address }
  /** Without a token, aec generates one. */
  | { kind: "container"; address: Address; token?: string };

/**
 * `--exec`: without a command, the user's shell. With `serve`, the command
 * gets a private container endpoint instead of keys.
 */
export interface ExecMode {
  kind: "exec";
  command?: string;
  args: string[];
  serve: boolean;
  /**
   * How the command's own words, with no `--` before them, spell aec's
   * `--profile` (`--prof=x`, say): meant for aec, if aec was given no profile.
   */
  profileFlag?: string;
}

export interface Address {
  hostname: string;
  port: number;
}

export interface CacheOptions {
  /** The cache file; absent for `--cache`, which uses the profile's default file. */
  path?: string;
  bufferMinutes: number;
}

export interface RunOptions {
  mode: Mode;
  pretty: boolean;
  profile?: string;
  region?: string;
  ensureTemporary: boolean;
  debug: boolean;
  cache?: CacheOptions;
  /** `--sso-login`: sign in first when the profile's SSO session has ended. */
  ssoLogin: boolean;
  /** `--no-prompt`: never ask for an MFA code or a sign-in; fail fast instead. */
  noPrompt: boolean;
  /** `--with-region`: accepted for aws-export-credentials; shell formats export the region anyway. */
  withRegion: boolean;
  /** `--no-region`: shell formats and `--exec` leave the region out. */
  noRegion: boolean;
  /** `--duration`: the length of the session aec asks STS for (AssumeRole, GetSessionToken). */
  durationSeconds?: number;
  /** `--refresh`: resolve anew, reading no cache (but saving to them). */
  refresh: boolean;
  /** Read and write the AWS CLI's assume-role cache (off with `--no-cli-cache`). */
  cliCache: boolean;
  /** MFA sessions for MFA roles (off with `--no-mfa-session`), and their length. */
  mfaSession: { enabled: boolean; seconds: number };
  /** `--allow-host`: names a server answers as Host besides addresses and localhost, normalized. */
  allowedHosts?: string[];
}

/** `aec login`: sign in to IAM Identity Center. */
export interface LoginOptions {
  profile?: string;
  ssoSession?: string;
  useDeviceCode: boolean;
  noBrowser: boolean;
  debug: boolean;
}

/** `aec logout`: sign out of IAM Identity Center. */
export interface LogoutOptions {
  profile?: string;
  ssoSession?: string;
  all: boolean;
  debug: boolean;
}

/** `aec console`: open the AWS console as the profile, or print the sign-in URL. */
export interface ConsoleOptions {
  profile?: string;
  region?: string;
  /** Print the URL on stdout instead of opening a browser. */
  stdout: boolean;
  destination?: string;
  /** `--service`: a service's console page (a name of the table, or a console path). */
  service?: string;
  /** `--firefox-container`: open in a Firefox container named after the profile. */
  firefoxContainer: boolean;
  /** `--browser`: the browser, by name or path. */
  browser?: string;
  /** `--browser-profile`: the browser's own profile (Chrome, Firefox). */
  browserProfile?: string;
  /** `--via-portal`: the access portal's link for the account and role, not a federation sign-in. */
  viaPortal: boolean;
  durationSeconds?: number;
  ssoLogin: boolean;
  noPrompt: boolean;
  debug: boolean;
}

/** `aec sso roles`: the accounts and roles an IAM Identity Center session may use. */
export interface SsoRolesOptions {
  ssoSession?: string;
  json: boolean;
  ssoLogin: boolean;
  debug: boolean;
}

/** `aec sso populate`: a profile for each of them in the config file. */
export interface SsoPopulateOptions {
  ssoSession?: string;
  /** As given; checked by the command. */
  template?: string;
  /** Each `--region` as given, in order: `REGION` or `PATTERN=REGION`. */
  regions: string[];
  prune: boolean;
  dryRun: boolean;
  ssoLogin: boolean;
  debug: boolean;
}

/** The key stores of `aec keys`, by the names `--store` and `AEC_KEY_STORE` take. */
export const STORE_NAMES = [
  "keychain",
  "secret-service",
  "wincred",
  "pass",
  "1password",
  "file",
] as const;
export type StoreName = typeof STORE_NAMES[number];

export function isStoreName(name: string): name is StoreName {
  return (STORE_NAMES as readonly string[]).includes(name);
}

/** What a stored profile's credential_process line (`aec keys credential-process`) asks for. */
export interface KeysHook {
  /** The stored profile whose keys it reads. */
  profile: string;
  /** `--store`; absent, the one chosen as for every aec keys command. */
  store?: StoreName;
  /** A session (GetSessionToken), else the long-term keys (`--no-session`). */
  session: boolean;
  /** `--duration`: the session's length, in seconds. */
  durationSeconds?: number;
}

/** How a stored profile's line hands out its keys: a session of this length, or the keys. */
export interface SessionChoice {
  session: boolean;
  durationSeconds?: number;
}

interface KeysCommon {
  /** `--store`. */
  store?: StoreName;
  debug: boolean;
}

/** `aec keys ACTION`: long-term keys in a store. */
export type KeysOptions =
  | KeysCommon & { action: "add"; profile: string; stdin: boolean; verify: boolean } & SessionChoice
  | KeysCommon & { action: "list"; json: boolean }
  | KeysCommon & { action: "remove"; profile: string; force: boolean }
  /** `profile` is absent for `--all`. */
  | KeysCommon & { action: "migrate"; profile?: string; verify: boolean } & SessionChoice
  | KeysCommon & { action: "rotate"; profile: string }
  | { action: "credential-process"; hook: KeysHook; debug: boolean };
