/**
 * `aec keys`: long-term keys in the OS's secret store (macOS Keychain, the
 * Secret Service, Windows Credential Manager), pass, 1Password or an
 * encrypted file, instead of plain text in `~/.aws/credentials`. A stored
 * profile has a `credential_process` line that runs aec, for every other
 * tool; aec itself recognises the line and reads the store directly.
 *
 * For the credential pipeline: {@link keysHookOf} tells whether a profile's
 * line is aec's, and {@link storedProfileCredentials} gives what it would.
 * The commands load only when run.
 *
 * @module
 */

export { type KeysHook, keysHookOf } from "./hook.ts";
export { storedProfileCredentials } from "./session.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** Runs `aec keys ARGS`; its output goes to `write`. */
export async function runKeys(
  argv: readonly string[],
  env: Env,
  write: (text: string) => Promise<void>,
): Promise<number> {
  const { KEYS_USAGE, parseKeysArgs } = await import("./args.ts");
  const command = parseKeysArgs(argv);
  if (command.action === "help") {
    await write(KEYS_USAGE);
    return 0;
  }
  const { runKeysCommand } = await import("./commands.ts");
  return await runKeysCommand(command, env, write);
}
