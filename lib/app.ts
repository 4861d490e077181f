/**
 * Carries out a parsed command line and returns the exit code. Modules that
 * only some commands need are imported where they are used, so that
 * `--version` and cache hits load as little as possible.
 */

import denoConfig from "../deno.json" with { type: "json" };
import { configFilePath, credentialsFilePath } from "./aws_files.ts";
import {
  type CacheIdentity,
  defaultCachePath,
  identityFingerprint,
  loadCache,
  saveCache,
} from "./cache.ts";
import { type CacheOptions, type Cli, type ConsoleOptions, type RunOptions, USAGE } from "./cli.ts";
import type { Credentials } from "./credentials.ts";
import { render } from "./formats.ts";
import { createLogger, type Logger } from "./log.ts";
import { chooseProfile, chooseRegion, type ProfileChoice } from "./profile.ts";
import { registerSecret } from "./redact.ts";
import { refuseIrregularFile } from "./regular_file.ts";

export const VERSION: string = denoConfig.version;

/**
 * Imports one of aec's modules when a command needs it. The specifier is built
 * at run time so that Deno does not walk that module's graph (the SDK's among
 * it) at every start-up, which costs --version and cache hits about 6 ms;
 * `deno task compile` embeds lib/ whole with --include to make up for it.
 */
function load<T>(path: string): Promise<T> {
  return import(new URL(path, import.meta.url).href);
}

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
    case "completions": {
      const { completionScript } = await load<typeof import("./completions.ts")>(
        "./completions.ts",
      );
      await writeStdout(completionScript(cli.shell));
      return 0;
    }
    case "run":
      return await exportCredentials(cli.options);
    case "login":
    case "logout": {
      const { runLogin, runLogout } = await load<typeof import("./sso/mod.ts")>("./sso/mod.ts");
      const env = Deno.env.toObject();
      const log = createLogger(cli.options.debug);
      const profile = chooseProfile(cli.options.profile, env);
      return cli.kind === "login"
        ? await runLogin(cli.options, profile, env, log)
        : await runLogout(cli.options, profile, env, log);
    }
    case "console":
      return await openConsole(cli.options);
  }
}

/** `aec console`: credentials as an export gets them, then the console's sign-in URL. */
async function openConsole(options: ConsoleOptions): Promise<number> {
  const log = createLogger(options.debug);
  const env = Deno.env.toObject();
  const profile = chooseProfile(options.profile, env);
  await refuseIrregularAwsFiles(env, false);
  const resolved = await obtainCredentials(
    { ensureTemporary: false, ssoLogin: options.ssoLogin, region: options.region },
    profile,
    env,
    log,
  );
  const { runConsole } = await load<typeof import("./console.ts")>("./console.ts");
  const url = await runConsole(options, profile, resolved, env, log);
  if (url !== undefined) await writeStdout(`${url}\n`);
  return 0;
}

type Env = Record<string, string>;

/** What obtaining credentials depends on, of an export's or the console's options. */
interface ObtainOptions {
  ensureTemporary: boolean;
  ssoLogin: boolean;
  region?: string | undefined;
  cache?: CacheOptions;
}

async function exportCredentials(options: RunOptions): Promise<number> {
  const log = createLogger(options.debug);
  const env = Deno.env.toObject();
  const profile = chooseProfile(options.profile, env);
  log.debug(`aec ${VERSION}; profile ${profile.name} (from ${profile.origin})`);

  const { mode } = options;
  await refuseIrregularAwsFiles(env, mode.kind === "credentials-file");
  if (mode.kind === "imds" || mode.kind === "container" || (mode.kind === "exec" && mode.serve)) {
    const { serve } = await load<typeof import("./serve.ts")>("./serve.ts");
    return await serve(options, profile, env, log);
  }

  const { credentials, region } = await obtainCredentials(options, profile, env, log);
  log.debug(`region: ${region ?? "none"}`);

  switch (mode.kind) {
    case "print":
      await writeStdout(render(credentials, mode.format, options.pretty));
      return 0;
    case "credentials-file": {
      const { writeCredentialsProfile } = await load<typeof import("./credentials_file.ts")>(
        "./credentials_file.ts",
      );
      const path = credentialsFilePath(env);
      await writeCredentialsProfile({
        path,
        profile: mode.profile,
        credentials,
        sourceProfile: profile.name,
      });
      log.debug(`wrote profile ${mode.profile} of ${path}`);
      return 0;
    }
    case "exec": {
      const { credentialEnvironment, runCommand } = await load<typeof import("./exec.ts")>(
        "./exec.ts",
      );
      log.debug(`running ${mode.command} with ${mode.args.length} argument(s)`);
      return await runCommand(
        mode.command,
        mode.args,
        credentialEnvironment(env, credentials, region),
      );
    }
  }
}

/**
 * Refuses a config or credentials file that is not a regular file, before
 * anything (the SDK included) reads it: a FIFO would hang aec, a device would
 * be read without end or replaced by `-c`. `/dev/null` reads as an empty file,
 * but is not a file `-c` can write.
 */
async function refuseIrregularAwsFiles(env: Env, writing: boolean): Promise<void> {
  const files = [[configFilePath, true], [credentialsFilePath, !writing]] as const;
  for (const [locate, nullDevice] of files) {
    let path: string;
    try {
      path = locate(env);
    } catch {
      continue; // No home directory: the SDK tells what it makes of that.
    }
    await refuseIrregularFile(path, { nullDevice });
  }
}

/** The credentials from the cache when it has them, else resolved (and cached). */
async function obtainCredentials(
  options: ObtainOptions,
  profile: ProfileChoice,
  env: Env,
  log: Logger,
): Promise<{ credentials: Credentials; region: string | undefined }> {
  const { cache } = options;
  let cachePath: string | undefined;
  let identity: CacheIdentity | undefined;
  if (cache) {
    try {
      cachePath = cache.path ?? defaultCachePath(profile.name, env);
      identity = {
        profile: profile.name,
        fingerprint: await identityFingerprint(profile.name, options, env),
      };
    } catch (error) {
      log.debug(`cache not used: ${String(error)}`);
    }
    // At once, even with --refresh: a FIFO or a device there is refused untouched.
    if (cachePath) await refuseIrregularFile(cachePath);
    if (identity && cache.refresh) log.debug("--refresh: not loading the cache");
    if (cachePath && identity && !cache.refresh) {
      const hit = await loadCache(cachePath, identity, cache.bufferMinutes, log);
      if (hit) {
        registerSecret(hit.credentials.secretAccessKey);
        registerSecret(hit.credentials.sessionToken);
        return {
          credentials: hit.credentials,
          region: chooseRegion(options.region, hit.region, env),
        };
      }
    }
  }

  const { resolveCredentials } = await load<typeof import("./resolve.ts")>("./resolve.ts");
  const { credentials, profileRegion } = await resolveCredentials({
    profile,
    ensureTemporary: options.ensureTemporary,
    ssoLogin: options.ssoLogin,
    log,
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  if (cachePath && identity) {
    await saveCache(
      cachePath,
      identity,
      profileRegion === undefined ? { credentials } : { credentials, region: profileRegion },
      { owned: cache?.path === undefined, log },
    );
  }
  return { credentials, region: chooseRegion(options.region, profileRegion, env) };
}
