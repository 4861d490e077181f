/**
 * Local credential servers for the two HTTP protocols AWS SDKs speak: the EC2
 * instance metadata service (IMDSv2 only) and the ECS container credentials
 * endpoint. Handlers are plain `Request -> Response` functions over a
 * credentials source; `startServer` puts one on a socket.
 *
 * The handlers never read a request body and never throw: a failing source
 * becomes a 500 with a JSON error body, and the next request asks the source
 * again.
 */

import { createHash, timingSafeEqual } from "node:crypto";
import { type Credentials, isoSeconds } from "./credentials.ts";
import { AecError, ExitCode, messageOf } from "./errors.ts";
import type { Logger } from "./log.ts";
import { redact } from "./redact.ts";

/**
 * Current temporary credentials, with a session token and an expiration. It is
 * called once per credentials request, so it should cache and refresh itself.
 */
export type CredentialSource = () => Promise<Credentials>;

/** A request handler; the ones made here answer every failure with a status and never throw. */
export type Handler = (request: Request) => Promise<Response>;

export interface ImdsOptions {
  source: CredentialSource;
  /** The instance profile name SDKs discover and ask for. */
  roleName: string;
  /** Served at the placement and instance identity paths; they are 404 without it. */
  region?: string;
  /** Milliseconds since the epoch; for tests. */
  now?: () => number;
  log?: Logger;
}

export interface ContainerOptions {
  source: CredentialSource;
  /** The value clients must send as `Authorization`. */
  token: string;
  roleArn?: string;
  /** Milliseconds since the epoch; for tests. */
  now?: () => number;
  log?: Logger;
}

const TOKEN_PATH = "/latest/api/token";
const TOKEN_TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER = "x-aws-ec2-metadata-token";
const MAX_TOKEN_TTL_SECONDS = 21600;
// Every PUT adds a token; the cap bounds memory against a client that loops.
const MAX_TOKENS = 10_000;
const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials";

/**
 * A random 32-byte token, base64url without padding. Never one that starts
 * with `-`, which could not be passed back as `--container PORT TOKEN`.
 */
export function generateToken(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(32));
    const token = btoa(String.fromCharCode(...bytes))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    if (!token.startsWith("-")) return token;
  }
}

/**
 * An IMDSv2 handler: `PUT /latest/api/token` issues session tokens, and every
 * GET must carry one. SDKs that try the extended credentials API
 * (`security-credentials-extended/`) first get a 404 and fall back to the
 * classic path, as they do against older instances.
 */
export function createImdsHandler(options: ImdsOptions): Handler {
  const { source, roleName, region, log } = options;
  const now = options.now ?? Date.now;
  // Token -> expiry in ms. A Map iterates in insertion order, so the first
  // entries are the oldest.
  const tokens = new Map<string, number>();

  function issueToken(request: Request): Response {
    // Real IMDS refuses token requests that went through a proxy, so that a
    // misconfigured proxy on the host cannot hand tokens to remote callers.
    if (request.headers.has("x-forwarded-for")) {
      return errorResponse(403, "Forbidden", "Token requests through a proxy are refused");
    }
    const ttlHeader = request.headers.get(TOKEN_TTL_HEADER);
    const ttl = ttlHeader !== null && /^\d{1,5}$/.test(ttlHeader) ? Number(ttlHeader) : NaN;
    if (!(ttl >= 1 && ttl <= MAX_TOKEN_TTL_SECONDS)) {
      return errorResponse(
        400,
        "BadRequest",
        `The ${TOKEN_TTL_HEADER} header must be an integer from 1 to ${MAX_TOKEN_TTL_SECONDS}`,
      );
    }
    const current = now();
    if (tokens.size >= MAX_TOKENS) {
      for (const [token, expiry] of tokens) if (expiry <= current) tokens.delete(token);
      for (const token of tokens.keys()) {
        if (tokens.size < MAX_TOKENS) break;
        tokens.delete(token);
      }
    }
    const token = generateToken();
    tokens.set(token, current + ttl * 1000);
    return new Response(token, {
      headers: { ...TEXT, ...NO_STORE, [TOKEN_TTL_HEADER]: String(ttl) },
    });
  }

  function authorized(request: Request): boolean {
    const token = request.headers.get(TOKEN_HEADER);
    if (token === null) return false;
    const expiry = tokens.get(token);
    if (expiry === undefined) return false;
    if (expiry > now()) return true;
    tokens.delete(token);
    return false;
  }

  async function metadata(path: string): Promise<Response> {
    if (path === CREDENTIALS_PATH) return new Response(roleName, { headers: TEXT });
    if (path.startsWith(`${CREDENTIALS_PATH}/`)) {
      if (path !== `${CREDENTIALS_PATH}/${roleName}`) return notFound();
      const current = now();
      return await serveCredentials(source, current, log, (credentials) => ({
        Code: "Success",
        LastUpdated: isoSeconds(new Date(current)),
        Type: "AWS-HMAC",
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        Token: credentials.sessionToken,
        Expiration: isoSeconds(credentials.expiration),
      }));
    }
    if (region === undefined) return notFound();
    // The JS SDK asks for placement/region, botocore for the availability zone
    // (and drops its last letter), Go and Java for the identity document. The
    // zone is made up: the region's first zone.
    switch (path) {
      case "/latest/meta-data/placement/region":
        return new Response(region, { headers: TEXT });
      case "/latest/meta-data/placement/availability-zone":
        return new Response(`${region}a`, { headers: TEXT });
      case "/latest/dynamic/instance-identity/document":
        return jsonResponse(200, { availabilityZone: `${region}a`, region });
      default:
        return notFound();
    }
  }

  return guard(log, async (request) => {
    const rejected = rejectBody(request);
    if (rejected) return rejected;
    // One trailing slash is optional: botocore asks for `availability-zone/`.
    const path = new URL(request.url).pathname.replace(/(.)\/$/, "$1");
    if (path === TOKEN_PATH) {
      return request.method === "PUT" ? issueToken(request) : methodNotAllowed("PUT");
    }
    if (request.method !== "GET") return methodNotAllowed("GET");
    if (!authorized(request)) {
      return errorResponse(401, "Unauthorized", "A valid metadata token is required");
    }
    return await metadata(path);
  });
}

/**
 * An ECS container credentials handler for `AWS_CONTAINER_CREDENTIALS_FULL_URI`
 * pointing at `/` or `/creds`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
 */
export function createContainerHandler(options: ContainerOptions): Handler {
  const { source, token, roleArn, log } = options;
  // An empty token would let any request with an empty Authorization header in.
  if (token === "") throw new TypeError("The container authorization token must not be empty");
  const now = options.now ?? Date.now;
  const expected = sha256(token);

  return guard(log, async (request) => {
    const rejected = rejectBody(request);
    if (rejected) return rejected;
    const { pathname } = new URL(request.url);
    if (pathname !== "/" && pathname !== "/creds") return notFound();
    if (request.method !== "GET") return methodNotAllowed("GET");
    const presented = request.headers.get("authorization");
    // Comparing digests, which always have the same length, takes the same time
    // however much of the token a caller guessed right.
    if (presented === null || !timingSafeEqual(sha256(presented), expected)) {
      return errorResponse(401, "Unauthorized", "A valid Authorization token is required");
    }
    return await serveCredentials(source, now(), log, (credentials) => ({
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      Token: credentials.sessionToken,
      Expiration: isoSeconds(credentials.expiration),
      ...(roleArn === undefined ? {} : { RoleArn: roleArn }),
    }));
  });
}

export interface ServerOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  handler: Handler;
  /** Aborting it shuts the server down, letting requests in flight finish. */
  signal?: AbortSignal;
  log?: Logger;
}

export interface RunningServer {
  /** `http://HOST:PORT` without a trailing slash, with IPv6 hosts in brackets. */
  url: string;
  /** The bound port, also when 0 was asked for. */
  port: number;
  /** Settles when the server has shut down. */
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

/** Serves `handler` with `Deno.serve`, printing nothing unless `log` is enabled. */
export function startServer(options: ServerOptions): RunningServer {
  const { hostname, port, handler, signal, log } = options;
  const logged: Handler = log?.enabled
    ? async (request) => {
      const started = performance.now();
      const response = await handler(request);
      const elapsed = Math.round(performance.now() - started);
      log.debug(
        `${request.method} ${new URL(request.url).pathname} ${response.status} (${elapsed}ms)`,
      );
      return response;
    }
    : handler;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname,
      port,
      ...(signal === undefined ? {} : { signal }),
      // Deno prints "Listening on ..." by default; stdout is not ours to use.
      onListen: () => {},
      onError: (error) => {
        log?.debug(`request failed: ${messageOf(error)}`);
        return internalError();
      },
    }, logged);
  } catch (error) {
    throw new AecError(
      `Could not listen on ${formatHost(hostname)}:${port}: ${messageOf(error)}`,
      ExitCode.internal,
      { cause: error },
    );
  }
  const address = server.addr;
  log?.debug(`listening on ${formatHost(address.hostname)}:${address.port}`);
  return {
    url: `http://${formatHost(address.hostname)}:${address.port}`,
    port: address.port,
    finished: server.finished,
    shutdown: () => server.shutdown(),
  };
}

/** Whether binding to `hostname` keeps the server on this machine: 127.0.0.0/8, ::1 or localhost. */
export function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[(.*)\]$/, "$1");
  let host: string;
  try {
    // The URL parser spells every form of an address one way: 0:0::1 as [::1].
    host = new URL(`http://${formatHost(bare)}/`).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

interface TemporaryCredentials extends Credentials {
  sessionToken: string;
  expiration: Date;
}

const TEXT = { "content-type": "text/plain; charset=utf-8" };
const NO_STORE = { "cache-control": "no-store" };

/** The source's credentials rendered as JSON, or a 500 explaining why not. */
async function serveCredentials(
  source: CredentialSource,
  now: number,
  log: Logger | undefined,
  render: (credentials: TemporaryCredentials) => unknown,
): Promise<Response> {
  let credentials: Credentials;
  try {
    credentials = await source();
  } catch (error) {
    log?.debug(`the credential source failed: ${messageOf(error)}`);
    // aec's own errors are written to be shown; anything else may quote a
    // secret, so it stays in the (redacted) debug log.
    return credentialError(error instanceof AecError ? error.message : "Could not get credentials");
  }
  const { sessionToken, expiration } = credentials;
  if (sessionToken === undefined || expiration === undefined) {
    return credentialError("The credentials are not temporary: no session token or expiration");
  }
  if (expiration.getTime() <= now) {
    return credentialError(`The credentials expired at ${isoSeconds(expiration)}`);
  }
  return jsonResponse(200, render({ ...credentials, sessionToken, expiration }), NO_STORE);
}

function credentialError(message: string): Response {
  return errorResponse(500, "CredentialError", redact(message));
}

/** `handler` with any exception turned into a 500, so that one request cannot take others down. */
function guard(log: Logger | undefined, handler: Handler): Handler {
  return async (request) => {
    try {
      return await handler(request);
    } catch (error) {
      log?.debug(`request failed: ${messageOf(error)}`);
      return internalError();
    }
  };
}

/**
 * A 400 for a request that announces a body. Neither protocol has one, and
 * the body is never read; `connection: close` spares draining it.
 */
function rejectBody(request: Request): Response | undefined {
  const length = request.headers.get("content-length");
  if ((length === null || length === "0") && !request.headers.has("transfer-encoding")) {
    return undefined;
  }
  return errorResponse(400, "BadRequest", "Request bodies are not accepted", {
    connection: "close",
  });
}

function notFound(): Response {
  return errorResponse(404, "NotFound", "Not found");
}

function methodNotAllowed(allow: string): Response {
  return errorResponse(405, "MethodNotAllowed", "Method not allowed", { allow });
}

function internalError(): Response {
  return errorResponse(500, "InternalError", "Internal server error");
}

function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { Code: code, Message: message }, headers);
}

function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function sha256(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}

function formatHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}
