/**
 * Obtaining a profile's credentials: the stores in order, the first that has
 * them answers; when none has, the first source that serves the profile
 * resolves them, else the SDK, and every store that serves the request keeps
 * them. A new store is one file implementing CredentialStore (store.ts) and
 * one entry of STORES; a new source, one file implementing CredentialSource
 * and one entry of SOURCES.
 */

import { chooseRegion, type Credentials, registerSecret } from "../support/mod.ts";
import { aecCacheStore } from "./aec_cache_store.ts";
import { awsCliCacheStore } from "./aws_cli_cache_store.ts";
import { keyStoreSource } from "./key_store_source.ts";
import { resolveWithSdk } from "./sdk_source.ts";
import type {
  CredentialRequest,
  CredentialSource,
  CredentialStore,
  Resolved,
  StoreEntry,
} from "./store.ts";

/** Asked in this order; each opens (and may refuse) before the next is asked. */
const STORES: readonly CredentialStore[] = [aecCacheStore, awsCliCacheStore];
/** Asked in this order on a miss of every store, before the SDK. */
const SOURCES: readonly CredentialSource[] = [keyStoreSource];

/** The credentials from a store when one has them, else resolved (and kept by the stores). */
export async function obtainCredentials(
  request: CredentialRequest,
): Promise<{ credentials: Credentials; region: string | undefined }> {
  const { options, env } = request;
  const entries: StoreEntry[] = [];
  for (const store of STORES) {
    const entry = await store.open(request);
    if (!entry) continue;
    entries.push(entry);
    if (options.refresh) continue;
    const found = await entry.lookup();
    if (found) {
      registerSecret(found.credentials.secretAccessKey);
      registerSecret(found.credentials.sessionToken);
      return {
        credentials: found.credentials,
        region: chooseRegion(options.region, found.profileRegion, env),
      };
    }
  }

  let resolved: Resolved | undefined;
  for (const source of SOURCES) {
    resolved = await source.resolve(request);
    if (resolved) break;
  }
  resolved ??= await resolveWithSdk(request);
  // From the source outwards: the store nearest the SDK first.
  for (const entry of entries.toReversed()) await entry.save?.(resolved);
  return {
    credentials: resolved.credentials,
    region: chooseRegion(options.region, resolved.profileRegion, env),
  };
}
