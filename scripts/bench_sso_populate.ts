/**
 * The scale figure of `aec sso populate`: a large organisation's 1,000
 * accounts × 3 roles, from a local portal (tests/support/fake_sso_portal.ts)
 * that pages by 20 and throttles every 7th request. Each run populates an
 * empty config (3,000 profiles written), then runs again (nothing changes).
 * It fails if a run fails or writes anything but the 3,000 profiles, never on
 * a number. `deno task bench` runs it after the start-up cases.
 *
 * Usage: deno run -A scripts/bench_sso_populate.ts [--runs N]
 */

import { startFakeAws } from "../tests/support/fake_aws.ts";
import { manyAccounts } from "../tests/support/fake_sso_portal.ts";
import { writeSsoToken } from "../tests/support/sso_token.ts";
import { realDenoDir, runAec } from "../tests/support/sandbox.ts";

const ACCOUNTS = 1_000;
const ROLES = ["Admin", "Billing", "ReadOnly"];
const PAGE_SIZE = 20;
const THROTTLE_EVERY = 7;
const CONFIG = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n" +
  "sso_region = us-east-1\n";

export interface PopulateBench {
  name: string;
  runs: number;
  /** Populating an empty config. */
  firstMs: number[];
  /** The same again, changing nothing. */
  againMs: number[];
  medianFirstMs: number;
  medianAgainMs: number;
  /** Portal requests of one populate, throttled ones included. */
  requests: number;
  throttled: number;
  mostAtOnce: number;
}

export const POPULATE_BENCH_NAME =
  `aec sso populate, ${ACCOUNTS.toLocaleString("en")} accounts × ` +
  `${ROLES.length} roles (pages of ${PAGE_SIZE}, every ${THROTTLE_EVERY}th request throttled)`;

function median(values: number[]): number {
  const sorted = values.toSorted((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]!
    : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** Times `runs` populates of an empty config, and as many runs that change nothing. */
export async function benchSsoPopulate(runs: number): Promise<PopulateBench> {
  const home = await Deno.makeTempDir({ prefix: "aec-bench-sso-" });
  const aws = startFakeAws();
  try {
    const configFile = `${home}/.aws/config`;
    await Deno.mkdir(`${home}/.aws`);
    const env: Record<string, string> = {
      HOME: home,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR: await realDenoDir(),
      NO_COLOR: "1",
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: `${home}/.aws/credentials`,
      AWS_ENDPOINT_URL_SSO: aws.url,
    };
    await writeSsoToken({
      async write(path, content) {
        await Deno.mkdir(`${home}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
        await Deno.writeTextFile(`${home}/${path}`, content);
        return `${home}/${path}`;
      },
    });
    const portal = aws.ssoPortal;
    portal.accounts = manyAccounts(ACCOUNTS, ROLES);
    portal.pageSize = PAGE_SIZE;
    portal.throttleEvery = THROTTLE_EVERY;
    const profiles = ACCOUNTS * ROLES.length;
    const populate = async (expected: RegExp) => {
      const started = performance.now();
      const result = await runAec(["sso", "populate"], env);
      const ms = Math.round(performance.now() - started);
      if (result.code !== 0 || !expected.test(result.stderr)) {
        throw new Error(`aec sso populate failed (exit ${result.code}):\n${result.stderr}`);
      }
      return ms;
    };
    const bench: PopulateBench = {
      name: POPULATE_BENCH_NAME,
      runs,
      firstMs: [],
      againMs: [],
      medianFirstMs: 0,
      medianAgainMs: 0,
      requests: 0,
      throttled: 0,
      mostAtOnce: 0,
    };
    for (let run = 1; run <= runs; run++) {
      console.error(`aec sso populate: round ${run}/${runs}`);
      await Deno.writeTextFile(configFile, CONFIG);
      const [requests, throttled] = [portal.requests, portal.throttled];
      bench.firstMs.push(await populate(new RegExp(`: ${profiles} profiles added, 0 updated`)));
      bench.requests = portal.requests - requests;
      bench.throttled = portal.throttled - throttled;
      const written = await Deno.readTextFile(configFile);
      const sections = written.match(/^\[profile [^\]]+\]$/gm)?.length;
      if (sections !== profiles) {
        throw new Error(`Expected ${profiles} profiles, found ${sections}`);
      }
      bench.againMs.push(
        await populate(new RegExp(`: 0 profiles added, 0 updated, ${profiles} unchanged`)),
      );
      if (await Deno.readTextFile(configFile) !== written) {
        throw new Error("The second populate changed the config file");
      }
    }
    bench.mostAtOnce = portal.mostAtOnce;
    bench.medianFirstMs = median(bench.firstMs);
    bench.medianAgainMs = median(bench.againMs);
    return bench;
  } finally {
    await aws.close();
    await Deno.remove(home, { recursive: true });
  }
}

/** The figure as lines of text. */
export function describePopulateBench(bench: PopulateBench): string {
  return [
    bench.name,
    `  median of ${bench.runs}: ${bench.medianFirstMs} ms writing the profiles into an empty ` +
    `config, ${bench.medianAgainMs} ms again (no change)`,
    `  ${bench.requests} portal requests a run, ${bench.throttled} of them throttled, at most ` +
    `${bench.mostAtOnce} at once`,
  ].join("\n");
}

if (import.meta.main) {
  const [flag, value] = Deno.args;
  const runs = flag === "--runs" ? Number(value) : 3;
  if ((flag !== undefined && flag !== "--runs") || !Number.isInteger(runs) || runs < 1) {
    console.error("Usage: deno run -A scripts/bench_sso_populate.ts [--runs N]");
    Deno.exit(2);
  }
  console.log(describePopulateBench(await benchSsoPopulate(runs)));
}
