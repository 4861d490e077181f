/**
 * `aec keys`: long-term keys in the OS's secret store (macOS Keychain, the
 * Secret Service, Windows Credential Manager), pass, 1Password or an
 * encrypted file, instead of plain text in `~/.aws/credentials`. A stored
 * profile has a `credential_process` line that runs aec, for every other
 * tool; aec itself recognises the line and reads the store directly.
 *
 * For the credential pipeline and MFA sessions: {@link keysHookOf} tells
 * whether a profile's line is aec's, and {@link storedProfileCredentials}
 * gives what it would. The stores and the actions load only when used.
 *
 * @module
 */

import type { Logger } from "../support/mod.ts";
import { load } from "../support/mod.ts";
import type { KeysAction, Write } from "./actions.ts";
import type { Env } from "./store.ts";

export { CREDENTIAL_PROCESS, keysHookOf, parseHookArgs } from "./hook.ts";
export { storedProfileCredentials } from "./session.ts";
export type { KeysAction };

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
