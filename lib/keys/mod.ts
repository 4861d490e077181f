/**
 * `aec keys`: long-term keys in the OS's secret store (macOS Keychain, the
 * Secret Service, Windows Credential Manager), pass, 1Password or an
 * encrypted file, instead of plain text in `~/.aws/credentials`. A stored
 * profile has a `credential_process` line that runs aec, for every other
 * tool; aec itself recognises the line and reads the store directly.
 *
 * For the credential pipeline and MFA sessions: {@link keysHookOf} tells
 * whether a profile's line is aec's, and {@link storedProfileCredentials}
 * gives what it would. Only the line's grammar loads at start; the sessions,
 * the stores and the actions load when used.
 *
 * @module
 */

import { type Credentials, load, type Logger } from "../support/mod.ts";
import type { KeysHook } from "../options/mod.ts";
import type { KeysAction, Write } from "./actions.ts";
import type { StoredCredentialsOptions } from "./session.ts";
import type { Env } from "./store.ts";

export { CREDENTIAL_PROCESS, keysHookOf, parseHookArgs } from "./hook.ts";
export type { KeysAction, StoredCredentialsOptions };

/** See session.ts: the stored profile's session, from the cache or new, or its keys. */
export async function storedProfileCredentials(
  hook: KeysHook,
  options: StoredCredentialsOptions,
): Promise<Credentials> {
  const session = await load<typeof import("./session.ts")>("keys/session.ts");
  return await session.storedProfileCredentials(hook, options);
}

/** Runs `aec keys ACTION` (but credential-process); its output goes to `write`. */
export async function runKeysAction(
  options: KeysAction,
  env: Env,
  log: Logger,
  write: Write,
): Promise<number> {
  const actions = await load<typeof import("./actions.ts")>("keys/actions.ts");
  return await actions.runKeysAction(options, env, log, write);
}
