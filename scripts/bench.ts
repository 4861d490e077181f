/**
 * Startup benchmark of whole aec processes against baselines, in one run:
 *
 * - aec: `--version`; a static-keys profile `--json`; an assume-role profile
 *   through a local AWS-shaped STS; a cache hit (`--cache-file`); the same role answered
 *   from the AWS CLI's assume-role cache; `aec profiles`; an SSO profile through the
 *   local portal; with a 36,000-line config of 6,000 SSO profiles: a cache hit,
 *   `aec profiles`, the SSO profile, and `aec pick` from start to the list's first
 *   draw and Esc (on a pseudo-terminal, where util-linux `script` is installed);
 *   `--exec -- true`; `--no-prompt` where
 *   an MFA code or a sign-in would be needed (exit 3 at once, the goal: under a
 *   second).
 * - the scale of `aec sso populate` (scripts/bench_sso_populate.ts): 1,000
 *   accounts × 3 roles from a local portal that pages and throttles, 3 runs.
 * - baselines: `deno run` of a hello-world file (runtime floor); a bare script
 *   resolving the same static profile with the SDK's fromIni (SDK floor); and
 *   `aws configure export-credentials` when an AWS CLI v2 is on PATH.
 *
 * Each command runs once to warm up (priming the cache), then RUNS times, the
 * commands taking turns so that drift in the machine spreads over all of them.
 * It reports the median wall time and the median peak memory (largest resident
 * set of a process, from GNU time's %M where /usr/bin/time is GNU time), and
 * writes the same as JSON to .bench/results.json (ignored by git).
 *
 * A benchmark, never a test: it fails only when a command fails or prints the
 * wrong thing, or a cache hit calls STS, never on a number.
 *
 * Usage: deno task bench [--runs N] [--json-only]
 */

import denoConfig from "../deno.json" with { type: "json" };
import { GOOD_SSO_TOKEN, startFakeAws } from "../tests/support/fake_aws.ts";
import { realDenoDir, REPO_ROOT } from "../tests/support/sandbox.ts";
import { startOnTerminal } from "../tests/support/terminal.ts";
import { benchSsoPopulate, describePopulateBench } from "./bench_sso_populate.ts";
import { sha1Hex } from "../lib/support/python_json.ts";

const RESULTS_DIR = `${REPO_ROOT}.bench`;
const RESULTS_PATH = `${RESULTS_DIR}/results.json`;
const DEFAULT_RUNS = 15;
// Each populate run takes seconds: a few are enough for a throughput figure.
const POPULATE_RUNS = 3;
const GNU_TIME = "/usr/bin/time";
const STATIC_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const ROLE_ARN = "arn:aws:iam::111122223333:role/bench";
// What `sso populate` tools write for 2,000 accounts of three roles: 6,000 SSO profiles.
const LARGE_CONFIG_LINES = 36_000;
const LARGE = "36,000-line config";
// A profile in the middle of the large config.
const LARGE_PROFILE = "acct1000-Admin";

class UsageError extends Error {}

interface Case {
  name: string;
  /** Set for baselines: what the case stands for. */
  baseline?: string;
  command: string[];
  /** Variables that differ from the other cases'. */
  env?: Record<string, string>;
  /**
   * For an interactive command: run on a pseudo-terminal, wait until it shows
   * `shows`, then type `keys`; the time is from start to exit.
   */
  terminal?: { shows: string; keys: string };
  /** Whether the output shows the command did what it is measured for. */
  ok(stdout: string): boolean;
  /** The exit code the command must end with; 0 unless set. */
  exitCode?: number;
}

interface Sample {
  ms: number;
  /** Peak resident set in MiB, when GNU time is available. */
  mib?: number;
}

interface CaseResult {
  name: string;
  baseline?: string;
  command: string[];
  medianMs: number;
  minMs: number;
  maxMs: number;
  medianMiB: number | null;
  samples: Sample[];
}

interface Ratio {
  name: string;
  time: number;
  memory: number | null;
  /** The subject's median peak memory above the base's, in MiB. */
  extraMiB: number | null;
}

function parseArgs(args: readonly string[]): { runs: number; jsonOnly: boolean } {
  let runs = DEFAULT_RUNS;
  let jsonOnly = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json-only") {
      jsonOnly = true;
    } else if (arg === "--runs") {
      runs = Number(args[++i]);
      if (!Number.isInteger(runs) || runs < 1) {
        throw new UsageError("--runs needs a positive integer");
      }
    } else {
      throw new UsageError(`Unknown argument ${arg}`);
    }
  }
  return { runs, jsonOnly };
}

const decoder = new TextDecoder();

async function output(command: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await new Deno.Command(command, { args, stderr: "null" }).output();
    return result.success ? decoder.decode(result.stdout) : undefined;
  } catch {
    return undefined;
  }
}

/** Deno's cache directory, so that children with a temporary HOME reuse the downloaded SDK. */
/** The first `aws` on PATH that is an AWS CLI v2 (v1 has no export-credentials), and its version. */
async function findAwsCliV2(): Promise<{ path: string; version: string } | undefined> {
  const separator = Deno.build.os === "windows" ? ";" : ":";
  const names = Deno.build.os === "windows" ? ["aws.exe", "aws.cmd"] : ["aws"];
  for (const dir of (Deno.env.get("PATH") ?? "").split(separator)) {
    for (const name of names) {
      const path = `${dir}/${name}`;
      const version = (await output(path, ["--version"]))?.trim();
      if (version?.startsWith("aws-cli/2")) return { path, version };
    }
  }
  return undefined;
}

/** Whether /usr/bin/time is GNU time (BSD time has no -f). */
async function hasGnuTime(): Promise<boolean> {
  return await output(GNU_TIME, ["-f", "%M", "true"]) !== undefined;
}

async function runOnce(
  command: string[],
  env: Record<string, string>,
  rssFile: string | undefined,
): Promise<{ sample: Sample; code: number; stdout: string; stderr: string }> {
  const [program, ...args] = rssFile === undefined
    ? command
    : [GNU_TIME, "-f", "%M", "-o", rssFile, ...command];
  const started = performance.now();
  const result = await new Deno.Command(program!, {
    args,
    cwd: REPO_ROOT,
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  const sample: Sample = { ms: round(performance.now() - started) };
  if (rssFile !== undefined) {
    // GNU time prints "Command exited with non-zero status N" first on failure.
    const kib = Number((await Deno.readTextFile(rssFile)).trim().split("\n").at(-1));
    sample.mib = round(kib / 1024);
  }
  return {
    sample,
    code: result.code,
    stdout: decoder.decode(result.stdout),
    stderr: decoder.decode(result.stderr),
  };
}

/** A case on a pseudo-terminal: start, wait for its screen, type, wait for the exit. */
async function measureOnTerminal(
  testCase: Case,
  env: Record<string, string>,
  home: string,
): Promise<Sample> {
  const { shows, keys } = testCase.terminal!;
  const stdoutFile = `${home}/terminal_stdout`;
  const started = performance.now();
  const session = startOnTerminal(testCase.command, env, { stdoutFile });
  await session.waitFor(shows);
  await session.type(keys);
  const code = await session.exit();
  const ms = round(performance.now() - started);
  const stdout = await Deno.readTextFile(stdoutFile);
  // Esc is exit 130, by design.
  if ((code !== 0 && code !== 130) || !testCase.ok(stdout)) {
    throw new Error(`${testCase.name} failed (exit ${code}):\n${session.screen()}`);
  }
  return { ms };
}

/** A config of about `lines` lines: SSO profiles as `sso populate` tools write them. */
function ssoProfiles(lines: number): string {
  const parts = [
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n" +
    "sso_region = us-east-1\n",
  ];
  // Each profile is six lines with the blank line before it.
  for (let account = 0; parts.length * 6 < lines; account++) {
    const id = String(100_000_000_000 + account);
    for (const role of ["ReadOnly", "Admin", "PowerUser"]) {
      parts.push(
        `\n[profile acct${account}-${role}]\nsso_session = corp\nsso_account_id = ${id}\n` +
          `sso_role_name = ${role}\nregion = eu-west-1\n`,
      );
    }
  }
  return parts.join("");
}

/** To 0.1: finer digits of a process's wall time or memory are noise. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

function summarize(testCase: Case, samples: Sample[]): CaseResult {
  const ms = samples.map((s) => s.ms);
  const mib = samples.flatMap((s) => s.mib === undefined ? [] : [s.mib]);
  return {
    name: testCase.name,
    ...(testCase.baseline === undefined ? {} : { baseline: testCase.baseline }),
    command: testCase.command,
    medianMs: median(ms),
    minMs: Math.min(...ms),
    maxMs: Math.max(...ms),
    medianMiB: mib.length === samples.length ? median(mib) : null,
    samples,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  // The first column is text, the others numbers.
  const pad = (cell: string, column: number) =>
    column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!);
  return rows.map((row) => row.map(pad).join("  ")).join("\n");
}

async function main(): Promise<void> {
  const { runs, jsonOnly } = parseArgs(Deno.args);
  const [denoCache, gnuTime, awsCli] = await Promise.all([
    realDenoDir(),
    hasGnuTime(),
    findAwsCliV2(),
  ]);

  const home = await Deno.makeTempDir({ prefix: "aec-bench-" });
  const aws = startFakeAws();
  try {
    await Deno.mkdir(`${home}/.aws`);
    const configFile = `${home}/.aws/config`;
    const credentialsFile = `${home}/.aws/credentials`;
    await Deno.writeTextFile(
      configFile,
      `[profile static]\nregion = eu-west-1\n` +
        `[profile role]\nrole_arn = ${ROLE_ARN}\nsource_profile = static\nregion = eu-west-1\n` +
        `[profile mfa]\nrole_arn = ${ROLE_ARN}\nsource_profile = static\n` +
        `mfa_serial = arn:aws:iam::111122223333:mfa/bench\n` +
        `[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\n` +
        `sso_role_name = Admin\n` +
        `[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n` +
        `sso_region = us-east-1\n` +
        // Signed out: no token for this session.
        `[profile sso-out]\nsso_session = out\nsso_account_id = 111122223333\n` +
        `sso_role_name = Admin\n` +
        `[sso-session out]\nsso_start_url = https://out.awsapps.com/start\n` +
        `sso_region = us-east-1\n`,
    );
    await Deno.writeTextFile(
      credentialsFile,
      `[static]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
        `aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n`,
    );
    const largeConfig = `${home}/large_config`;
    await Deno.writeTextFile(largeConfig, ssoProfiles(LARGE_CONFIG_LINES));
    // A signed-in session of sso-session corp, which the local portal accepts.
    await Deno.mkdir(`${home}/.aws/sso/cache`, { recursive: true });
    await Deno.writeTextFile(
      `${home}/.aws/sso/cache/${await sha1Hex("corp")}.json`,
      JSON.stringify({
        startUrl: "https://corp.awsapps.com/start",
        region: "us-east-1",
        accessToken: GOOD_SSO_TOKEN,
        expiresAt: new Date(Date.now() + 24 * 3600_000).toISOString().replace(/\.\d+Z$/, "Z"),
      }),
    );
    await Deno.writeTextFile(`${home}/hello.ts`, `console.log("hello");\n`);
    // The bare specifier resolves through the repository's deno.json and
    // deno.lock (--config, --frozen): the very SDK packages aec loads.
    await Deno.writeTextFile(
      `${home}/sdk_floor.ts`,
      `import { fromIni } from "@aws-sdk/credential-providers";\n` +
        `const c = await fromIni({ profile: "static" })();\n` +
        `console.log(JSON.stringify({ Version: 1, AccessKeyId: c.accessKeyId, ` +
        `SecretAccessKey: c.secretAccessKey }));\n`,
    );

    const env: Record<string, string> = {
      HOME: home,
      USERPROFILE: home,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR: denoCache,
      NO_COLOR: "1",
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_ENDPOINT_URL_STS: aws.url,
      AWS_ENDPOINT_URL_SSO: aws.url,
      // A stray instance metadata probe reaches the local server and finds nothing, fast.
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `${aws.url}/`,
    };
    for (const name of ["SYSTEMROOT", "TEMP", "TMP"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }

    const denoRun = ["run", "-A", "--quiet"];
    const aec = [Deno.execPath(), ...denoRun, `${REPO_ROOT}main.ts`];
    const cacheFile = `${home}/cache/role.json`;
    const largeCacheFile = `${home}/cache/large.json`;
    const trueCommand = Deno.build.os === "windows" ? [Deno.execPath(), "eval", ""] : ["true"];
    const hasStaticKey = (stdout: string) => stdout.includes(STATIC_KEY_ID);
    const hasIssuedKey = (stdout: string) => stdout.includes('"AccessKeyId":"ASIAFAKE');
    const large = { AWS_CONFIG_FILE: largeConfig };
    const cases: Case[] = [
      {
        name: "aec --version",
        command: [...aec, "--version"],
        ok: (stdout) => stdout === `${denoConfig.version}\n`,
      },
      {
        name: "aec static --json",
        command: [...aec, "--profile", "static", "--json"],
        ok: hasStaticKey,
      },
      {
        name: "aec assume-role --json",
        // Without the AWS CLI's cache, which would answer after the first run.
        command: [...aec, "--profile", "role", "--json", "--no-cli-cache"],
        ok: hasIssuedKey,
      },
      {
        name: "aec cache hit --json",
        command: [...aec, "--profile", "role", "--cache-file", cacheFile, "--json"],
        ok: hasIssuedKey,
      },
      {
        // The role session the AWS CLI's cache holds (written by the warm-up run).
        name: "aec AWS CLI cache hit --json",
        command: [...aec, "--profile", "role", "--json"],
        ok: hasIssuedKey,
      },
      {
        name: "aec profiles",
        command: [...aec, "profiles"],
        ok: (stdout) => stdout.startsWith("PROFILE") && stdout.includes("role"),
      },
      {
        name: `aec cache hit --json, ${LARGE}`,
        command: [...aec, "--profile", LARGE_PROFILE, "--cache-file", largeCacheFile, "--json"],
        env: large,
        ok: hasIssuedKey,
      },
      {
        name: `aec profiles, ${LARGE}`,
        command: [...aec, "profiles"],
        env: large,
        ok: (stdout) => stdout.startsWith("PROFILE") && stdout.includes(LARGE_PROFILE),
      },
      {
        // Through the local portal's GetRoleCredentials, every run.
        name: "aec SSO --json",
        command: [...aec, "--profile", "sso", "--json"],
        ok: hasIssuedKey,
      },
      {
        name: `aec SSO --json, ${LARGE}`,
        command: [...aec, "--profile", LARGE_PROFILE, "--json"],
        env: large,
        ok: hasIssuedKey,
      },
      {
        name: "aec static --exec true",
        command: [...aec, "--profile", "static", "--exec", "--", ...trueCommand],
        ok: (stdout) => stdout === "",
      },
      {
        name: "aec --no-prompt, MFA code needed (exit 3)",
        command: [...aec, "--profile", "mfa", "--json", "--no-prompt"],
        exitCode: 3,
        ok: (stdout) => stdout === "",
      },
      {
        name: "aec --no-prompt --sso-login, signed out (exit 3)",
        command: [...aec, "--profile", "sso-out", "--json", "--sso-login", "--no-prompt"],
        exitCode: 3,
        ok: (stdout) => stdout === "",
      },
      {
        name: "deno hello world",
        baseline: "runtime floor",
        command: [Deno.execPath(), ...denoRun, `${home}/hello.ts`],
        ok: (stdout) => stdout === "hello\n",
      },
      {
        name: "SDK fromIni static",
        baseline: "SDK floor",
        command: [
          Deno.execPath(),
          ...denoRun,
          "--config",
          `${REPO_ROOT}deno.json`,
          "--frozen",
          `${home}/sdk_floor.ts`,
        ],
        ok: hasStaticKey,
      },
    ];
    if (awsCli !== undefined) {
      cases.push({
        name: "aws configure export-credentials static",
        baseline: "AWS CLI v2",
        command: [
          awsCli.path,
          "configure",
          "export-credentials",
          "--profile",
          "static",
          "--format",
          "process",
        ],
        ok: hasStaticKey,
      });
    }

    if (await output("script", ["--version"]) === undefined) {
      console.error("aec pick: skipped (no util-linux 'script' for a pseudo-terminal)");
    } else {
      cases.push({
        name: `aec pick, ${LARGE}: first draw, Esc`,
        command: [...aec, "pick"],
        env: large,
        terminal: { shows: "Enter picks", keys: "\x1b" },
        ok: (stdout) => stdout === "",
      });
    }

    const rssFile = gnuTime ? `${home}/rss` : undefined;
    const measure = async (testCase: Case): Promise<Sample> => {
      const caseEnv = { ...env, ...testCase.env };
      if (testCase.terminal) return await measureOnTerminal(testCase, caseEnv, home);
      const result = await runOnce(testCase.command, caseEnv, rssFile);
      if (result.code !== (testCase.exitCode ?? 0) || !testCase.ok(result.stdout)) {
        throw new Error(
          `${testCase.name} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`,
        );
      }
      return result.sample;
    };

    console.error(`warming up ${cases.length} commands (this also primes the cache)`);
    for (const testCase of cases) await measure(testCase);
    const stsCallsAfterPriming = aws.requests.length;
    const samples = cases.map((): Sample[] => []);
    for (let round = 1; round <= runs; round++) {
      console.error(`round ${round}/${runs}`);
      for (const [index, testCase] of cases.entries()) {
        samples[index]!.push(await measure(testCase));
      }
    }
    // Only the uncached assume-role runs may call STS, and only the two SSO
    // cases the portal: else a "cache hit" was a miss.
    const calls = aws.requests.slice(stsCallsAfterPriming);
    const portalCalls = calls.filter((r) => r.action === "GetRoleCredentials").length;
    if (calls.length - portalCalls !== runs || portalCalls !== 2 * runs) {
      throw new Error(
        `Expected ${runs} STS calls, one per assume-role run, and ${2 * runs} portal calls, ` +
          `two per round; got ${calls.length - portalCalls} and ${portalCalls}`,
      );
    }

    const results = cases.map((testCase, index) => summarize(testCase, samples[index]!));
    const ssoPopulate = await benchSsoPopulate(Math.min(runs, POPULATE_RUNS));
    const byName = (name: string) => results.find((r) => r.name === name);
    const ratio = (name: string, subject: string, base: string): Ratio[] => {
      const a = byName(subject);
      const b = byName(base);
      if (a === undefined || b === undefined) return [];
      return [{
        name,
        time: Math.round(a.medianMs / b.medianMs * 100) / 100,
        memory: a.medianMiB === null || b.medianMiB === null
          ? null
          : Math.round(a.medianMiB / b.medianMiB * 100) / 100,
        extraMiB: a.medianMiB === null || b.medianMiB === null
          ? null
          : round(a.medianMiB - b.medianMiB),
      }];
    };
    const floor = "deno hello world";
    // The goals of issue 18 first, in its order.
    const ratios = [
      ...ratio("cache hit / runtime floor", "aec cache hit --json", floor),
      ...ratio("AWS CLI cache hit / runtime floor", "aec AWS CLI cache hit --json", floor),
      ...ratio("static / SDK floor", "aec static --json", "SDK fromIni static"),
      ...ratio(`cache hit, ${LARGE} / runtime floor`, `aec cache hit --json, ${LARGE}`, floor),
      ...ratio(`profiles, ${LARGE} / runtime floor`, `aec profiles, ${LARGE}`, floor),
      ...ratio(`SSO, ${LARGE} / SSO, small config`, `aec SSO --json, ${LARGE}`, "aec SSO --json"),
      ...ratio("--version / runtime floor", "aec --version", floor),
      ...ratio("profiles / runtime floor", "aec profiles", floor),
      ...ratio(`pick, ${LARGE} / runtime floor`, `aec pick, ${LARGE}: first draw, Esc`, floor),
      ...ratio(
        "AWS CLI cache hit / cache hit",
        "aec AWS CLI cache hit --json",
        "aec cache hit --json",
      ),
      ...ratio("static / AWS CLI", "aec static --json", "aws configure export-credentials static"),
    ];
    const report = {
      date: new Date().toISOString(),
      runs,
      warmupRuns: 1,
      environment: {
        deno: Deno.version.deno,
        os: Deno.build.os,
        arch: Deno.build.arch,
        cpus: navigator.hardwareConcurrency,
        awsCli: awsCli?.version ?? null,
        memory: gnuTime
          ? "peak resident set of the largest process (GNU time %M)"
          : `not measured: no GNU time at ${GNU_TIME}`,
        wallTime: "around the spawn, including the GNU time wrapper when used",
      },
      cases: results,
      ratios,
      ssoPopulate,
    };
    await Deno.mkdir(RESULTS_DIR, { recursive: true });
    await Deno.writeTextFile(RESULTS_PATH, JSON.stringify(report, null, 2) + "\n");

    if (jsonOnly) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    const mib = (value: number | null) => value === null ? "-" : value.toFixed(1);
    console.log(table([
      ["command", "median ms", "min ms", "max ms", "median MiB"],
      ...results.map((r) => [
        r.baseline === undefined ? r.name : `${r.name} (${r.baseline})`,
        r.medianMs.toFixed(1),
        r.minMs.toFixed(1),
        r.maxMs.toFixed(1),
        mib(r.medianMiB),
      ]),
    ]));
    console.log();
    console.log(table([
      ["ratio of medians", "time", "memory", "+MiB"],
      ...ratios.map((r) => [
        r.name,
        `${r.time.toFixed(2)}x`,
        r.memory === null ? "-" : `${r.memory.toFixed(2)}x`,
        r.extraMiB === null ? "-" : r.extraMiB.toFixed(1),
      ]),
    ]));
    console.log();
    console.log(describePopulateBench(ssoPopulate));
    console.log();
    console.log(
      [
        `runs: ${runs} of each after 1 warm-up; deno ${Deno.version.deno}, ${Deno.build.os}/` +
        `${Deno.build.arch}, ${navigator.hardwareConcurrency} CPUs`,
        `memory: ${report.environment.memory}`,
        awsCli === undefined
          ? "AWS CLI: no aws-cli/2 on PATH, baseline skipped"
          : `AWS CLI: ${awsCli.path} (${awsCli.version})`,
        `results: ${RESULTS_PATH}`,
      ].join("\n"),
    );
  } finally {
    await aws.close();
    await Deno.remove(home, { recursive: true });
  }
}

try {
  await main();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`bench: ${error.message}\nUsage: deno task bench [--runs N] [--json-only]`);
  Deno.exit(2);
}
