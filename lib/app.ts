/**
 * Carries out a parsed command line and returns the exit code. Modules that
 * only some commands need are imported where they are used, so that
 * `--version` and cache hits load as little as possible.
 */

import denoConfig from "../deno.json" with { type: "json" };
import {
  type AwsFileTexts,
  configFilePath,
  credentialsFilePath,
  MAX_AWS_FILE_BYTES,
  planCredentials,
  profileSettings,
  profileSettingsFromFiles,
  readAwsFiles,
  readerDisagreement,
  readIfPresent,
  SERVED_PROFILE,
} from "./config/mod.ts";
import {
  type CacheIdentity,
  defaultCachePath,
  identityFingerprint,
  loadCache,
  saveCache,
} from "./cache.ts";
import {
  type Cli,
  type ConsoleOptions,
  DEFAULT_MFA_SESSION_SECONDS,
  EXEC_ORDER_HINT,
  type RunOptions,
  USAGE,
} from "./cli.ts";
import { cliCachePath, loadCliCache, roleCallOf, saveCliCache } from "./cli_cache.ts";
import { type Credentials, isoSeconds } from "./credentials.ts";
import { lifetime, render, terminalSummary } from "./formats.ts";
import { load } from "./load.ts";
import { createLogger, type Logger, say, tell } from "./log.ts";
import { CredentialError, messageOf, printable, UsageError } from "./errors.ts";
import { chooseProfile, chooseRegion, type ProfileChoice } from "./profile.ts";
import { registerSecret } from "./redact.ts";
import { NotRegularFileError, refuseIrregularFile } from "./files/mod.ts";

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
      const env = Deno.env.toObject();
      const log = createLogger(cli.options.debug);
      const profile = chooseProfile(cli.options.profile, env);
      if (cli.kind === "login") {
        const { runLogin } = await load<typeof import("./sso/mod.ts")>("./sso/mod.ts");
        return await runLogin(cli.options, profile, env, log);
      }
      const { runLogout } = await load<typeof import("./logout.ts")>("./logout.ts");
      return await runLogout(cli.options, profile, env, log);
    }
    case "console":
      return await openConsole(cli.options);
    case "keys": {
      const { runKeys } = await load<typeof import("./keys/mod.ts")>("./keys/mod.ts");
      return await runKeys(cli.args, Deno.env.toObject(), writeStdout);
    }
    case "pick": {
      const { runPick } = await load<typeof import("./pick.ts")>("./pick.ts");
      return await runPick(Deno.env.toObject(), createLogger(cli.options.debug));
    }
    case "profiles": {
      const { profilesTable, summarizeProfiles } = await load<typeof import("./profiles.ts")>(
        "./profiles.ts",
      );
      const env = Deno.env.toObject();
      const summaries = await summarizeProfiles(env, createLogger(cli.options.debug));
      await writeStdout(
        cli.options.json ? JSON.stringify(summaries, null, 2) + "\n" : profilesTable(summaries),
      );
      return 0;
    }
  }
}

/** `aec console`: credentials as an export gets them, then the console's sign-in URL. */
async function openConsole(options: ConsoleOptions): Promise<number> {
  const log = createLogger(options.debug);
  const env = Deno.env.toObject();
  const profile = chooseProfile(options.profile, env);
  await refuseIrregularAwsFiles(env, false);
  const files = await refuseReaderDisagreement(env, profile, false, log);
  const resolved = await obtainCredentials(
    {
      ensureTemporary: false,
      ssoLogin: options.ssoLogin,
      refresh: false,
      cliCache: true,
      mfaSession: { enabled: true, seconds: DEFAULT_MFA_SESSION_SECONDS },
      longTermKeys: true,
      ...(options.region === undefined ? {} : { region: options.region }),
    },
    profile,
    env,
    log,
    files,
  );
  const { runConsole } = await load<typeof import("./console.ts")>("./console.ts");
  const url = await runConsole(options, profile, resolved, env, log);
  if (url !== undefined) await writeStdout(`${url}\n`);
  return 0;
}

type Env = Record<string, string>;

/** What obtaining credentials depends on, of an export's or the console's options. */
type ObtainOptions =
  & Pick<
    RunOptions,
    | "ensureTemporary"
    | "ssoLogin"
    | "refresh"
    | "cliCache"
    | "mfaSession"
    | "region"
    | "cache"
    | "durationSeconds"
  >
  /** A stored profile's long-term keys, not a session: for the console's GetFederationToken. */
  & { longTermKeys?: boolean };

async function exportCredentials(options: RunOptions): Promise<number> {
  const log = createLogger(options.debug);
  const env = Deno.env.toObject();
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
    const { serve } = await load<typeof import("./serve/mod.ts")>("./serve/mod.ts");
    return await serve(options, profile, env, log);
  }

  if (mode.kind === "credentials-file") {
    // Before resolving anything: a write that would be refused costs no STS call.
    const { refuseShadowedProfile } = await load<typeof import("./credentials_file.ts")>(
      "./credentials_file.ts",
    );
    await refuseShadowedProfile(mode.profile, configFilePath(env));
  }
  const { credentials, region } = await obtainCredentials(options, profile, env, log, files);
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
      tell(
        `aec: profile ${mode.profile} of ${path} now holds profile ${profile.name}'s credentials` +
          (credentials.expiration ? ` until ${isoSeconds(credentials.expiration)}` : ""),
      );
      return 0;
    }
    case "exec": {
      const { credentialEnvironment, execute } = await load<typeof import("./exec/mod.ts")>(
        "./exec/mod.ts",
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
      `${printable(profileFlag)} after --exec goes to the command, and aec was given no ` +
        `profile: ${EXEC_ORDER_HINT}`,
    );
  }
  const outer = env.AEC_PROFILE;
  if (profile.explicit && outer && outer !== profile.name) {
    say(
      `aec: the command gets profile ${printable(profile.name)}, in place of profile ` +
        `${printable(outer)} of the aec shell it starts from`,
    );
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
    await refuseIrregularFile(path, { nullDevice, maxSize: MAX_AWS_FILE_BYTES });
  }
}

/**
 * Refuses AWS files that the AWS CLI and aec would read as different
 * identities for the profile (and, for `--serve --exec`, for the profile its
 * command runs as), before any cache answers or anything resolves.
 */
async function refuseReaderDisagreement(
  env: Env,
  profile: ProfileChoice,
  served: boolean,
  log: Logger,
): Promise<AwsFileTexts | undefined> {
  const read = async (path: string) => {
    try {
      return { path, text: await readIfPresent(path) };
    } catch (error) {
      if (error instanceof NotRegularFileError) throw error;
      // The SDK and botocore both read a file they cannot open as empty.
      log.debug(`reading ${path} as empty: ${messageOf(error)}`);
      return { path, text: "" };
    }
  };
  let paths: [string, string];
  try {
    paths = [configFilePath(env), credentialsFilePath(env)];
  } catch {
    return undefined; // No home directory: the SDK tells what it makes of that.
  }
  const [config, credentials] = await Promise.all(paths.map(read));
  const problem = readerDisagreement(
    { config: config!, credentials: credentials! },
    profile.name,
    served ? [SERVED_PROFILE] : [],
  );
  if (problem) throw new CredentialError(problem);
  // Read once: the cache's fingerprint and the AWS CLI's cache use these texts too.
  return { config: config!.text, credentials: credentials!.text };
}

/** The credentials from the cache when it has them, else resolved (and cached). */
async function obtainCredentials(
  options: ObtainOptions,
  profile: ProfileChoice,
  env: Env,
  log: Logger,
  files: AwsFileTexts | undefined,
): Promise<{ credentials: Credentials; region: string | undefined }> {
  const { cache } = options;
  let cachePath: string | undefined;
  let identity: CacheIdentity | undefined;
  if (cache) {
    try {
      cachePath = cache.path ?? defaultCachePath(profile.name, env);
      identity = {
        profile: profile.name,
        fingerprint: await identityFingerprint(profile.name, options, env, files),
      };
    } catch (error) {
      log.debug(`cache not used: ${String(error)}`);
    }
    // At once, even with --refresh: a FIFO or a device there is refused untouched.
    if (cachePath) await refuseIrregularFile(cachePath);
    if (identity && options.refresh) log.debug("--refresh: not loading the cache");
    if (cachePath && identity && !options.refresh) {
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

  // The AWS CLI's role session, when the profile ends in a role the CLI assumed lately.
  const cliCachePath = options.cliCache
    ? await cliCacheFor(profile, options.durationSeconds, env, log, files)
    : undefined;
  if (cliCachePath && !options.refresh) {
    const fromCli = await loadCliCache(cliCachePath.path, log);
    if (fromCli) {
      registerSecret(fromCli.secretAccessKey);
      registerSecret(fromCli.sessionToken);
      return {
        credentials: fromCli,
        region: chooseRegion(options.region, cliCachePath.profileRegion, env),
      };
    }
  }

  const { resolveCredentials } = await load<typeof import("./resolve.ts")>("./resolve.ts");
  const { credentials, profileRegion } = await resolveCredentials({
    profile,
    ensureTemporary: options.ensureTemporary,
    ssoLogin: options.ssoLogin,
    mfaSession: options.mfaSession,
    refresh: options.refresh,
    ...(options.longTermKeys ? { longTermKeys: true } : {}),
    log,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.durationSeconds === undefined ? {} : { durationSeconds: options.durationSeconds }),
  });
  if (cliCachePath) await saveCliCache(cliCachePath.path, credentials, log);
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

/**
 * The AWS CLI's cache file for the profile's role session, when the profile
 * ends in AssumeRole and its settings would resolve (checked as before any
 * resolution, so that a broken profile never answers from the CLI's cache).
 */
async function cliCacheFor(
  profile: ProfileChoice,
  durationSeconds: number | undefined,
  env: Env,
  log: Logger,
  read: AwsFileTexts | undefined,
): Promise<{ path: string; profileRegion: string | undefined } | undefined> {
  try {
    const files = read ?? await readAwsFiles(env);
    const profiles: Record<string, Record<string, string>> = {};
    for (let name: string | undefined = profile.name; name !== undefined;) {
      if (Object.hasOwn(profiles, name)) break;
      const settings = profileSettingsFromFiles(files, name);
      if (settings === undefined) break;
      profiles[name] = settings;
      name = settings.source_profile;
    }
    const settings = profileSettings(profiles, profile.name);
    // `--duration` stands for duration_seconds, which is part of the CLI's key.
    const call = settings && roleCallOf(
      durationSeconds === undefined
        ? settings
        : { ...settings, duration_seconds: String(durationSeconds) },
    );
    if (!call || planCredentials(profiles, profile.name, profile.explicit).kind !== "profile") {
      return undefined;
    }
    return { path: await cliCachePath(call, env), profileRegion: settings.region };
  } catch (error) {
    log.debug(`AWS CLI cache not used: ${messageOf(error)}`);
    return undefined;
  }
}
