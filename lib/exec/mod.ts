/** `--exec`: runs a command, or the user's shell, with the credentials in its environment. */

import { constants } from "node:os";
import type { ExecMode } from "../options/mod.ts";
import {
  CommandError,
  type Credentials,
  describeError,
  ExitCode,
  type Logger,
  printableName,
  say,
} from "../support/mod.ts";
import { credentialVariables } from "../output/mod.ts";
import { forwardSignals } from "./signals.ts";

// Removed from the child's environment so that nothing stale or conflicting
// (another profile, older keys) can win over the exported credentials.
const REPLACED_VARIABLES = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
  // SDKs read a web identity or an EC2 tools' credentials file before the
  // container endpoint of --serve --exec.
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_CREDENTIAL_FILE",
];

/**
 * The parent's environment with `variables` (and the region) in place of any
 * AWS identity, and `AEC_PROFILE` naming `profile` for prompts (replacing an
 * outer aec shell's).
 */
export function childEnvironment(
  parent: Readonly<Record<string, string>>,
  profile: string,
  variables: readonly [string, string][],
  region: string | undefined,
): Record<string, string> {
  const env = { ...parent };
  for (const name of REPLACED_VARIABLES) delete env[name];
  for (const [name, value] of variables) env[name] = value;
  env.AEC_PROFILE = profile;
  if (region) {
    env.AWS_REGION = region;
    env.AWS_DEFAULT_REGION = region;
  }
  // The AWS CLI's auto-prompt would wait on a terminal the caller may not watch.
  env.AWS_CLI_AUTO_PROMPT = "off";
  return env;
}

/** The environment for running a command with fixed `credentials`. */
export function credentialEnvironment(
  parent: Readonly<Record<string, string>>,
  profile: string,
  credentials: Credentials,
  region: string | undefined,
): Record<string, string> {
  return childEnvironment(parent, profile, credentialVariables(credentials), region);
}

/** The user's shell, as aws-vault picks it: `$SHELL`, else `/bin/sh`; `%ComSpec%` on Windows. */
export function userShell(env: Readonly<Record<string, string>>, os = Deno.build.os): string {
  if (os === "windows") return env.ComSpec || env.COMSPEC || "cmd.exe";
  return env.SHELL || "/bin/sh";
}

/**
 * Runs the `--exec` command, or without one the user's shell, after one line
 * on stderr saying as whom (`profile`) and until when (`lifetime`).
 */
export async function execute(
  mode: ExecMode,
  env: Record<string, string>,
  about: { profile: string; lifetime: string },
  log: Logger,
): Promise<number> {
  if (mode.command !== undefined) {
    log.debug(`running ${mode.command} with ${mode.args.length} argument(s)`);
    return await runCommand(mode.command, mode.args, env);
  }
  const shell = userShell(env);
  say(
    `aec: starting ${shell} with profile ${printableName(about.profile)}, ${about.lifetime}; ` +
      "type exit to return",
  );
  return await runCommand(shell, [], env);
}

/**
 * Runs `command` directly (no shell) with `env` and returns its exit code:
 * 128+N when signal N killed it. Every signal that would end aec is forwarded
 * to the command unless it got it too (signals.ts), so aec always outlives
 * it; while it runs, an unexpected error in aec is reported and does not end
 * aec, which would take the command down with it.
 */
async function runCommand(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<number> {
  // Listening before the command starts, so that no signal can end aec in between.
  const forwarding = forwardSignals();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command, {
      args: [...args],
      env,
      clearEnv: true,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    await forwarding.stop();
    if (error instanceof Deno.errors.NotFound) {
      throw new CommandError(`Command not found: ${command}`, ExitCode.commandNotFound);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw new CommandError(`Permission denied: ${command}`, ExitCode.commandNotRunnable);
    }
    throw new CommandError(
      `Could not run ${command}: ${(error as Error).message}`,
      ExitCode.commandNotRunnable,
    );
  }

  forwarding.attach(child);
  const survive = (event: ErrorEvent | PromiseRejectionEvent) => {
    event.preventDefault();
    const error = event instanceof ErrorEvent ? event.error : event.reason;
    Deno.stderr.writeSync(new TextEncoder().encode(`${describeError(error, false)}\n`));
  };
  addEventListener("error", survive);
  addEventListener("unhandledrejection", survive);
  try {
    const status = await child.status;
    if (status.signal) {
      return 128 + ((constants.signals as Record<string, number>)[status.signal] ?? 0);
    }
    return status.code;
  } finally {
    removeEventListener("error", survive);
    removeEventListener("unhandledrejection", survive);
    await forwarding.stop();
  }
}
