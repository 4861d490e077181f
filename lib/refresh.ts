/**
 * The policy a server adds on top of the SDK's memoized provider, so that
 * clients never pay for the credential source's hiccups:
 * - a source that hands out short-lived credentials is asked at most once per
 *   `minGapMs` while the last credentials are still valid (never per request);
 * - a failed refresh serves the last credentials while they stay valid for
 *   more than `graceMs`, and the next attempt waits for the gap again.
 */

import type { Credentials } from "./credentials.ts";
import type { Logger } from "./log.ts";

export interface RefreshPolicy {
  minGapMs: number;
  graceMs: number;
  now?: () => number;
  log?: Logger;
}

export const SERVING_POLICY: RefreshPolicy = { minGapMs: 5_000, graceMs: 60_000 };

export function keepFresh(
  source: () => Promise<Credentials>,
  policy: RefreshPolicy,
): () => Promise<Credentials> {
  const now = policy.now ?? Date.now;
  let last: Credentials | undefined;
  let lastAttempt = -Infinity;
  const remaining = (credentials: Credentials, at: number) =>
    (credentials.expiration?.getTime() ?? Infinity) - at;

  return async () => {
    const at = now();
    if (last && at - lastAttempt < policy.minGapMs && remaining(last, at) > 0) return last;
    lastAttempt = at;
    try {
      last = await source();
      return last;
    } catch (error) {
      if (last && remaining(last, at) > policy.graceMs) {
        policy.log?.debug(
          `refresh failed (${error instanceof Error ? error.message : String(error)}); ` +
            `serving the credentials that expire at ${last.expiration?.toISOString()}`,
        );
        return last;
      }
      throw error;
    }
  };
}

/** `promise`, or a rejection with `timeout()` after `ms`, so that no caller waits forever. */
export function withDeadline<T>(promise: Promise<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeout()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
