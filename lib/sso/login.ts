/**
 * Signing in to IAM Identity Center as the AWS CLI v2 does: the authorization
 * code flow with PKCE (a loopback callback), or the device authorization flow.
 * The token lands in the shared token cache, where every AWS tool finds it.
 *
 * @module
 */

import { canOpenLocally, openBrowser } from "../ui/mod.ts";
import {
  CredentialError,
  InterruptedError,
  type Logger,
  messageOf,
  printable,
  type ProfileChoice,
  registerSecret,
  say,
  tell,
} from "../support/mod.ts";
import type { LoginOptions as LoginCommand } from "../options/mod.ts";
import { readSdkProfiles, timedRequestHandler } from "../sdk/mod.ts";
import { requireTarget, targetOfSession } from "./sso_target.ts";
import { withSignInLock } from "./sign_in_lock.ts";
import {
  checkDeviceAuthorization,
  checkRegistration,
  checkTokenAnswer,
  slowerInterval,
  type TokenAnswer,
} from "./oidc_answers.ts";
import {
  isReusable,
  parseTokenTime,
  readJsonObject,
  type Registration,
  registrationPath,
  type SsoTarget,
  type SsoToken,
  tokenPath,
  writeCacheFile,
} from "./token_cache.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface LoginOptions {
  /** The device authorization flow instead of a browser on this machine. */
  useDeviceCode: boolean;
  /** Print the URL instead of opening a browser. */
  noBrowser: boolean;
  env: Env;
  log: Logger;
}

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const CODE_GRANTS = ["authorization_code", "refresh_token"];
const CALLBACK_PATH = "/oauth/callback";
// The whole sign-in, as the AWS CLI allows.
const LOGIN_TIMEOUT_MS = 10 * 60_000;

type OidcModule = typeof import("@aws-sdk/client-sso-oidc");
type OidcClient = InstanceType<OidcModule["SSOOIDCClient"]>;

/** `aec login`: always a fresh sign-in. */
export async function runLogin(
  command: LoginCommand,
  profile: ProfileChoice,
  env: Env,
  log: Logger,
): Promise<number> {
  const { profiles, sessions } = await readSdkProfiles(profile.name);
  const target = command.ssoSession === undefined
    ? requireTarget(profiles, sessions, profile)
    : targetOfSession(sessions, command.ssoSession);
  log.debug(`signing in to ${target.startUrl} (${target.sessionName ?? "legacy profile"})`);
  await withSignInLock(
    await tokenPath(target, env),
    target.startUrl,
    () => login(target, { ...command, env, log }),
  );
  return 0;
}

/**
 * Signs in to `target` and writes the token file.
 *
 * @throws {CredentialError} when sign-in is denied, times out or fails.
 * @throws {InterruptedError} on Ctrl-C (exit 130).
 */
export async function login(target: SsoTarget, options: LoginOptions): Promise<SsoToken> {
  const oidc = await import("@aws-sdk/client-sso-oidc");
  const client = new oidc.SSOOIDCClient({
    region: target.region,
    requestHandler: await timedRequestHandler(),
  });
  const controller = new AbortController();
  const interrupt = () => controller.abort(new InterruptedError("Sign-in"));
  const timer = setTimeout(
    () =>
      controller.abort(
        new CredentialError(`Sign-in did not finish within ${LOGIN_TIMEOUT_MS / 60_000} minutes`),
      ),
    LOGIN_TIMEOUT_MS,
  );
  Deno.addSignalListener("SIGINT", interrupt);
  try {
    // Legacy profiles sign in with a device code, as with the AWS CLI; so does a
    // machine whose browser could not reach the loopback callback (SSH, no display).
    const device = options.useDeviceCode || target.useDeviceCode === true ||
      target.sessionName === undefined || !canOpenLocally(options.env);
    const flow = device ? deviceFlow : codeFlow;
    const token = await flow(oidc, client, target, options, controller.signal);
    await writeCacheFile(await tokenPath(target, options.env), token);
    say(`aec: signed in to ${target.startUrl}; the session lasts until ${token.expiresAt}`);
    return token;
  } catch (error) {
    if (controller.signal.aborted) throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    Deno.removeSignalListener("SIGINT", interrupt);
    client.destroy();
  }
}

/**
 * Refreshes a token near its end with its refresh token, as the SDKs would,
 * but replaces the file only with an answer that is a usable token. Returns
 * how usable the session is then: `expired` when the service refused and the
 * old token has ended.
 *
 * @throws {CredentialError} when the answer is not a usable token (the file stays as it was).
 */
export async function refreshSession(
  target: SsoTarget,
  token: SsoToken,
  env: Env,
  log: Logger,
): Promise<"valid" | "expired"> {
  registerSecret(token.clientSecret);
  registerSecret(token.refreshToken);
  const oidc = await import("@aws-sdk/client-sso-oidc");
  const client = new oidc.SSOOIDCClient({
    region: target.region,
    requestHandler: await timedRequestHandler(),
  });
  let response;
  try {
    response = await client.send(
      new oidc.CreateTokenCommand({
        clientId: token.clientId,
        clientSecret: token.clientSecret,
        grantType: "refresh_token",
        refreshToken: token.refreshToken,
      }),
    );
  } catch (error) {
    // As the SDKs do: the token goes on being used until it ends.
    log.debug(`could not refresh the token of ${target.startUrl}: ${printable(messageOf(error))}`);
    return (parseTokenTime(token.expiresAt) ?? -Infinity) > Date.now() ? "valid" : "expired";
  } finally {
    client.destroy();
  }
  // The refresh token is spent: only the answer's own one is kept, as the SDKs do.
  const { refreshToken: _spent, ...kept } = token;
  await writeCacheFile(await tokenPath(target, env), { ...kept, ...checkTokenAnswer(response) });
  log.debug(`refreshed the token of ${target.startUrl}`);
  return "valid";
}

/** aec's cached client registration for the flow, or a new one. */
async function registration(
  oidc: OidcModule,
  client: OidcClient,
  target: SsoTarget,
  grantTypes: string[],
  env: Env,
  log: Logger,
  extra: { redirectUris?: string[]; issuerUrl?: string } = {},
): Promise<Registration> {
  const path = await registrationPath(target, grantTypes, env);
  const cached = await readJsonObject(path);
  if (isReusable(cached, grantTypes)) {
    log.debug(`reusing the client registration in ${path}`);
    registerSecret(cached.clientSecret);
    return cached;
  }
  const response = await call("RegisterClient", () =>
    client.send(
      new oidc.RegisterClientCommand({
        clientName: `aec-${target.sessionName ?? Math.floor(Date.now() / 1000)}`,
        clientType: "public",
        ...(target.scopes.length > 0 ? { scopes: target.scopes } : {}),
        ...(target.sessionName === undefined ? {} : { grantTypes }),
        ...extra,
      }),
    ));
  const fresh: Registration = {
    ...checkRegistration(response),
    grantTypes,
    ...(target.scopes.length > 0 ? { scopes: target.scopes } : {}),
  };
  // Only a convenience: without it the next sign-in registers again.
  await writeCacheFile(path, fresh).then(
    () => log.debug(`registered a client; saved in ${path}`),
    (error) => log.debug(`registered a client; could not save it: ${messageOf(error)}`),
  );
  return fresh;
}

/** The authorization code flow with PKCE and a loopback callback. */
async function codeFlow(
  oidc: OidcModule,
  client: OidcClient,
  target: SsoTarget,
  options: LoginOptions,
  signal: AbortSignal,
): Promise<SsoToken> {
  const { env, log } = options;
  const registered = await registration(oidc, client, target, CODE_GRANTS, env, log, {
    redirectUris: [`http://127.0.0.1${CALLBACK_PATH}`],
    issuerUrl: target.startUrl,
  });
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(
    new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))),
  );
  const state = crypto.randomUUID();
  // Listen before the browser can come back.
  const callback = listenForCallback(state, signal);
  try {
    const redirectUri = `http://127.0.0.1:${callback.port}${CALLBACK_PATH}`;
    const url = new URL(await authorizeEndpoint(oidc, client));
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: registered.clientId,
      redirect_uri: redirectUri,
      state,
      code_challenge_method: "S256",
      scopes: target.scopes.join(" "),
      code_challenge: challenge,
    }).toString();
    await showToUser(url.href, undefined, options);
    const code = await callback.code;
    const response = await call("CreateToken", () =>
      client.send(
        new oidc.CreateTokenCommand({
          clientId: registered.clientId,
          clientSecret: registered.clientSecret,
          grantType: "authorization_code",
          code,
          codeVerifier: verifier,
          redirectUri,
        }),
        { abortSignal: signal },
      ));
    return tokenFile(target, registered, checkTokenAnswer(response));
  } finally {
    await callback.close();
  }
}

/** The device authorization flow: a URL and a code the user confirms anywhere. */
async function deviceFlow(
  oidc: OidcModule,
  client: OidcClient,
  target: SsoTarget,
  options: LoginOptions,
  signal: AbortSignal,
): Promise<SsoToken> {
  const grants = target.sessionName === undefined
    ? [DEVICE_GRANT]
    : [DEVICE_GRANT, "refresh_token"];
  const registered = await registration(oidc, client, target, grants, options.env, options.log);
  const started = await call("StartDeviceAuthorization", () =>
    client.send(
      new oidc.StartDeviceAuthorizationCommand({
        clientId: registered.clientId,
        clientSecret: registered.clientSecret,
        startUrl: target.startUrl,
      }),
    ));
  // Checked before anything of it reaches the terminal, the browser or the poll timer.
  const device = checkDeviceAuthorization(started);
  await showToUser(device.url, device.userCode, options);
  let interval = device.intervalMs;
  for (;;) {
    await sleep(interval, signal);
    try {
      const response = await client.send(
        new oidc.CreateTokenCommand({
          clientId: registered.clientId,
          clientSecret: registered.clientSecret,
          grantType: DEVICE_GRANT,
          deviceCode: device.deviceCode,
        }),
        { abortSignal: signal },
      );
      return tokenFile(target, registered, checkTokenAnswer(response));
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const name = error instanceof Error ? error.name : "";
      if (name === "AuthorizationPendingException") continue;
      if (name === "SlowDownException") {
        interval = slowerInterval(interval);
        options.log.debug(`asked to slow down; polling every ${interval / 1000}s`);
        continue;
      }
      if (name === "ExpiredTokenException") {
        throw new CredentialError("The sign-in code expired before it was confirmed");
      }
      throw explain("CreateToken", error);
    }
  }
}

/** Tells the user where to sign in (stderr) and opens the browser unless told not to. */
async function showToUser(url: string, code: string | undefined, options: LoginOptions) {
  // The page the browser goes through is removed once it is loaded, or when aec exits.
  const opened = !options.noBrowser && await openBrowser(url, options.env) !== undefined;
  say(
    opened
      ? "aec: a browser window should open to sign in; if it does not, open this URL:"
      : "aec: to sign in, open this URL in a browser:",
  );
  say(`  ${url}`);
  if (code !== undefined) say(`aec: and confirm that it shows the code ${code}`);
  tell("aec: waiting for you to sign in (Ctrl-C cancels)");
}

interface Callback {
  port: number;
  /** The authorization code, once the browser comes back with the right state. */
  code: Promise<string>;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that waits for the one redirect whose `state` matches. */
function listenForCallback(state: string, signal: AbortSignal): Callback {
  let settle!: { resolve: (code: string) => void; reject: (error: Error) => void };
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Settled before anyone awaits it (a denial, Ctrl-C): not an unhandled rejection.
  code.catch(() => {});
  const onAbort = () => settle.reject(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  let done = false;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    if (request.method !== "GET" || url.pathname !== CALLBACK_PATH) {
      return page(404, "Not found");
    }
    // A callback with another state is not ours (or forged): refuse it and keep waiting.
    if (done || url.searchParams.get("state") !== state) {
      return page(400, "This sign-in link is not the one aec is waiting for.");
    }
    done = true;
    const error = url.searchParams.get("error");
    const received = url.searchParams.get("code");
    if (error !== null || !received) {
      settle.reject(
        new CredentialError(`Sign-in was refused: ${printable(error ?? "no code returned")}`),
      );
      return page(400, "Sign-in failed. Return to the terminal for details.");
    }
    settle.resolve(received);
    return page(200, "Signed in. You can close this tab and return to the terminal.");
  });
  return {
    port: server.addr.port,
    code,
    close: async () => {
      signal.removeEventListener("abort", onAbort);
      await server.shutdown();
    },
  };
}

function page(status: number, message: string): Response {
  return new Response(
    `<!doctype html><html><head><meta charset="utf-8"><title>aec sign-in</title></head>` +
      `<body><p>aec: ${message}</p></body></html>`,
    {
      status,
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
    },
  );
}

/** Where the browser goes: `/authorize` on the SSO-OIDC endpoint the SDK itself resolves. */
async function authorizeEndpoint(oidc: OidcModule, client: OidcClient): Promise<string> {
  const { getEndpointFromInstructions } = await import("@smithy/middleware-endpoint");
  const endpoint = await getEndpointFromInstructions(
    {},
    oidc.CreateTokenCommand as Parameters<typeof getEndpointFromInstructions>[1],
    client.config as Parameters<typeof getEndpointFromInstructions>[2],
  );
  return `${endpoint.url.href.replace(/\/$/, "")}/authorize`;
}

function tokenFile(target: SsoTarget, registered: Registration, answer: TokenAnswer): SsoToken {
  return {
    startUrl: target.startUrl,
    region: target.region,
    accessToken: answer.accessToken,
    expiresAt: answer.expiresAt,
    clientId: registered.clientId,
    clientSecret: registered.clientSecret,
    registrationExpiresAt: registered.expiresAt,
    ...(answer.refreshToken === undefined ? {} : { refreshToken: answer.refreshToken }),
  };
}

async function call<T>(operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw explain(operation, error);
  }
}

function explain(operation: string, error: unknown): Error {
  if (error instanceof CredentialError || error instanceof InterruptedError) return error;
  const name = error instanceof Error ? error.name : "Error";
  // The service's own words: shown, never acted on by the terminal.
  const text = printable(messageOf(error).split("\n")[0]!.replace(/\.$/, ""));
  if (name === "AccessDeniedException") return new CredentialError(`Sign-in was denied: ${text}`);
  return new CredentialError(`IAM Identity Center ${operation} failed: ${text}`, error);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}
