/**
 * The prompt budget of `aec keys`, measured: 20 consecutive `aws sts
 * get-caller-identity --profile base` through base's credential_process line,
 * for each store that runs here (the file store; pass and the Secret Service
 * where installed, as the tests set them up): how often the store was read
 * (each read is at most one unlock prompt) and how many STS GetSessionToken
 * calls were made, with the time of the first call and the median of the
 * others, beside the same calls with the keys in ~/.aws/credentials.
 *
 * The file store's reads are proven rather than counted: only the first call
 * has the passphrase (AEC_KEY_STORE_PASSPHRASE), so any later read would fail.
 * pass's and secret-tool's calls are counted by wrappers on PATH.
 *
 * Fails when a call fails or the budget (one store read, one GetSessionToken)
 * is exceeded; never on a time. Writes .bench/keys.json.
 *
 * Usage: deno run -A scripts/bench_keys.ts (run by `deno task bench`)
 */

import {
  aecOnPath,
  PASS,
  SECRET_SERVICE,
  setUpPass,
  setUpSecretService,
  testPath,
  type TestStore,
} from "../tests/support/key_stores.ts";
import {
  REPO_ROOT,
  type Sandbox,
  STATIC_CREDENTIALS,
  withSandbox,
} from "../tests/support/sandbox.ts";

const CALLS = 20;
const RESULTS = `${REPO_ROOT}.bench/keys.json`;

interface Row {
  store: string;
  calls: number;
  storeReads: number | null;
  getSessionTokenCalls: number;
  firstCallMs: number;
  medianLaterCallMs: number;
}

async function awsCli(): Promise<string | undefined> {
  try {
    const { stdout, success } = await new Deno.Command("aws", { args: ["--version"] }).output();
    const text = new TextDecoder().decode(stdout);
    // botocore before 1.31 ignores AWS_ENDPOINT_URL_STS and would call the real STS.
    const botocore = /botocore\/1\.(\d+)/.exec(text);
    return success && botocore && Number(botocore[1]) >= 31 ? text.trim() : undefined;
  } catch {
    return undefined;
  }
}

/** 20 calls as base, each with `envFor(call)`; their times, in milliseconds. */
async function callTwenty(envFor: (call: number) => Record<string, string>): Promise<number[]> {
  const times: number[] = [];
  for (let call = 0; call < CALLS; call++) {
    const started = performance.now();
    const output = await new Deno.Command("aws", {
      args: ["sts", "get-caller-identity", "--profile", "base"],
      env: envFor(call),
      clearEnv: true,
      stdout: "null",
      stderr: "piped",
    }).output();
    times.push(Math.round(performance.now() - started));
    if (!output.success) {
      throw new Error(`call ${call + 1} failed: ${new TextDecoder().decode(output.stderr)}`);
    }
  }
  return times;
}

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The budget through the `store` set up by `setUp` (none: the file store). */
async function measureStore(
  name: string,
  setUp: ((sandbox: Sandbox) => Promise<TestStore>) | undefined,
): Promise<Row> {
  let row: Row | undefined;
  await withSandbox({
    config: "[profile base]\nregion = eu-west-1\n",
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const store = await setUp?.(sandbox);
    try {
      await aecOnPath(sandbox);
      const env: Record<string, string> = {
        ...sandbox.env,
        ...store?.env,
        PATH: testPath(sandbox),
        AEC_KEY_STORE: name,
      };
      if (!store) env.AEC_KEY_STORE_PASSPHRASE = "bench passphrase";
      const migrated = await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env });
      if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);
      const readsBefore = await store?.reads() ?? 0;
      const times = await callTwenty((call) => {
        const callEnv = { ...env };
        // Only the first call can open the file store.
        if (!store && call > 0) delete callEnv.AEC_KEY_STORE_PASSPHRASE;
        return callEnv;
      });
      row = {
        store: name,
        calls: CALLS,
        storeReads: store ? await store.reads() - readsBefore : 1,
        getSessionTokenCalls: sandbox.aws.requests.filter((r) => r.action === "GetSessionToken")
          .length,
        firstCallMs: times[0]!,
        medianLaterCallMs: median(times.slice(1)),
      };
    } finally {
      await store?.tearDown();
    }
  });
  return row!;
}

/** The same calls with long-term keys in the credentials file, for comparison. */
async function measurePlainFile(): Promise<Row> {
  let row: Row | undefined;
  await withSandbox({
    config: "[profile base]\nregion = eu-west-1\n",
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const times = await callTwenty(() => sandbox.env);
    row = {
      store: "(keys in ~/.aws/credentials)",
      calls: CALLS,
      storeReads: null,
      getSessionTokenCalls: 0,
      firstCallMs: times[0]!,
      medianLaterCallMs: median(times.slice(1)),
    };
  });
  return row!;
}

async function main() {
  const cli = await awsCli();
  if (!cli) {
    console.error("aec keys budget: skipped (no AWS CLI with botocore 1.31 or later on PATH)");
    return;
  }
  const rows: Row[] = [];
  const skipped: string[] = [];
  console.error(`aec keys budget: ${CALLS} calls of aws sts get-caller-identity per store`);
  rows.push(await measureStore("file", undefined));
  for (
    const [name, needs, setUp] of [
      ["pass", PASS, setUpPass],
      ["secret-service", SECRET_SERVICE, setUpSecretService],
    ] as const
  ) {
    if (needs.missing) skipped.push(`${name} (${needs.missing})`);
    else rows.push(await measureStore(name, setUp));
  }
  rows.push(await measurePlainFile());
  const broken = rows.filter((row) =>
    row.storeReads !== null && (row.storeReads > 1 || row.getSessionTokenCalls > 1)
  );

  await Deno.mkdir(`${REPO_ROOT}.bench`, { recursive: true });
  await Deno.writeTextFile(
    RESULTS,
    JSON.stringify({ date: new Date().toISOString(), awsCli: cli, rows, skipped }, null, 2) + "\n",
  );
  const table = [
    ["store", "calls", "store reads", "GetSessionToken", "first ms", "median later ms"],
    ...rows.map((row) => [
      row.store,
      String(row.calls),
      row.storeReads === null ? "-" : String(row.storeReads),
      String(row.getSessionTokenCalls),
      String(row.firstCallMs),
      String(row.medianLaterCallMs),
    ]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((r) => r[column]!.length)));
  console.log(
    table.map((r) =>
      r.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)).join("  ")
    )
      .join("\n"),
  );
  console.log(`\n${cli}${skipped.length ? `; skipped: ${skipped.join("; ")}` : ""}`);
  console.log(`results: ${RESULTS}`);
  if (broken.length > 0) {
    throw new Error(`The prompt budget was exceeded: ${broken.map((row) => row.store).join(", ")}`);
  }
}

await main();
