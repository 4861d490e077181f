/**
 * Credential resolution through the AWS SDK for JavaScript. The SDK is
 * imported lazily so that paths which never resolve (--version, --help, usage
 * errors) start without loading any npm module.
 */

import {
  configFilePath,
  type CredentialPlan,
  credentialsFilePath,
  planCredentials,
  type Profiles,
  type ProfileSettings,
  profileSettings,
} from "../config/mod.ts";
import {
  AecError,
  chooseRegion,
  CredentialError,
  type Credentials,
  defersToEnvironmentKeys,
  firstLine,
  hasControlCharacter,
  type Logger,
  NoCredentialsError,
  type ProfileChoice,
  registerSecret,
  UnreachableError,
} from "../support/mod.ts";
import {
  type AssumeRoleAnswer,
  assumeRoleRecorder,
  issuedCredentials,
  readSdkProfiles,
  readSdkProfilesFor,
  type RequestHandler,
  timedRequestHandler,
  withSts,
} from "../sdk/mod.ts";
import type { RunOptions } from "../options/mod.ts";
import { ensureSsoSession, needsLogin, ssoBehind } from "../sso/mod.ts";
import { withDeadline } from "./refresh.ts";
import { mfaCodeAsker } from "../prompt/mod.ts";
import { assumeWithMfaSession, type MfaRole, mfaRoleOf } from "./mfa_session.ts";

export interface ResolveRequest {
  profile: ProfileChoice;
  /** `--region`, which wins over the profile's region. */
  region?: string;
  ensureTemporary: boolean;
  /** Sign in to IAM Identity Center first when the profile's session has ended. */
  ssoLogin?: boolean;
  /** `--no-prompt`: ask nobody for an MFA code or a sign-in; fail instead. */
  noPrompt?: boolean;
  /** Use an MFA session for MFA roles, of this many seconds when a new one is needed. */
  mfaSession: { enabled: boolean; seconds: number };
  /** `--duration`: the profile's role session, or GetSessionToken's, lasts this long. */
  durationSeconds?: number;
  log: Logger;
}

/** The request to resolve `profile` as the command line's `options` ask for it. */
export function resolveRequest(
  options: Pick<
    RunOptions,
    "ensureTemporary" | "ssoLogin" | "noPrompt" | "mfaSession" | "region" | "durationSeconds"
  >,
  profile: ProfileChoice,
  log: Logger,
): ResolveRequest {
  return {
    profile,
    ensureTemporary: options.ensureTemporary,
    ssoLogin: options.ssoLogin,
    noPrompt: options.noPrompt,
    mfaSession: options.mfaSession,
    log,
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.durationSeconds === undefined ? {} : { durationSeconds: options.durationSeconds }),
  };
}

export interface Resolution {
  credentials: Credentials;
  /** The profile's own `region` setting, as the SDK reads it. */
  profileRegion?: string;
  /** What STS answered to the AssumeRole that issued the credentials, when one did. */
  assumeRoleAnswer?: AssumeRoleAnswer;
}

interface SdkCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  $source?: Record<string, string>;
}

/** A profile's credentials, refreshed by the SDK's own memoization when they near expiry. */
export interface CredentialProvider {
  credentials(): Promise<Credentials>;
  /** The profile's own `region` setting, as the SDK reads it. */
  profileRegion?: string;
  /** The profile's `role_arn`, when it assumes a role. */
  roleArn?: string;
  /** The profile's `mfa_serial`: each refresh of its role asks for a code, unless `mfaRole`. */
  mfaSerial?: string;
  /** The role, when aec assumes it with an MFA session (asking for a code once). */
  mfaRole?: MfaRole;
  /** Every profile of the config and credentials files, as the SDK read them. */
  profiles: Profiles;
  /** The profile's own settings; absent when it does not exist. */
  settings?: ProfileSettings;
  /** What STS answered to the AssumeRole that issued `accessKeyId`, if aec saw it. */
  assumeRoleAnswer(accessKeyId: string): AssumeRoleAnswer | undefined;
}

// Bounds a whole resolution (a role chain, an SSO login, an MFA prompt) when serving.
const SERVING_RESOLUTION_DEADLINE_MS = 120_000;

/** Every profile of the AWS files, as the SDK reads them, and how `profile` resolves. */
export async function profilePlan(
  profile: ProfileChoice,
): Promise<{ plan: CredentialPlan; profiles: Profiles }> {
  const { profiles } = await readSdkProfiles(profile.name);
  return { plan: planFor(profiles, profile), profiles };
}

/** How `profile` resolves: by its settings, or by the SDK's chain (the environment first). */
function planFor(profiles: Profiles, profile: ProfileChoice): CredentialPlan {
  if (defersToEnvironmentKeys(profile, Deno.env.toObject())) return { kind: "chain" };
  return planCredentials(profiles, profile.name, profile.explicit, awsFilePaths(), profile.origin);
}

/** Resolves the profile's credentials once, with the profile's region. */
export async function resolveCredentials(request: ResolveRequest): Promise<Resolution> {
  const { credentials, profileRegion, assumeRoleAnswer } = await prepareProfile(request);
  const resolved = await credentials();
  const resolution: Resolution = { credentials: resolved };
  if (profileRegion !== undefined) resolution.profileRegion = profileRegion;
  const answer = assumeRoleAnswer(resolved.accessKeyId);
  if (answer !== undefined) resolution.assumeRoleAnswer = answer;
  return resolution;
}

/**
 * Checks the profile and returns a provider for its credentials, for serving.
 * Each call of `credentials()` answers from memory until the credentials are
 * within the SDK's refresh window (5 minutes), then resolves them anew.
 */
export async function createCredentialProvider(
  request: ResolveRequest,
): Promise<CredentialProvider> {
  const [prepared, { memoize }, { credentialsTreatedAsExpired, credentialsWillNeedRefresh }] =
    await Promise.all([
      prepareProfile(request),
      import("@smithy/core/config"),
      import("@aws-sdk/credential-provider-node"),
    ]);
  const resolve = () =>
    withDeadline(
      prepared.credentials(),
      SERVING_RESOLUTION_DEADLINE_MS,
      () =>
        new CredentialError(
          `Resolving credentials for profile ${request.profile.name} took longer than ` +
            `${SERVING_RESOLUTION_DEADLINE_MS / 1000}s`,
        ),
    );
  return {
    ...prepared,
    credentials: memoize(resolve, credentialsTreatedAsExpired, credentialsWillNeedRefresh),
  };
}

/** Loads the SDK, checks the profile and returns an unmemoized provider for it. */
async function prepareProfile(request: ResolveRequest): Promise<CredentialProvider> {
  const { profile, log } = request;
  const started = performance.now();
  const [{ fromEnv, fromIni, fromNodeProviderChain }, requestHandler] = await Promise.all([
    import("@aws-sdk/credential-providers"),
    timedRequestHandler(),
  ]);
  // Parts of the SDK write to the console directly (e.g. a warning about the
  // default STS region); that belongs in --debug, never on plain stderr or
  // stdout. aec itself writes to the streams directly, never to the console.
  globalThis.console = sdkConsole(log);
  log.debug(`loaded the AWS SDK in ${Math.round(performance.now() - started)}ms`);

  const read = await readSdkProfilesFor(profile.name, log).catch(
    (error) => {
      throw new CredentialError(`Could not read the AWS config files: ${firstLine(error)}`, error);
    },
  );
  const { sessions: ssoSessions } = read;
  // `--duration` stands for the profile's own duration_seconds, wherever that is read.
  const profiles = withDuration(read.profiles, profile.name, request.durationSeconds);
  const plan = planFor(profiles, profile);
  const section = profileSettings(profiles, profile.name);
  const profileRegion = section?.region;
  const stsRegion = chooseRegion(request.region, profileRegion, Deno.env.toObject());

  // STS's whole answer, which the SDK's credentials leave out, for the AWS CLI's cache entry.
  const recorder = assumeRoleRecorder();
  const askCode = (keepsSession: boolean) =>
    mfaCodeAsker({
      profile: profile.name,
      profiles,
      noPrompt: request.noPrompt ?? false,
      keepsSession,
      env: Deno.env.toObject(),
      log,
    });
  const init = {
    profile: profile.name,
    mfaCodeProvider: askCode(false),
    logger: sdkLogger(log),
    clientConfig: { requestHandler },
    clientPlugins: [recorder.plugin],
    ...(request.durationSeconds !== undefined && section?.role_arn !== undefined
      ? {
        roleAssumer: await roleAssumerWithDuration(
          section.role_arn,
          request.durationSeconds,
          {
            requestHandler,
            region: profileRegion,
            logger: sdkLogger(log),
            plugins: [recorder.plugin],
          },
        ),
      }
      : {}),
  };
  const mfaRole = plan.kind === "profile" && section?.mfa_serial !== undefined
    ? !request.mfaSession.enabled ? "--no-mfa-session" : mfaRoleOf(profiles, profile.name)
    : undefined;
  if (typeof mfaRole === "string") {
    log.debug(`MFA role ${profile.name} is assumed with a code each time: ${mfaRole}`);
  }
  let provider: () => Promise<SdkCredentials>;
  let source: string;
  if (plan.kind === "profile") {
    log.debug(`profile ${profile.name} names its source (${plan.source}); resolving only that`);
    provider = fromIni(init);
    source = `the ${plan.source} of profile ${profile.name}`;
  } else {
    log.debug(
      `profile ${profile.name} has no credential settings; using the SDK's default chain ` +
        "(environment, web identity, container and instance metadata endpoints)",
    );
    // The SDK's chain skips the environment when given a profile; aec does not.
    const fromEnvironment = fromEnv();
    const fromChain = fromNodeProviderChain(init);
    provider = () => fromEnvironment().catch(() => fromChain());
    source = "the SDK's default credential chain";
  }

  // `signInAgain`: the portal refused a token that looked valid (revoked, say).
  const resolve = async (signInAgain = false): Promise<Credentials> => {
    const resolving = performance.now();
    let credentials: SdkCredentials;
    if (plan.kind === "profile") {
      await ensureSsoSession(profiles, ssoSessions, profile.name, {
        signIn: request.ssoLogin ?? false,
        noPrompt: request.noPrompt ?? false,
        force: signInAgain,
        env: Deno.env.toObject(),
        log,
      });
    }
    try {
      credentials = typeof mfaRole === "object"
        ? await assumeWithMfaSession(mfaRole, {
          env: Deno.env.toObject(),
          log,
          region: stsRegion,
          requestHandler,
          plugins: [recorder.plugin],
          sessionSeconds: request.mfaSession.seconds,
          askCode: askCode(true),
        })
        : await provider();
    } catch (error) {
      if (error instanceof AecError) throw error;
      if (plan.kind === "chain" && isCredentialsProviderError(error)) {
        throw new NoCredentialsError(error);
      }
      const sso = ssoBehind(profiles, ssoSessions, profile.name);
      // The token was there but did not work (revoked, say): only a new sign-in helps.
      // A portal out of reach is no reason to sign in again.
      if (sso && !UnreachableError.is(error)) {
        if (request.ssoLogin && !signInAgain) return await resolve(true);
        // The SDK's own advice names the AWS CLI; aec's hint replaces it.
        const cause = firstLine(error).replace(/\s*To refresh this SSO session.*$/, "");
        throw needsLogin(`Profile ${profile.name}: ${cause}`, sso.profile);
      }
      throw explain(error, profile.name);
    }
    const result = toCredentials(credentials, source);
    log.debug(
      `credentials from ${Object.keys(credentials.$source ?? {}).join(", ") || "the SDK"} ` +
        `(${result.sessionToken ? "temporary" : "long-term"}, ` +
        `expires: ${result.expiration?.toISOString() ?? "never"}) ` +
        `in ${Math.round(performance.now() - resolving)}ms`,
    );
    return request.ensureTemporary && !result.sessionToken
      ? await getSessionToken(result, stsRegion, log, requestHandler, request.durationSeconds)
      : result;
  };

  const prepared: CredentialProvider = {
    credentials: () => resolve(),
    profiles,
    assumeRoleAnswer: recorder.answerFor,
  };
  if (section !== undefined) prepared.settings = section;
  if (profileRegion !== undefined) prepared.profileRegion = profileRegion;
  if (section?.role_arn !== undefined) prepared.roleArn = section.role_arn;
  if (section?.mfa_serial !== undefined) prepared.mfaSerial = section.mfa_serial;
  if (typeof mfaRole === "object") prepared.mfaRole = mfaRole;
  return prepared;
}

/** The SDK's credentials, checked; `source` names where they came from in errors. */
function toCredentials(source: SdkCredentials, origin: string): Credentials {
  registerSecret(source.secretAccessKey);
  registerSecret(source.sessionToken);
  // The SDK passes on whatever a credential_process or an endpoint said.
  const expiration = source.expiration === undefined ? undefined : new Date(source.expiration);
  if (expiration !== undefined && Number.isNaN(expiration.getTime())) {
    throw new CredentialError(`${capitalize(origin)} gave an expiration that is not a date`);
  }
  if (
    typeof source.accessKeyId !== "string" || !source.accessKeyId ||
    typeof source.secretAccessKey !== "string" || !source.secretAccessKey
  ) {
    throw new CredentialError(`${capitalize(origin)} gave no access key id or secret key`);
  }
  if (source.sessionToken !== undefined && typeof source.sessionToken !== "string") {
    throw new CredentialError(`${capitalize(origin)} gave a session token that is not text`);
  }
  // No shell format, environment or credentials file could carry them intact.
  if (
    [source.accessKeyId, source.secretAccessKey, source.sessionToken ?? ""].some(
      hasControlCharacter,
    )
  ) {
    throw new CredentialError(`${capitalize(origin)} gave credentials with control characters`);
  }
  const credentials: Credentials = {
    accessKeyId: source.accessKeyId,
    secretAccessKey: source.secretAccessKey,
  };
  if (source.sessionToken) credentials.sessionToken = source.sessionToken;
  if (expiration) credentials.expiration = expiration;
  return credentials;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Exchanges long-term keys for temporary ones (STS GetSessionToken). */
function getSessionToken(
  longTerm: Credentials,
  region: string | undefined,
  log: Logger,
  requestHandler: RequestHandler,
  durationSeconds: number | undefined,
): Promise<Credentials> {
  log.debug("long-term keys: calling STS GetSessionToken");
  return withSts(
    "GetSessionToken",
    { region, credentials: longTerm, requestHandler },
    async (client, sts) =>
      issuedCredentials(
        (await client.send(
          new sts.GetSessionTokenCommand(
            durationSeconds === undefined ? {} : { DurationSeconds: durationSeconds },
          ),
        )).Credentials,
        "GetSessionToken",
      ),
  );
}

/** `profiles` with profile `name`'s duration_seconds set to `seconds`, when given. */
function withDuration(profiles: Profiles, name: string, seconds: number | undefined): Profiles {
  const settings = profileSettings(profiles, name);
  if (seconds === undefined || settings === undefined) return profiles;
  return { ...profiles, [name]: { ...settings, duration_seconds: String(seconds) } };
}

type RoleAssumer = ReturnType<typeof import("@aws-sdk/client-sts").getDefaultRoleAssumer>;

/**
 * The SDK's own role assumer (as `fromIni` makes it: the profile's region),
 * asking for `seconds` when it assumes `roleArn`, the profile's own role; the
 * roles of its source chain keep their own duration_seconds.
 */
async function roleAssumerWithDuration(
  roleArn: string,
  seconds: number,
  options: {
    requestHandler: RequestHandler;
    region: string | undefined;
    logger: ReturnType<typeof sdkLogger>;
    /** fromIni's `clientPlugins`, which a role assumer of one's own must carry too. */
    plugins: Parameters<typeof import("@aws-sdk/client-sts").getDefaultRoleAssumer>[1];
  },
): Promise<RoleAssumer> {
  const { getDefaultRoleAssumer } = await import("@aws-sdk/client-sts");
  const assume = getDefaultRoleAssumer({
    requestHandler: options.requestHandler,
    credentialProviderLogger: options.logger,
    ...(options.region === undefined ? {} : { parentClientConfig: { region: options.region } }),
  }, options.plugins);
  return (source, params) =>
    assume(source, params.RoleArn === roleArn ? { ...params, DurationSeconds: seconds } : params);
}

/** Routes the SDK's own diagnostics to `--debug` (never to plain stderr). */
function sdkLogger(log: Logger) {
  const write = (...parts: unknown[]) => log.debug(`sdk: ${parts.map(String).join(" ")}`);
  return { debug: write, info: write, warn: write, error: write, trace: () => {} };
}

function sdkConsole(log: Logger): Console {
  const logger = sdkLogger(log);
  return { ...globalThis.console, log: logger.info, ...logger };
}

function isCredentialsProviderError(error: unknown): error is Error {
  return error instanceof Error && error.name === "CredentialsProviderError";
}

/** The config and credentials files the SDK reads, for messages. */
function awsFilePaths(): string[] {
  const env = Deno.env.toObject();
  try {
    return [configFilePath(env), credentialsFilePath(env)];
  } catch {
    return [];
  }
}

/** The SDK's error as one CredentialError line naming the profile. */
function explain(error: unknown, profile: string): AecError {
  if (error instanceof AecError) return error;
  // Some SDK messages name the profile already.
  const message = firstLine(error).replace(new RegExp(`^Profile ${RegExp.escape(profile)} `), "");
  return new CredentialError(`Profile ${profile}: ${message}`, error);
}
