/** aec's own cache (`--cache`, `--cache-file`) as a store of the pipeline. */

import {
  type CacheIdentity,
  defaultCachePath,
  identityFingerprint,
  loadCache,
  saveCache,
} from "../caches/mod.ts";
import { refuseIrregularFile } from "../files/mod.ts";
import type { CredentialStore } from "./store.ts";

export const aecCacheStore: CredentialStore = {
  name: "aec's cache",
  async open({ options, profile, env, log, files }) {
    const { cache } = options;
    if (!cache) return undefined;
    let cachePath: string | undefined;
    let identity: CacheIdentity | undefined;
    try {
      cachePath = cache.path ?? defaultCachePath(profile.name, env);
      identity = {
        profile: profile.name,
        fingerprint: await identityFingerprint(profile.name, options, env, files),
      };
    } catch (error) {
      log.debug(`cache not used: ${String(error)}`);
    }
    // At once, even with --refresh: a FIFO or a device there is refused untouched.
    if (cachePath) await refuseIrregularFile(cachePath);
    if (!cachePath || !identity) return undefined;
    if (options.refresh) log.debug("--refresh: not loading the cache");
    const path = cachePath;
    const key = identity;
    return {
      async lookup() {
        const hit = await loadCache(path, key, cache.bufferMinutes, log);
        return hit && {
          credentials: hit.credentials,
          ...(hit.region === undefined ? {} : { profileRegion: hit.region }),
        };
      },
      async save({ credentials, profileRegion }) {
        await saveCache(
          path,
          key,
          profileRegion === undefined ? { credentials } : { credentials, region: profileRegion },
          { owned: cache.path === undefined, log },
        );
      },
    };
  },
};
