/** `aec login`: a fresh sign-in to IAM Identity Center for the profile or SSO session. */

import type { LoginOptions } from "../options/mod.ts";
import { runLogin } from "../sso/mod.ts";
import { chooseProfile, createLogger } from "../support/mod.ts";

export async function loginCommand(options: LoginOptions): Promise<number> {
  const env = Deno.env.toObject();
  return await runLogin(
    options,
    chooseProfile(options.profile, env),
    env,
    createLogger(options.debug),
  );
}
