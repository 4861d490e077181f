/** Carries out a parsed command line and returns the exit code. */

import denoConfig from "../deno.json" with { type: "json" };
import { type Cli, type RunOptions, USAGE } from "./cli.ts";
import { credentialEnvironment, runCommand } from "./exec.ts";
import { render } from "./formats.ts";
import { createLogger } from "./log.ts";
import { chooseProfile } from "./profile.ts";
import { resolveCredentials } from "./resolve.ts";

export const VERSION: string = denoConfig.version;

const encoder = new TextEncoder();

async function writeStdout(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) {
    written += await Deno.stdout.write(bytes.subarray(written));
  }
}

export async function run(cli: Cli): Promise<number> {
  switch (cli.kind) {
    case "help":
      await writeStdout(USAGE);
      return 0;
    case "version":
      await writeStdout(`${VERSION}\n`);
      return 0;
    case "run":
      return await exportCredentials(cli.options);
  }
}

async function exportCredentials(options: RunOptions): Promise<number> {
  const log = createLogger(options.debug);
  const env = Deno.env.toObject();
  const profile = chooseProfile(options.profile, env);
  log.debug(`aec ${VERSION}; profile ${profile.name} (from ${profile.origin})`);

  const { credentials, region } = await resolveCredentials({
    profile,
    ensureTemporary: options.ensureTemporary,
    log,
    ...(options.region === undefined ? {} : { region: options.region }),
  });

  const { mode } = options;
  if (mode.kind === "print") {
    await writeStdout(render(credentials, mode.format, options.pretty));
    return 0;
  }
  log.debug(`running ${mode.command} with ${mode.args.length} argument(s)`);
  return await runCommand(mode.command, mode.args, credentialEnvironment(env, credentials, region));
}
