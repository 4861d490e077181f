/**
 * `aec` itself: the profile's credentials, obtained through the pipeline,
 * handed over as `--json`/`--env`…, written with `-c`, given to `--exec`'s
 * command, or served (IMDS, container endpoint). Loaded at every start, so
 * what only some outputs need is loaded where they are chosen.
 */

import {
  configFilePath,
  credentialsFilePath,
  refuseIrregularAwsFiles,
  refuseReaderDisagreement,
} from "../config/mod.ts";
import { EXEC_ORDER_HINT } from "../cli/mod.ts";
import { obtainCredentials } from "../credentials/mod.ts";
import type { RunOptions } from "../options/mod.ts";
import { noPromptFromEnvironment } from "../prompt/mod.ts";
import {
  lifetime,
  refuseShadowedProfile,
  render,
  terminalSummary,
  writeCredentialsProfile,
  writeStdout,
} from "../output/mod.ts";
import {
  chooseProfile,
  createLogger,
  isoSeconds,
  load,
  printableName,
  type ProfileChoice,
  say,
  tell,
  UsageError,
  VERSION,
} from "../support/mod.ts";

type Env = Record<string, string>;

export async function exportCommand(cli: RunOptions): Promise<number> {
  const log = createLogger(cli.debug);
  const env = Deno.env.toObject();
  const options = { ...cli, noPrompt: cli.noPrompt || noPromptFromEnvironment(env) };
  const profile = chooseProfile(options.profile, env);
  log.debug(`aec ${VERSION}; profile ${profile.name} (from ${profile.origin})`);

  const { mode } = options;
  if (mode.kind === "exec") checkExecProfile(mode.profileFlag, profile, env);
  await refuseIrregularAwsFiles(env, mode.kind === "credentials-file");
  const files = await refuseReaderDisagreement(
    env,
    profile,
    mode.kind === "exec" && mode.serve,
    log,
  );
  if (mode.kind === "imds" || mode.kind === "container" || (mode.kind === "exec" && mode.serve)) {
    const { serve } = await load<typeof import("../serve/mod.ts")>("serve/mod.ts");
    return await serve(options, profile, env, log);
  }

  if (mode.kind === "credentials-file") {
    // Before resolving anything: a write that would be refused costs no STS call.
    await refuseShadowedProfile(mode.profile, configFilePath(env));
  }
  const { credentials, region } = await obtainCredentials({ options, profile, env, log, files });
  log.debug(`region: ${region ?? "none"}`);

  switch (mode.kind) {
    case "print":
      // Long-term keys on a screen end up in scrollback and screen shares.
      if (mode.implicit && Deno.stdout.isTerminal()) {
        await writeStdout(terminalSummary(credentials, profile.name));
        return 0;
      }
      await writeStdout(
        render(
          credentials,
          mode.format,
          options.pretty,
          options.noRegion ? undefined : region,
        ),
      );
      return 0;
    case "credentials-file": {
      const path = credentialsFilePath(env);
      await writeCredentialsProfile({
        path,
        profile: mode.profile,
        credentials,
        sourceProfile: profile.name,
      });
      tell(
        `aec: profile ${mode.profile} of ${path} now holds profile ${profile.name}'s credentials` +
          (credentials.expiration ? ` until ${isoSeconds(credentials.expiration)}` : ""),
      );
      return 0;
    }
    case "exec": {
      const { credentialEnvironment, execute } = await load<typeof import("../exec/mod.ts")>(
        "exec/mod.ts",
      );
      return await execute(
        mode,
        credentialEnvironment(
          env,
          profile.name,
          credentials,
          options.noRegion ? undefined : region,
        ),
        { profile: profile.name, lifetime: lifetime(credentials) },
        log,
      );
    }
  }
}

/**
 * Before `--exec` resolves anything: refuses a `--profile` among the
 * command's words (`profileFlag`) when aec itself was given none, since it
 * was likely meant for aec; and says which identity wins inside the shell of
 * another aec, whose `AEC_PROFILE` the command's replaces.
 */
function checkExecProfile(profileFlag: string | undefined, profile: ProfileChoice, env: Env) {
  if (profileFlag !== undefined && profile.origin === "default") {
    throw new UsageError(
      `${printableName(profileFlag)} after --exec goes to the command, and aec was given no ` +
        `profile: ${EXEC_ORDER_HINT}`,
    );
  }
  const outer = env.AEC_PROFILE;
  if (profile.explicit && outer && outer !== profile.name) {
    say(
      `aec: the command gets profile ${printableName(profile.name)}, in place of profile ` +
        `${printableName(outer)} of the aec shell it starts from`,
    );
  }
}
