/**
 * `aec keys`: long-term keys in a store (lib/keys/). `credential-process` is
 * what a stored profile's credential_process line runs: the credentials as
 * aec's own pipeline reads them (lib/credentials/key_store_source.ts), printed
 * as credential_process JSON.
 */

import type { KeysOptions } from "../options/mod.ts";
import { runKeysAction, storedProfileCredentials } from "../keys/mod.ts";
import { render, writeStdout } from "../output/mod.ts";
import { noPromptFromEnvironment } from "../prompt/mod.ts";
import { createLogger } from "../support/mod.ts";

export async function keysCommand(options: KeysOptions): Promise<number> {
  const env = Deno.env.toObject();
  const log = createLogger(options.debug);
  if (options.action !== "credential-process") {
    return await runKeysAction(options, env, log, writeStdout);
  }
  const credentials = await storedProfileCredentials(options.hook, {
    env,
    log,
    noPrompt: noPromptFromEnvironment(env),
  });
  await writeStdout(render(credentials, "process", false));
  return 0;
}
