/**
 * `aec console`: a sign-in URL for the AWS console from the profile's
 * credentials, through the federation endpoint (the "custom identity broker"
 * of the IAM user guide), opened in the browser or printed.
 *
 * Which credentials the console takes, by source:
 * - role sessions (a role assumed from long-term keys, SSO, web identity):
 *   as they are, with `SessionDuration` when asked;
 * - role-chained sessions (a role assumed with temporary credentials): AWS
 *   refuses `SessionDuration`, so it is left out;
 * - long-term IAM user keys: exchanged for a federated user's session
 *   (STS GetFederationToken) first;
 * - other sessions (GetSessionToken, MFA sessions): the console refuses them.
 *
 * The URL is a bearer secret for 15 minutes: it is registered for redaction
 * and only ever printed on stdout with `--stdout`.
 *
 * With `--via-portal`, no credentials at all: the access portal's link for
 * the profile's account and role, which the browser's own portal session
 * signs in.
 *
 * @module
 */

import { openBrowser } from "../ui/mod.ts";
import type { ConsoleOptions } from "../options/mod.ts";
import {
  chooseRegion,
  CredentialError,
  type Credentials,
  type Logger,
  messageOf,
  printable,
  type ProfileChoice,
  registerSecret,
  say,
  UsageError,
} from "../support/mod.ts";
import { commandLine } from "../output/mod.ts";
import {
  type CredentialPlan,
  type Profiles,
  type ProfileSettings,
  profileSettings,
} from "../config/mod.ts";
import { profilePlan } from "../resolve/mod.ts";
import { callerArn, issuedCredentials, readSdkProfiles, withSts } from "../sdk/mod.ts";
import { targetOfProfile } from "../sso/mod.ts";
import { browserCommand } from "./browsers.ts";
import { firefoxContainerLink, portalLink, serviceDestination } from "./links.ts";

type Env = Readonly<Record<string, string | undefined>>;

export type Partition = "aws" | "aws-cn" | "aws-us-gov";

const PARTITION_HOSTS: Record<Partition, { signin: string; console: string }> = {
  "aws": { signin: "signin.aws.amazon.com", console: "console.aws.amazon.com" },
  "aws-cn": { signin: "signin.amazonaws.cn", console: "console.amazonaws.cn" },
  "aws-us-gov": { signin: "signin.amazonaws-us-gov.com", console: "console.amazonaws-us-gov.com" },
};

// STS's policy for a federated user is the intersection of the user's and this
// one; without a policy the session could do nothing.
const ALLOW_ALL_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
});
const FEDERATION_TIMEOUT_MS = 10_000;
// A sign-in token is a few KiB; an answer far larger is not one, and is not read whole.
const MAX_FEDERATION_ANSWER_BYTES = 64 * 1024;

export function partitionOf(region: string | undefined): Partition {
  if (region?.startsWith("cn-")) return "aws-cn";
  if (region?.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The federation endpoint's base: `AWS_ENDPOINT_URL_SIGNIN`, else the partition's sign-in host. */
export function signinBase(region: string | undefined, env: Env): string {
  const override = env.AWS_ENDPOINT_URL_SIGNIN?.trim();
  if (override) return override.replace(/\/+$/, "");
  return `https://${PARTITION_HOSTS[partitionOf(region)].signin}`;
}

/** The console page to land on: the region's home when there is a region, else the console's front page. */
export function defaultDestination(region: string | undefined): string {
  const host = PARTITION_HOSTS[partitionOf(region)].console;
  return region === undefined
    ? `https://${host}/`
    : `https://${region}.${host}/console/home?region=${encodeURIComponent(region)}`;
}

/** How the console must be asked for a session with these credentials. */
export type ConsoleAccess =
  /** A role session; `chained` decides whether SessionDuration may be sent ("unknown": try). */
  | { kind: "role"; chained: boolean | "unknown" }
  /** A federated user's session: no SessionDuration. */
  | { kind: "federated" }
  /** Long-term IAM user keys: GetFederationToken first. */
  | { kind: "long-term"; userName: string }
  /** A session the console refuses (GetSessionToken, MFA). */
  | { kind: "refused"; arn: string };

/**
 * How the console takes the credentials of profile `name`: from the profile's
 * settings when they say, else from the identity STS reports for them.
 */
async function consoleAccess(
  credentials: Credentials,
  plan: CredentialPlan,
  profiles: Profiles,
  name: string,
  env: Env,
  callerArn: () => Promise<string>,
): Promise<ConsoleAccess> {
  if (plan.kind === "profile" && credentials.sessionToken) {
    if (plan.source === "sso" || plan.source === "web_identity_token_file") {
      return { kind: "role", chained: false };
    }
    if (plan.source.startsWith("role_arn")) {
      return { kind: "role", chained: !roleSourceIsLongTerm(profiles, name, env) };
    }
  }
  const arn = await callerArn();
  const resource = arn.split(":").slice(5).join(":");
  if (!credentials.sessionToken) {
    return { kind: "long-term", userName: resource.split("/").at(-1) || "aec" };
  }
  if (resource.startsWith("assumed-role/")) return { kind: "role", chained: "unknown" };
  if (resource.startsWith("federated-user/")) return { kind: "federated" };
  return { kind: "refused", arn };
}

/** Whether a role profile's AssumeRole is signed with long-term keys (so it is not chained). */
function roleSourceIsLongTerm(profiles: Profiles, name: string, env: Env): boolean {
  const settings = profileSettings(profiles, name);
  if (settings?.credential_source !== undefined) {
    return settings.credential_source === "Environment" && !env.AWS_SESSION_TOKEN;
  }
  const source = profileSettings(profiles, settings?.source_profile ?? "");
  // The SDK takes a source profile's own keys before anything else it sets.
  return Boolean(
    source?.aws_access_key_id && source.aws_secret_access_key && !source.aws_session_token,
  );
}

/** A GetFederationToken name: at most 32 of the characters STS allows. */
export function federationName(userName: string): string {
  const name = userName.replace(/[^\w+=,.@-]/g, "").slice(0, 32);
  return name.length >= 2 ? name : "aec";
}

export interface SigninRequest {
  credentials: Credentials;
  access: ConsoleAccess;
  /** Console session length in seconds, from `--duration`. */
  durationSeconds?: number;
  region: string | undefined;
  destination: string;
  env: Env;
  log: Logger;
}

/**
 * The console sign-in URL for the credentials.
 *
 * @throws {CredentialError} for credentials the console refuses, or when
 * the federation endpoint or STS fails.
 */
async function signinUrl(request: SigninRequest): Promise<string> {
  const { access, log } = request;
  if (access.kind === "refused") {
    throw new CredentialError(
      `The console does not accept these credentials (${access.arn}): sessions from ` +
        "GetSessionToken or MFA cannot sign in; use a role profile or long-term keys",
    );
  }
  let session = request.credentials;
  let duration = request.durationSeconds;
  if (access.kind === "long-term") {
    session = await federationToken(request.credentials, access.userName, request);
    log.debug(`signing in as federated user ${federationName(access.userName)}`);
    duration = undefined;
  } else if (access.kind === "federated" || (access.kind === "role" && access.chained === true)) {
    if (duration !== undefined) {
      say(
        "aec: these are role-chained or federated credentials, for which AWS refuses a " +
          "console session length; the session lasts at most as long as the credentials",
      );
    }
    duration = undefined;
  }
  const base = signinBase(request.region, request.env);
  let token: string;
  try {
    token = await signinToken(base, session, duration);
  } catch (error) {
    // A chain aec could not see: AWS answers 400 to SessionDuration; once more without.
    if (!(error instanceof FederationRefused) || duration === undefined) throw error;
    log.debug("the federation endpoint refused SessionDuration; asking again without it");
    say("aec: AWS refused the console session length for these credentials; using its default");
    token = await signinToken(base, session, undefined);
  }
  const url = new URL(`${base}/federation`);
  url.search = new URLSearchParams({
    Action: "login",
    Issuer: "aec",
    Destination: request.destination,
    SigninToken: token,
  }).toString();
  registerSecret(url.href);
  registerSecret(url.search);
  return url.href;
}

class FederationRefused extends CredentialError {}

async function signinToken(
  base: string,
  credentials: Credentials,
  durationSeconds: number | undefined,
): Promise<string> {
  if (!credentials.sessionToken) {
    throw new CredentialError("The console needs temporary credentials");
  }
  const params = new URLSearchParams({ Action: "getSigninToken" });
  if (durationSeconds !== undefined) params.set("SessionDuration", String(durationSeconds));
  params.set(
    "Session",
    JSON.stringify({
      sessionId: credentials.accessKeyId,
      sessionKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    }),
  );
  const host = new URL(base).host;
  // One deadline for the whole exchange, body included: an endpoint that trickles gets no longer.
  const deadline = AbortSignal.timeout(FEDERATION_TIMEOUT_MS);
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}/federation?${params}`, { signal: deadline });
    text = await boundedText(response, MAX_FEDERATION_ANSWER_BYTES);
  } catch (error) {
    if (deadline.aborted) {
      throw new CredentialError(
        `The federation endpoint at ${host} did not answer within ${FEDERATION_TIMEOUT_MS / 1000}s`,
      );
    }
    if (error instanceof AnswerTooLarge) {
      throw new CredentialError(
        `The federation endpoint at ${host} answered more than ${
          MAX_FEDERATION_ANSWER_BYTES / 1024
        } KiB`,
      );
    }
    // The request URL holds the secret key; name only the host.
    throw new CredentialError(
      `Could not reach the federation endpoint at ${host}: ${messageOf(error).split("\n")[0]}`,
    );
  }
  if (response.status === 400) {
    throw new FederationRefused(
      "The federation endpoint refused these credentials for the console (HTTP 400)",
    );
  }
  if (!response.ok) {
    throw new CredentialError(`The federation endpoint answered HTTP ${response.status}`);
  }
  let token: unknown;
  try {
    token = (JSON.parse(text) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== "string" || token === "") {
    throw new CredentialError("The federation endpoint returned no sign-in token");
  }
  registerSecret(token);
  return token;
}

class AnswerTooLarge extends Error {}

/** The response's body as text, read no further than `limit` bytes. */
async function boundedText(response: Response, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of response.body ?? []) {
    length += chunk.length;
    if (length > limit) {
      // Leaving the loop cancels the body: the rest is never read.
      throw new AnswerTooLarge();
    }
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder().decode(bytes);
}

/** A federated user's session from long-term keys (STS GetFederationToken). */
async function federationToken(
  longTerm: Credentials,
  userName: string,
  request: SigninRequest,
): Promise<Credentials> {
  return await withSts(
    "GetFederationToken",
    { region: request.region, credentials: longTerm },
    async (client, sts) => {
      const { Credentials: session } = await client.send(
        new sts.GetFederationTokenCommand({
          Name: federationName(userName),
          Policy: ALLOW_ALL_POLICY,
          ...(request.durationSeconds === undefined
            ? {}
            : { DurationSeconds: request.durationSeconds }),
        }),
      );
      // Sign-in needs no expiration: the federation endpoint knows it.
      return issuedCredentials(session, "GetFederationToken", false);
    },
  );
}

/**
 * Opens `url` in the browser (`browser`, a program and its arguments, when
 * the user chose one) and waits until the browser has loaded it, so that aec
 * can remove the page it went through. The URL never reaches stderr, being a
 * secret. The hints keep the profile that was named.
 */
export async function openConsole(
  url: string,
  env: Env,
  profile: ProfileChoice,
  browser?: readonly string[],
): Promise<void> {
  const stdoutLine = commandLine([
    "aec",
    "console",
    ...(profile.explicit ? ["--profile", profile.name] : []),
    "--stdout",
  ]);
  const page = await openBrowser(url, env, browser ? { browser } : {});
  if (!page) {
    throw new CredentialError(
      `Could not open a browser for the console; run '${stdoutLine}' to print the URL`,
    );
  }
  if (!await page.loaded) {
    throw new CredentialError(
      `The browser did not load aec's sign-in page; run '${stdoutLine}' to print the URL`,
    );
  }
}

/**
 * `aec console`: the console link for `profile` (a sign-in URL for the
 * credentials `obtain` gets, or with `--via-portal` the access portal's
 * link), in a Firefox container with `--firefox-container`; printed on
 * stdout with `--stdout`, else opened in the browser.
 */
export async function runConsole(
  options: ConsoleOptions,
  profile: ProfileChoice,
  obtain: () => Promise<{ credentials: Credentials; region: string | undefined }>,
  env: Env,
  log: Logger,
): Promise<string | undefined> {
  const { profiles, sessions } = await readSdkProfiles(profile.name);
  const settings = profileSettings(profiles, profile.name);
  // Before any credentials: a browser that is not there costs no MFA code.
  const browser = options.stdout ? undefined : chosenBrowser(options, settings, env);
  let url: string;
  if (options.viaPortal) {
    const region = chooseRegion(options.region, settings?.region, env);
    url = viaPortal(profiles, sessions, profile.name, destinationOf(options, region));
    log.debug(`console through the access portal: ${url}`);
  } else {
    const { credentials, region } = await obtain();
    const { plan } = await profilePlan(profile);
    const access = await consoleAccess(
      credentials,
      plan,
      profiles,
      profile.name,
      env,
      () => callerArn(() => Promise.resolve(credentials), region),
    );
    log.debug(`console access: ${access.kind}`);
    url = await signinUrl({
      credentials,
      access,
      ...(options.durationSeconds === undefined
        ? {}
        : { durationSeconds: options.durationSeconds }),
      region,
      destination: destinationOf(options, region),
      env,
      log,
    });
  }
  if (options.firefoxContainer) {
    url = firefoxContainerLink(url, profile.name);
    // It holds the sign-in URL, encoded.
    registerSecret(url);
  }
  if (options.stdout) return url;
  await openConsole(url, env, profile, browser);
  return undefined;
}

/** The console page to land on: `--destination`, `--service`'s page, or the region's home. */
function destinationOf(options: ConsoleOptions, region: string | undefined): string {
  if (options.destination !== undefined) return options.destination;
  if (options.service !== undefined) {
    return serviceDestination(
      options.service,
      PARTITION_HOSTS[partitionOf(region)].console,
      region,
    );
  }
  return defaultDestination(region);
}

/**
 * The access portal's link for the account and role of profile `name`,
 * which must sign in with IAM Identity Center itself.
 *
 * @throws {UsageError} for any other profile.
 */
function viaPortal(
  profiles: Profiles,
  sessions: Profiles,
  name: string,
  destination: string,
): string {
  const settings = profileSettings(profiles, name);
  const target = targetOfProfile(profiles, sessions, name);
  if (!target || !settings?.sso_account_id || !settings.sso_role_name) {
    throw new UsageError(
      `--via-portal needs a profile with sso_account_id and sso_role_name; profile ` +
        `${printable(name)} has ${target ? "not both" : "no IAM Identity Center sign-in"}`,
    );
  }
  return portalLink(target.startUrl, settings.sso_account_id, settings.sso_role_name, destination);
}

/**
 * The browser to open the console in: `--browser`, else the profile's
 * `aec_browser`, else Firefox for `--firefox-container`; `undefined` for
 * `BROWSER` or the system's.
 */
function chosenBrowser(
  options: ConsoleOptions,
  settings: ProfileSettings | undefined,
  env: Env,
): string[] | undefined {
  const browser = options.browser ?? settings?.aec_browser ??
    (options.firefoxContainer ? "firefox" : undefined);
  const profile = options.browserProfile ?? settings?.aec_browser_profile;
  if (browser === undefined) {
    if (profile === undefined) return undefined;
    throw new UsageError(
      `A browser profile needs a browser: --browser or aec_browser (got ${
        options.browserProfile === undefined ? "aec_browser_profile" : "--browser-profile"
      } ${printable(profile)})`,
    );
  }
  return browserCommand(profile === undefined ? { browser } : { browser, profile }, env);
}
