/**
 * Load test for the container credentials server: REQUESTS requests at
 * CONCURRENCY, every tenth with a wrong token. Every good request must get a
 * 200 with exactly the served credentials and every bad one a 401, or the
 * script exits 1. Prints requests/s and latency percentiles.
 *
 * The server runs in a child process by default, so that the load generator's
 * fetch calls and JSON checks do not share its event loop and inflate its
 * latency; `--in-process` measures both on one loop for comparison.
 *
 * `--abuse` instead runs the servers in a child under `ulimit -n 1024` and,
 * while IDLE idle connections are held open (reopened as the server closes
 * them), IMDS token requests flood in and malformed requests keep coming,
 * measures a well-behaved client with `wrk` (a C client, so that the figures
 * are the server's; one request at a time), on a kept-alive connection and
 * then on a new connection per request. Each abuse runs in its own process.
 * It exits 1 unless every good request succeeded.
 *
 * Usage: deno run -A scripts/bench_servers.ts [--requests N] [--concurrency C] [--in-process]
 *        deno run -A scripts/bench_servers.ts --abuse [--idle N] [--seconds S] [--reconnect-ms MS]
 */

import type { Credentials } from "../lib/support/credentials.ts";
import {
  createContainerHandler,
  createImdsHandler,
  generateToken,
  startServer,
} from "../lib/serve/servers.ts";

interface Target {
  url: string;
  token: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  /** The IMDS server on the same credentials, serving role `bench`. */
  imdsUrl: string;
}

const WARMUP_REQUESTS = 500;

function serve(): { target: Target; shutdown: () => Promise<void> } {
  const credentials = {
    accessKeyId: "ASIABENCHMARKEXAMPLE",
    secretAccessKey: generateToken(),
    sessionToken: generateToken().repeat(8),
  };
  const expiring: Credentials = { ...credentials, expiration: new Date(Date.now() + 3600_000) };
  const token = generateToken();
  const source = () => Promise.resolve(expiring);
  const server = startServer({
    hostname: "127.0.0.1",
    port: 0,
    handler: createContainerHandler({ source, token }),
  });
  const imds = startServer({
    hostname: "127.0.0.1",
    port: 0,
    handler: createImdsHandler({ source, roleName: "bench" }),
  });
  return {
    target: { url: `${server.url}/creds`, token, credentials, imdsUrl: imds.url },
    shutdown: async () => {
      await server.shutdown();
      await imds.shutdown();
    },
  };
}

/**
 * Starts `--serve` in a child and reads the target from its first stdout line;
 * with `fileLimit`, under `ulimit -n fileLimit`.
 */
async function serveInChild(
  fileLimit?: number,
): Promise<{ target: Target; shutdown: () => Promise<void> }> {
  const deno = [Deno.execPath(), "run", "-A", "--quiet", new URL(import.meta.url).pathname];
  const [command, ...args] = fileLimit === undefined
    ? deno
    : ["sh", "-c", `ulimit -n ${fileLimit} && exec "$@"`, "sh", ...deno];
  const child = new Deno.Command(command!, {
    args: [...args, "--serve"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let line = "";
  while (!line.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The server process exited before it started");
    line += value;
  }
  return {
    target: JSON.parse(line),
    shutdown: async () => {
      // Closing its stdin is the child's cue to shut down.
      await child.stdin.close().catch(() => {});
      await reader.cancel();
      const status = await child.status;
      if (!status.success) throw new Error(`The server process failed: ${JSON.stringify(status)}`);
    },
  };
}

interface Result {
  latencies: number[];
  failures: string[];
}

async function load(target: Target, requests: number, concurrency: number): Promise<Result> {
  const latencies: number[] = [];
  const failures: string[] = [];
  const wrongToken = generateToken();
  let next = 0;
  async function worker(): Promise<void> {
    while (next < requests) {
      const index = next++;
      const good = index % 10 !== 9;
      const started = performance.now();
      const response = await fetch(target.url, {
        headers: { authorization: good ? target.token : wrongToken },
      });
      const body = await response.text();
      latencies.push(performance.now() - started);
      if (good) {
        const parsed = response.status === 200 ? JSON.parse(body) : {};
        const ok = parsed.AccessKeyId === target.credentials.accessKeyId &&
          parsed.SecretAccessKey === target.credentials.secretAccessKey &&
          parsed.Token === target.credentials.sessionToken;
        if (!ok) failures.push(`request ${index}: ${response.status} ${body.slice(0, 80)}`);
      } else if (response.status !== 401) {
        failures.push(`request ${index} with a wrong token: ${response.status}`);
      }
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, failures };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

function option(name: string, fallback: number, min = 1): number {
  const index = Deno.args.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(Deno.args[index + 1]);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} needs an integer of at least ${min}`);
  }
  return value;
}

// --- the abuse run ------------------------------------------------------------------

const encoder = new TextEncoder();
const MALFORMED = [
  "GARBAGE\r\n\r\n",
  "GET /creds HTTP/9.9\r\n\r\n",
  "\x00\x01\x02\xff\r\n\r\n",
  `GET /creds HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
  "PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\nabc",
  "GET /latest/api/token HTTP/1.1\r\nHost: x\r\n", // never finished
].map((text) => encoder.encode(text));

type AbuseKind = "idle" | "tokens" | "malformed";

/**
 * One kind of abuse against the IMDS server at `url`, forever, counting in
 * `counted.n`: IDLE connections that never send a byte (one the server closes
 * is reopened after `reconnectMs`; 0 makes the holders a connection flood),
 * token requests on two kept-alive connections, or malformed requests.
 */
function abuse(
  kind: AbuseKind,
  url: string,
  idle: number,
  reconnectMs: number,
  counted: { n: number },
): void {
  const port = Number(new URL(url).port);
  const connect = () => Deno.connect({ hostname: "127.0.0.1", port });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const drain = async (conn: Deno.Conn) => {
    const buffer = new Uint8Array(4096);
    while (await conn.read(buffer).catch(() => null) !== null) { /* discard */ }
    try {
      conn.close();
    } catch {
      // Closed already.
    }
  };

  async function holdIdle(): Promise<void> {
    for (;;) {
      const conn = await connect().catch(() => undefined);
      if (!conn) {
        await sleep(10);
        continue;
      }
      counted.n++;
      await drain(conn);
      if (reconnectMs > 0) await sleep(reconnectMs);
    }
  }

  async function floodTokens(): Promise<void> {
    for (;;) {
      const response = await fetch(`${url}/latest/api/token`, {
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
      }).catch(() => undefined);
      await response?.body?.cancel();
      counted.n++;
    }
  }

  async function sendMalformed(): Promise<void> {
    for (let i = 0;; i++) {
      const conn = await connect().catch(() => undefined);
      if (!conn) continue;
      await conn.write(MALFORMED[i % MALFORMED.length]!).catch(() => {});
      // The server answers and closes, or times an unfinished head out; cut that short.
      const timer = setTimeout(() => conn.close(), 200);
      await drain(conn);
      clearTimeout(timer);
      counted.n++;
    }
  }

  if (kind === "idle") { for (let i = 0; i < idle; i++) holdIdle(); }
  else if (kind === "tokens") { for (let i = 0; i < 2; i++) floodTokens(); }
  else sendMalformed();
}

/** `--abuse-worker KIND URL IDLE RECONNECT_MS`: abuses until stdin closes, then prints its count. */
async function abuseWorker(): Promise<never> {
  const [, kind, url, idle, reconnectMs] = Deno.args;
  const counted = { n: 0 };
  abuse(kind as AbuseKind, url!, Number(idle), Number(reconnectMs), counted);
  for await (const _ of Deno.stdin.readable) { /* wait for the parent to close stdin */ }
  console.log(counted.n);
  Deno.exit(0);
}

/** Starts one kind of abuse in its own process, so that each gets its own event loop. */
function startAbuse(kind: AbuseKind, url: string, idle: number, reconnectMs: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--quiet",
      new URL(import.meta.url).pathname,
      "--abuse-worker",
      kind,
      url,
      String(idle),
      String(reconnectMs),
    ],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  return {
    /** Stops the abuse and returns how many connections or requests it made. */
    async stop(): Promise<number> {
      await child.stdin.close();
      const output = await child.output();
      return Number(new TextDecoder().decode(output.stdout));
    },
  };
}

interface WrkResult {
  /** Why wrk could not run, e.g. the server is gone. */
  error?: string;
  requests: number;
  failures: number;
  requestsPerSecond: number;
  p50: string;
  p99: string;
}

/**
 * Runs wrk against `url` with `headers` and parses its summary. One connection,
 * one request at a time: a well-behaved client, as an SDK is.
 */
async function wrk(
  url: string,
  headers: Record<string, string>,
  seconds: number,
): Promise<WrkResult> {
  const args = ["-t1", "-c1", `-d${seconds}s`, "--latency", "--timeout", "5s"];
  for (const [name, value] of Object.entries(headers)) args.push("-H", `${name}: ${value}`);
  const output = await new Deno.Command("wrk", { args: [...args, url] }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (Deno.env.get("BENCH_DEBUG")) console.error(text);
  if (!output.success) {
    const error = new TextDecoder().decode(output.stderr).trim() || `exit ${output.code}`;
    return { error, requests: 0, failures: 1, requestsPerSecond: 0, p50: "-", p99: "-" };
  }
  const number = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
    .exec(text)?.slice(1).reduce((sum, n) => sum + Number(n), 0) ?? 0;
  return {
    requests: number(/(\d+) requests in/),
    failures: number(/Non-2xx or 3xx responses: (\d+)/) + socketErrors,
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    // Lines of the latency distribution, not the stats lines that end in a percentage.
    p50: /^\s+50%\s+(\S+)$/m.exec(text)?.[1] ?? "?",
    p99: /^\s+99%\s+(\S+)$/m.exec(text)?.[1] ?? "?",
  };
}

async function abuseRun(): Promise<number> {
  const idle = option("--idle", 2000);
  const seconds = option("--seconds", 10);
  const reconnectMs = option("--reconnect-ms", 1000, 0);
  const fileLimit = 1024;
  const { target, shutdown } = await serveInChild(fileLimit);
  const token = await (await fetch(`${target.imdsUrl}/latest/api/token`, {
    method: "PUT",
    headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
  })).text();
  const credentialsUrl = `${target.imdsUrl}/latest/meta-data/iam/security-credentials/bench`;
  const good = { "x-aws-ec2-metadata-token": token };
  const lines = [
    `server: child process under ulimit -n ${fileLimit}, IMDS`,
    `abuse: ${idle} idle connections held open (reopened ${reconnectMs}ms after the server ` +
    `closes one), a token flood, malformed requests`,
  ];
  let failures = 0;
  try {
    const quiet = await wrk(credentialsUrl, good, 3);
    const attacks = (["idle", "tokens", "malformed"] as const).map((kind) =>
      startAbuse(kind, target.imdsUrl, idle, reconnectMs)
    );
    // Let the idle connections pile up before measuring.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const kept = await wrk(credentialsUrl, good, seconds);
    const fresh = await wrk(credentialsUrl, { ...good, connection: "close" }, seconds);
    const [idleOpened, tokens, malformed] = await Promise.all(
      attacks.map((attack) => attack.stop()),
    );
    const after = await wrk(credentialsUrl, good, 3);
    const show = (label: string, result: WrkResult) => {
      failures += result.failures;
      if (result.error) {
        lines.push(`${label}: wrk failed: ${result.error}`);
        return;
      }
      const success = result.requests === 0
        ? 0
        : 100 * (result.requests - result.failures) / result.requests;
      lines.push(
        `${label}: ${result.requests} requests, ${success.toFixed(3)}% ok, ` +
          `${Math.round(result.requestsPerSecond)}/s, p50 ${result.p50}, p99 ${result.p99}`,
      );
    };
    show("good client, no abuse (keep-alive)", quiet);
    show("good client under abuse (keep-alive)", kept);
    show("good client under abuse (new connection per request)", fresh);
    show("good client after the abuse (keep-alive)", after);
    lines.push(
      `abuse sent: ${idleOpened} idle connections opened, ${tokens} token requests, ` +
        `${malformed} malformed requests`,
    );
  } finally {
    // A server that died under the abuse is the worst result, not a crash of the bench.
    await shutdown().catch((error) => {
      failures++;
      lines.push(`server: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  console.log(lines.join("\n"));
  return failures === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  if (Deno.args[0] === "--abuse-worker") await abuseWorker();
  if (Deno.args.includes("--abuse")) return await abuseRun();
  if (Deno.args.includes("--serve")) {
    const { target, shutdown } = serve();
    console.log(JSON.stringify(target));
    // Wait for the parent to close stdin.
    for await (const _ of Deno.stdin.readable) { /* discard */ }
    await shutdown();
    return 0;
  }
  const requests = option("--requests", 20_000);
  const concurrency = option("--concurrency", 64);
  const inProcess = Deno.args.includes("--in-process");
  const { target, shutdown } = inProcess ? serve() : await serveInChild();
  try {
    await load(target, WARMUP_REQUESTS, concurrency);
    const started = performance.now();
    const { latencies, failures } = await load(target, requests, concurrency);
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const bad = Math.floor(requests / 10);
    console.log(
      [
        `server: ${inProcess ? "in process" : "child process"}`,
        `requests: ${requests} (${requests - bad} good, ${bad} with a wrong token)`,
        `concurrency: ${concurrency}`,
        `requests/s: ${Math.round(requests / seconds)}`,
        `latency p50: ${percentile(latencies, 0.5).toFixed(2)}ms`,
        `latency p99: ${percentile(latencies, 0.99).toFixed(2)}ms`,
        `latency max: ${latencies.at(-1)?.toFixed(2)}ms`,
        `wrong answers: ${failures.length}`,
      ].join("\n"),
    );
    for (const failure of failures.slice(0, 10)) console.error(failure);
    return failures.length === 0 ? 0 : 1;
  } finally {
    await shutdown();
  }
}

Deno.exit(await main());
