/** The one interface of the credential pipeline's stores (see pipeline.ts). */

import type { AwsFileTexts } from "../config/mod.ts";
import type { RunOptions } from "../options/mod.ts";
import type { AssumeRoleAnswer } from "../sdk/mod.ts";
import type { Credentials, Logger, ProfileChoice } from "../support/mod.ts";

/** What obtaining credentials depends on, of an export's or the console's options. */
export type ObtainOptions =
  & Pick<
    RunOptions,
    | "ensureTemporary"
    | "ssoLogin"
    | "noPrompt"
    | "refresh"
    | "cliCache"
    | "mfaSession"
    | "region"
    | "cache"
    | "durationSeconds"
  >
  /** A stored profile's long-term keys, not a session: for the console's GetFederationToken. */
  & { longTermKeys?: boolean };

/** One request for a profile's credentials, as every store and source sees it. */
export interface CredentialRequest {
  options: ObtainOptions;
  profile: ProfileChoice;
  env: Record<string, string>;
  log: Logger;
  /** The AWS files' texts, read once before anything else reads them; absent without a home. */
  files: AwsFileTexts | undefined;
}

/** Credentials a store or source has for the profile. */
export interface Found {
  credentials: Credentials;
  /** The profile's own `region` setting. */
  profileRegion?: string;
}

/** Credentials a source resolved, with what the stores may keep besides. */
export interface Resolved extends Found {
  /** What STS answered to the AssumeRole that issued the credentials, when one did. */
  assumeRoleAnswer?: AssumeRoleAnswer;
}

/**
 * A place that may hold the profile's credentials from an earlier run. open()
 * decides, before any lookup, whether the store serves this request (and
 * refuses what must be refused, such as a cache path that is a FIFO); the
 * entry it returns is then asked first and told the result of a resolution.
 */
export interface CredentialStore {
  readonly name: string;
  open(request: CredentialRequest): Promise<StoreEntry | undefined>;
}

/** A store's slot for one request. */
export interface StoreEntry {
  /** The credentials held, if still good; not asked with `--refresh`. */
  lookup(): Promise<Found | undefined>;
  /** Keeps what a source resolved; absent for a store that is only read. */
  save?(resolved: Resolved): Promise<void>;
}

/**
 * A source of credentials before the SDK, for the profiles it knows how to
 * resolve itself; `undefined` for the others, which go on to the next source
 * and at last to the SDK. Unlike a store, it is asked with `--refresh` too.
 */
export interface CredentialSource {
  readonly name: string;
  resolve(request: CredentialRequest): Promise<Resolved | undefined>;
}
