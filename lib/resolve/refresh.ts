/**
 * The policy a server adds on top of the SDK's memoized provider, so that
 * clients never pay for the credential source's hiccups:
 * - a request never waits for a refresh while the credentials aec holds stay
 *   valid for more than `graceMs`: it gets them at once, and the refresh runs
 *   in the background;
 * - refreshes run one at a time and at most one starts per `minGapMs`, so a
 *   source that hands out short-lived credentials is not asked per request;
 * - once a refresh has failed, credentials within `graceMs` of expiring are
 *   not served: requests fail at once with that refresh's error (never
 *   alternating with the old credentials) until a retry in the background
 *   succeeds;
 * - a request waits for a refresh only when there is nothing valid to answer
 *   with and no failure to report, or when the credentials are in their last
 *   `graceMs` and a refresh is running or due.
 */

import { type Credentials, type Logger, messageOf } from "../support/mod.ts";

export interface RefreshPolicy {
  minGapMs: number;
  graceMs: number;
  now?: () => number;
  log?: Logger;
}

export const SERVING_POLICY: RefreshPolicy = { minGapMs: 5_000, graceMs: 60_000 };

/**
 * `source` behind the policy above. `initial`, credentials `source` just
 * gave, spares the first request a wait.
 */
export function keepFresh(
  source: () => Promise<Credentials>,
  policy: RefreshPolicy,
  initial?: Credentials,
): () => Promise<Credentials> {
  const now = policy.now ?? Date.now;
  let current = initial;
  /** The last refresh's error, until one succeeds. */
  let failure: { error: unknown } | undefined;
  let running: Promise<Credentials> | undefined;
  let lastStart = -Infinity;
  const remaining = (credentials: Credentials, at: number) =>
    (credentials.expiration?.getTime() ?? Infinity) - at;

  /** The refresh in flight, or a new one. */
  const refresh = (): Promise<Credentials> => {
    if (running) return running;
    lastStart = now();
    running = source().then(
      (credentials) => {
        current = credentials;
        failure = undefined;
        return credentials;
      },
      (error: unknown) => {
        failure = { error };
        const expiring = current?.expiration;
        policy.log?.debug(
          `refresh failed (${messageOf(error)}); ` +
            (current && remaining(current, now()) > policy.graceMs
              ? `serving the credentials that expire at ${expiring?.toISOString()}`
              : "answering with this error until a refresh succeeds"),
        );
        throw error;
      },
    ).finally(() => {
      running = undefined;
    });
    // A refresh in the background has no one else to take its failure.
    running.catch(() => {});
    return running;
  };

  return async () => {
    const at = now();
    const due = at - lastStart >= policy.minGapMs;
    if (current && remaining(current, at) > policy.graceMs) {
      if (due) refresh();
      return current;
    }
    if (failure) {
      if (due) refresh();
      throw failure.error;
    }
    if (current && remaining(current, at) > 0 && !due && !running) return current;
    return await refresh();
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
