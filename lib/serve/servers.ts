/**
 * Local credential servers for the two HTTP protocols AWS SDKs speak: the EC2
 * instance metadata service (IMDSv2 only) and the ECS container credentials
 * endpoint. Handlers are plain `Request -> Response` functions over a
 * credentials source; `startServer` (http_server.ts) puts one on a socket.
 *
 * The handlers never read a request body and never throw: a failing source
 * becomes a 500 with a JSON error body, and the next request asks the source
 * again.
 */

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import {
  AecError,
  type Credentials,
  isoSeconds,
  type Logger,
  messageOf,
  redact,
} from "../support/mod.ts";
import {
  errorResponse,
  formatHost,
  type Handler,
  internalError,
  jsonResponse,
} from "./http_server.ts";

export {
  type Handler,
  type RunningServer,
  type ServerOptions,
  startServer,
} from "./http_server.ts";

/**
 * Current temporary credentials, with a session token and an expiration. It is
 * called once per credentials request, so it should cache and refresh itself.
 */
export type CredentialSource = () => Promise<Credentials>;

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
const CREDENTIALS_PATH = "/latest/meta-data/iam/security-credentials";

/**
 * A random 32-byte token, base64url without padding. Never one that starts
 * with `-`, which could not be passed back as `--container PORT TOKEN`.
 */
export function generateToken(): string {
  for (;;) {
    const token = base64url(crypto.getRandomValues(new Uint8Array(32)));
    if (!token.startsWith("-")) return token;
  }
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * IMDS session tokens that need no table: a token is its expiry (8 bytes,
 * milliseconds) and 24 bytes of HMAC-SHA256 over it under a key that lives
 * as long as the handler. However many a client asks for, none is ever
 * evicted and memory stays flat.
 */
function imdsTokens() {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const mac = (expiry: Uint8Array) =>
    createHmac("sha256", key).update(expiry).digest().subarray(0, 24);
  return {
    issue(expiry: number): string {
      const bytes = new Uint8Array(32);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(expiry));
      bytes.set(mac(bytes.subarray(0, 8)), 8);
      return base64url(bytes);
    },
    /** The token's expiry in ms, or undefined when aec did not issue it. */
    expiry(token: string): number | undefined {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
      const bytes = Uint8Array.from(
        atob(`${token.replaceAll("-", "+").replaceAll("_", "/")}=`),
        (char) => char.charCodeAt(0),
      );
      if (!timingSafeEqual(mac(bytes.subarray(0, 8)), bytes.subarray(8))) return undefined;
      return Number(new DataView(bytes.buffer).getBigUint64(0));
    },
  };
}

/** The request's path with repeated slashes collapsed: SDKs send `//latest/...`, as EC2 allows. */
function routePath(request: Request): string {
  return new URL(request.url).pathname.replace(/\/{2,}/g, "/");
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
  const tokens = imdsTokens();

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
    return new Response(tokens.issue(now() + ttl * 1000), {
      headers: { ...TEXT, ...NO_STORE, [TOKEN_TTL_HEADER]: String(ttl) },
    });
  }

  function authorized(request: Request): boolean {
    const token = request.headers.get(TOKEN_HEADER);
    const expiry = token === null ? undefined : tokens.expiry(token);
    return expiry !== undefined && expiry > now();
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
    const path = routePath(request).replace(/(.)\/$/, "$1");
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
    const path = routePath(request);
    if (path !== "/" && path !== "/creds") return notFound();
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

function sha256(text: string): Uint8Array {
  return createHash("sha256").update(text).digest();
}
