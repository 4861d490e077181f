import { DEFAULT_MFA_SESSION_SECONDS } from "../cli/mod.ts";
import { refuseIrregularAwsFiles, refuseReaderDisagreement } from "../config/mod.ts";
import { runConsole } from "../console/mod.ts";
import { obtainCredentials } from "../credentials/mod.ts";
import type { ConsoleOptions } from "../options/mod.ts";
import { writeStdout } from "../output/mod.ts";
import { noPromptFromEnvironment } from "../prompt/mod.ts";
import { chooseProfile, createLogger } from "../support/mod.ts";

/** `aec console`: credentials as an export gets them, then the console's sign-in URL. */
export async function consoleCommand(options: ConsoleOptions): Promise<number> {
  const log = createLogger(options.debug);
  const env = Deno.env.toObject();
  const profile = chooseProfile(options.profile, env);
  await refuseIrregularAwsFiles(env, false);
  const files = await refuseReaderDisagreement(env, profile, false, log);
  // Only when the console needs them: not for --via-portal.
  const obtain = () =>
    obtainCredentials({
      options: {
        ensureTemporary: false,
        ssoLogin: options.ssoLogin,
        noPrompt: options.noPrompt || noPromptFromEnvironment(env),
        refresh: false,
        cliCache: true,
        mfaSession: { enabled: true, seconds: DEFAULT_MFA_SESSION_SECONDS },
        // GetFederationToken needs a stored profile's keys: a session cannot call it.
        longTermKeys: true,
        ...(options.region === undefined ? {} : { region: options.region }),
      },
      profile,
      env,
      log,
      files,
    });
  const url = await runConsole(options, profile, obtain, env, log);
  if (url !== undefined) await writeStdout(`${url}\n`);
  return 0;
}
