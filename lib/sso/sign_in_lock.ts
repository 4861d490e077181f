/**
 * One sign-in at a time per IAM Identity Center session: when several aecs
 * find the session ended at once (the `credential_process` calls of one
 * `terraform plan`), one signs in and the others wait for it, then use its
 * token. The lock is `<token file>.lock`, beside the token in
 * `~/.aws/sso/cache`, so every aec of the user finds it whatever its cache
 * directory; an OS lock, which a killed aec cannot leave behind (see
 * lib/files/lock_file.ts).
 *
 * @module
 */

import { acquireLock } from "../files/mod.ts";
import { AecError, CredentialError, firstLine, tell } from "../support/mod.ts";

// A sign-in gives up after 10 minutes; a waiter gives the one it waits for a minute more.
const SIGN_IN_WAIT_MS = 11 * 60_000;

/** Runs `body` holding the sign-in lock of the token file `tokenPath`. */
export async function withSignInLock<T>(
  tokenPath: string,
  startUrl: string,
  body: () => Promise<T>,
): Promise<T> {
  const lockPath = `${tokenPath}.lock`;
  let lock: Deno.FsFile;
  try {
    await Deno.mkdir(tokenPath.slice(0, tokenPath.lastIndexOf("/")), {
      recursive: true,
      mode: 0o700,
    });
    lock = await acquireLock(lockPath, {
      timeoutMs: SIGN_IN_WAIT_MS,
      onWait: () => tell(`aec: waiting for another aec signing in to ${startUrl}`),
      onTimeout: () =>
        new CredentialError(
          `Timed out after ${SIGN_IN_WAIT_MS / 60_000} minutes waiting for another aec ` +
            `signing in to ${startUrl} (lock file ${lockPath})`,
        ),
    });
  } catch (error) {
    if (error instanceof AecError) throw error;
    throw new CredentialError(`Could not lock ${lockPath}: ${firstLine(error)}`, error);
  }
  try {
    return await body();
  } finally {
    lock.close();
  }
}
