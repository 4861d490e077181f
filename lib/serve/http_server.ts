/**
 * A small HTTP/1.1 server for the credential endpoints, on its own accept loop
 * so that no client can take it down: `Deno.serve` offers no idle timeout and
 * no connection cap, and it stops for good when accept fails with EMFILE.
 *
 * - A connection must deliver a complete request head within HEAD_TIMEOUT_MS
 *   of opening, and a kept-alive one its next request within
 *   KEEP_ALIVE_TIMEOUT_MS; a response that cannot be written within
 *   HEAD_TIMEOUT_MS closes the connection too.
 * - At most `maxConnections` are open (derived from the descriptor limit).
 *   Beyond it an idle connection is closed: the oldest of those that never
 *   sent a request, else the least recently active kept-alive one; if every
 *   one is busy, the new connection gets a 503.
 * - An accept error (EMFILE, ENFILE, ECONNABORTED, …) is reported (at most
 *   once a minute), frees the idlest connection when descriptors ran out,
 *   and is retried after a short pause.
 * - Request bodies are never read: a request that announces one is answered
 *   and its connection closed.
 * - A request whose `Host` is not an IP address, `localhost` or an allowed
 *   name gets a 403 without reaching the handler (lib/options/host_names.ts).
 */

import { AecError, ExitCode, type Logger, messageOf } from "../support/mod.ts";
import { hostRefusal } from "../options/mod.ts";

/** A request handler; it must answer every failure with a status and never throw. */
export type Handler = (request: Request) => Promise<Response>;

export interface ServerOptions {
  hostname: string;
  /** 0 picks a free port. */
  port: number;
  handler: Handler;
  /** Aborting it shuts the server down, letting requests in flight finish. */
  signal?: AbortSignal;
  log?: Logger;
  /** Told about trouble worth a line even without --debug, once per episode. */
  warn?: (message: string) => void;
  /** Host names answered besides IP addresses and localhost, normalized (lib/options/host_names.ts). */
  allowedHosts?: readonly string[];
  /** Default: from the descriptor limit (connectionLimit()). */
  maxConnections?: number;
  /** Defaults: HEAD_TIMEOUT_MS and KEEP_ALIVE_TIMEOUT_MS; tests shorten them. */
  headTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
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

/** SDKs send their request as soon as they connect. */
const HEAD_TIMEOUT_MS = 5_000;
/** Longer than Node's 5-second keep-alive, so that clients close first. */
const KEEP_ALIVE_TIMEOUT_MS = 10_000;
const MAX_HEAD_BYTES = 16 * 1024;
const MAX_HEADERS = 100;
const ACCEPT_RETRY_MS = 100;
const MAX_CONNECTIONS = 4096;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * How many connections a server keeps open: half the soft descriptor limit
 * less a reserve for aec's own files and its calls to AWS, at most 4096. The
 * limit is read from /proc on Linux; macOS's default of 256 is assumed
 * elsewhere, except on Windows, which has no such limit. aec does not raise
 * the limit: the command of `--serve --exec` would inherit it.
 */
function connectionLimit(): number {
  let limit = 256;
  if (Deno.build.os === "linux") {
    try {
      const match = /^Max open files\s+(\d+|unlimited)/m.exec(
        Deno.readTextFileSync("/proc/self/limits"),
      );
      if (match) limit = match[1] === "unlimited" ? Infinity : Number(match[1]);
    } catch {
      // No /proc: keep the assumption.
    }
  } else if (Deno.build.os === "windows") {
    limit = Infinity;
  }
  return Math.max(4, Math.min(MAX_CONNECTIONS, Math.floor(limit / 2) - 16));
}

/** Serves `handler` on `hostname:port`; throws an AecError (exit 3) when it cannot bind. */
export function startServer(options: ServerOptions): RunningServer {
  const { hostname, port, handler, signal, log, warn, allowedHosts = [] } = options;
  const maxConnections = options.maxConnections ?? connectionLimit();
  const headTimeoutMs = options.headTimeoutMs ?? HEAD_TIMEOUT_MS;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? KEEP_ALIVE_TIMEOUT_MS;

  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname, port, transport: "tcp" });
  } catch (error) {
    const where = `${formatHost(hostname)}:${port}`;
    const reason = messageOf(error).replace(/ \(os error \d+\)$/, "");
    throw new AecError(`Could not listen on ${where}: ${reason}`, ExitCode.listen, {
      cause: error,
    });
  }
  const address = listener.addr;
  const authority = `${formatHost(address.hostname)}:${address.port}`;
  log?.debug(
    `listening on ${authority}; at most ${maxConnections} connections; answering Host ` +
      ["IP addresses", "localhost", ...allowedHosts].join(", "),
  );

  let open = 0;
  // Idle connections (waiting for a request), each map in order of last
  // activity, to close when descriptors run short. Those that never sent a
  // request go first, so that a flood of silent connections makes room for
  // itself before it touches a client's kept-alive one.
  const unused = new Map<Deno.TcpConn, () => void>();
  const keptAlive = new Map<Deno.TcpConn, () => void>();
  const allClosed = Promise.withResolvers<void>();
  let stopping = false;
  const warnAccept = throttled(warn);
  let warnedFull = false;

  /** Closes the idle connection to lose first; false when none is idle. */
  function closeIdlest(idle = [unused, keptAlive]): boolean {
    for (const connections of idle) {
      for (const close of connections.values()) {
        close();
        return true;
      }
    }
    return false;
  }

  async function serveConnection(conn: Deno.TcpConn): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let closed = false;
    const close = () => {
      clearTimeout(timer);
      unused.delete(conn);
      keptAlive.delete(conn);
      if (closed) return;
      closed = true;
      // Counted out now, as it stops being a candidate: its descriptor is
      // freed once its pending read is cancelled, moments later.
      open--;
      if (open < maxConnections / 2) warnedFull = false;
      if (stopping && open === 0) allClosed.resolve();
      try {
        conn.close();
      } catch {
        // Closed by the peer's reset already.
      }
    };
    const busy = () => {
      unused.delete(conn);
      keptAlive.delete(conn);
    };
    /** Closes the connection unless what it waits for happens within `ms`. */
    const deadline = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(close, ms);
    };
    const send = async (response: Response, keepAlive: boolean, headOnly: boolean) => {
      const bytes = await serialize(response, keepAlive, headOnly);
      // A client that does not read its answer loses the connection.
      deadline(headTimeoutMs);
      for (let written = 0; written < bytes.length;) {
        written += await conn.write(bytes.subarray(written));
      }
    };
    open++;
    unused.set(conn, close);
    try {
      let buffer = new Uint8Array(1024);
      let filled = 0;
      let waitMs = headTimeoutMs;
      for (;;) {
        deadline(waitMs);
        let headEnd = findHeadEnd(buffer, 0, filled);
        while (headEnd < 0) {
          if (filled === buffer.length) {
            if (buffer.length >= MAX_HEAD_BYTES) {
              busy();
              await send(tooLarge(), false, false);
              return;
            }
            const grown = new Uint8Array(buffer.length * 4);
            grown.set(buffer);
            buffer = grown;
          }
          const read = await conn.read(buffer.subarray(filled));
          if (read === null) return;
          const scanFrom = Math.max(0, filled - 2);
          filled += read;
          headEnd = findHeadEnd(buffer, scanFrom, filled);
        }
        busy();
        clearTimeout(timer);

        const started = performance.now();
        const parsed = parseHead(buffer.subarray(0, headEnd), authority);
        if (parsed instanceof Response) {
          log?.debug(`malformed request ${parsed.status}`);
          await send(parsed, false, false);
          return;
        }
        const { request } = parsed;
        const refusal = hostRefusal(request.headers.get("host"), allowedHosts);
        let response: Response;
        if (refusal !== undefined) {
          log?.debug(refusal);
          response = forbiddenHost();
        } else {
          try {
            response = await handler(request);
          } catch (error) {
            log?.debug(`request failed: ${messageOf(error)}`);
            response = internalError();
          }
        }
        const keepAlive = parsed.keepAlive && !stopping &&
          response.headers.get("connection") !== "close";
        await send(response, keepAlive, request.method === "HEAD");
        if (log?.enabled) {
          const elapsed = Math.round(performance.now() - started);
          log.debug(`${request.method} ${parsed.path} ${response.status} (${elapsed}ms)`);
        }
        if (!keepAlive) return;
        buffer.copyWithin(0, headEnd, filled);
        filled -= headEnd;
        waitMs = keepAliveTimeoutMs;
        keptAlive.set(conn, close);
      }
    } catch (error) {
      // Interrupted or BadResource: closed by its deadline, to admit another, or by shutdown.
      if (!(error instanceof Deno.errors.Interrupted || error instanceof Deno.errors.BadResource)) {
        log?.debug(`connection failed: ${messageOf(error)}`);
      }
    } finally {
      close();
    }
  }

  function admit(conn: Deno.TcpConn): void {
    if (open >= maxConnections) {
      if (!warnedFull) {
        warnedFull = true;
        warn?.(`${maxConnections} connections are open; closing idle ones to admit new ones`);
      }
      if (!closeIdlest()) {
        refuse(conn);
        return;
      }
    }
    serveConnection(conn).catch(() => {});
  }

  async function acceptLoop(): Promise<void> {
    while (!stopping) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (stopping) break;
        warnAccept(`could not accept a connection (${messageOf(error)}); retrying`);
        // Out of descriptors: a silent connection gives one back. Kept-alive
        // clients are spared: the descriptors of connections closed a moment
        // ago come back by themselves.
        const code = (error as { code?: unknown }).code;
        if (code === "EMFILE" || code === "ENFILE") closeIdlest([unused]);
        await new Promise((resolve) => setTimeout(resolve, ACCEPT_RETRY_MS));
        continue;
      }
      if (stopping) conn.close();
      else admit(conn);
    }
  }

  const finished = Promise.all([acceptLoop(), allClosed.promise]).then(() => {
    log?.debug("server stopped");
  });
  const shutdown = (): Promise<void> => {
    if (!stopping) {
      stopping = true;
      try {
        listener.close();
      } catch {
        // Already closed.
      }
      // Busy connections close once they have answered.
      for (const close of [...unused.values(), ...keptAlive.values()]) close();
      if (open === 0) allClosed.resolve();
    }
    return finished;
  };
  if (signal?.aborted) shutdown();
  else signal?.addEventListener("abort", () => shutdown(), { once: true });

  return { url: `http://${authority}`, port: address.port, finished, shutdown };
}

/** `warn`, at most once a minute: an episode of accept errors is one line, not thousands. */
function throttled(warn: ((message: string) => void) | undefined): (message: string) => void {
  let last = -Infinity;
  return (message) => {
    const now = performance.now();
    if (now - last < 60_000) return;
    last = now;
    warn?.(message);
  };
}

/** The index just past the blank line ending the head in `buffer[0, end)`, or -1. */
function findHeadEnd(buffer: Uint8Array, from: number, end: number): number {
  for (let i = buffer.indexOf(10, from); i !== -1 && i < end; i = buffer.indexOf(10, i + 1)) {
    // A blank line: LF LF, or LF CR LF.
    if (i + 1 < end && buffer[i + 1] === 10) return i + 2;
    if (i + 2 < end && buffer[i + 1] === 13 && buffer[i + 2] === 10) return i + 3;
  }
  return -1;
}

interface Parsed {
  request: Request;
  /** The raw path, for the debug log. */
  path: string;
  keepAlive: boolean;
}

const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\/[^ ]*) HTTP\/1\.([01])$/;
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/;

/** The request in a head (request line and headers), or the 4xx to answer it with. */
function parseHead(bytes: Uint8Array, authority: string): Parsed | Response {
  // Only visible ASCII, spaces, tabs and line ends: no obs-text, no control bytes.
  for (const byte of bytes) {
    if ((byte < 32 && byte !== 9 && byte !== 10 && byte !== 13) || byte > 126) {
      return badRequest();
    }
  }
  const lines = decoder.decode(bytes).split(/\r?\n/);
  // Tolerated before a request line, as RFC 9112 asks.
  while (lines[0] === "") lines.shift();
  const requestLine = REQUEST_LINE.exec(lines.shift() ?? "");
  if (!requestLine) return badRequest();
  const [, method, target, minor] = requestLine as unknown as [string, string, string, string];
  const headers = new Headers();
  let count = 0;
  for (const line of lines) {
    if (line === "") continue;
    const header = HEADER_LINE.exec(line);
    if (!header) return badRequest();
    if (++count > MAX_HEADERS) return tooLarge();
    headers.append(header[1]!, header[2]!);
  }
  const length = headers.get("content-length");
  if (length !== null && !/^\d+$/.test(length)) return badRequest();
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const keepAlive = minor === "1"
    ? !/\bclose\b/.test(connection)
    : /\bkeep-alive\b/.test(connection);
  let request: Request;
  try {
    // Concatenated, not resolved: `//latest/...` is a path here, not a host.
    request = new Request(`http://${authority}${target}`, { method, headers });
  } catch {
    // A method fetch forbids (CONNECT, TRACE) or a target URL rejects.
    return badRequest();
  }
  const announcesBody = (length !== null && !/^0+$/.test(length)) ||
    headers.has("transfer-encoding");
  return { request, path: target.replace(/\?.*/, ""), keepAlive: keepAlive && !announcesBody };
}

const REASONS: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** `response` as HTTP/1.1 bytes, with its length and connection headers set here. */
async function serialize(
  response: Response,
  keepAlive: boolean,
  headOnly: boolean,
): Promise<Uint8Array> {
  const body = new Uint8Array(await response.arrayBuffer());
  let head = `HTTP/1.1 ${response.status} ${REASONS[response.status] ?? ""}\r\n`;
  for (const [name, value] of response.headers) {
    if (name !== "connection" && name !== "content-length" && name !== "transfer-encoding") {
      head += `${name}: ${value}\r\n`;
    }
  }
  head += `content-length: ${body.length}\r\nconnection: ${
    keepAlive ? "keep-alive" : "close"
  }\r\n\r\n`;
  const headBytes = encoder.encode(head);
  if (headOnly) return headBytes;
  const bytes = new Uint8Array(headBytes.length + body.length);
  bytes.set(headBytes);
  bytes.set(body, headBytes.length);
  return bytes;
}

/** Answers a connection over the cap with a 503 without reading its request. */
function refuse(conn: Deno.TcpConn): void {
  const body = JSON.stringify({ Code: "ServiceUnavailable", Message: "Too many connections" });
  const bytes = encoder.encode(
    `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n` +
      `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
  );
  conn.write(bytes).catch(() => {}).finally(() => {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  });
}

/** The JSON error body both protocols use. */
export function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return jsonResponse(status, { Code: code, Message: message }, headers);
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function internalError(): Response {
  return errorResponse(500, "InternalError", "Internal server error");
}

function forbiddenHost(): Response {
  return errorResponse(
    403,
    "Forbidden",
    "The Host header must be an IP address, localhost, or a name allowed with --allow-host",
  );
}

function badRequest(): Response {
  return errorResponse(400, "BadRequest", "Malformed request", { connection: "close" });
}

function tooLarge(): Response {
  return errorResponse(431, "RequestHeaderFieldsTooLarge", "Request head too large", {
    connection: "close",
  });
}

export function formatHost(hostname: string): string {
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}
