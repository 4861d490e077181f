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
 * Usage: deno run -A scripts/bench_servers.ts [--requests N] [--concurrency C] [--in-process]
 */

import type { Credentials } from "../lib/credentials.ts";
import { createContainerHandler, generateToken, startServer } from "../lib/servers.ts";

interface Target {
  url: string;
  token: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
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
  const server = startServer({
    hostname: "127.0.0.1",
    port: 0,
    handler: createContainerHandler({ source: () => Promise.resolve(expiring), token }),
  });
  return { target: { url: `${server.url}/creds`, token, credentials }, shutdown: server.shutdown };
}

/** Starts `--serve` in a child and reads the target from its first stdout line. */
async function serveInChild(): Promise<{ target: Target; shutdown: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", new URL(import.meta.url).pathname, "--serve"],
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
      await child.stdin.close();
      await reader.cancel();
      await child.status;
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

function option(name: string, fallback: number): number {
  const index = Deno.args.indexOf(name);
  if (index === -1) return fallback;
  const value = Number(Deno.args[index + 1]);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} needs a positive integer`);
  }
  return value;
}

async function main(): Promise<number> {
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
