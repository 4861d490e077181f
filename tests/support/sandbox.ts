/**
 * End-to-end test harness: a temporary HOME with its own AWS config files, and
 * `deno run -A main.ts` spawned with a clean environment pointed at a local
 * AWS-shaped server. Nothing here reads or writes the real ~/.aws.
 */

import { type FakeAws, startFakeAws } from "./fake_aws.ts";

export const REPO_ROOT = new URL("../../", import.meta.url).pathname.replace(
  /^\/([A-Za-z]:)/,
  "$1",
);
const MAIN = `${REPO_ROOT}main.ts`;

let denoDir: string | undefined;

/** Deno's cache directory, so that a child with another HOME reuses the downloaded SDK. */
export async function realDenoDir(): Promise<string> {
  if (denoDir === undefined) {
    const env = Deno.env.get("DENO_DIR");
    if (env) {
      denoDir = env;
    } else {
      const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
        .output();
      denoDir = JSON.parse(new TextDecoder().decode(stdout)).denoDir as string;
    }
  }
  return denoDir;
}

export interface RunResult {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string>;
  stdin?: string;
  /** Flags for `deno run` itself, e.g. `--cached-only`. */
  denoFlags?: string[];
  /** Kills aec when aborted, e.g. `AbortSignal.timeout(…)` for a run that might hang. */
  signal?: AbortSignal;
  /** The user and group to run aec as (root only). */
  uid?: number;
  gid?: number;
}

export interface Sandbox {
  home: string;
  aws: FakeAws;
  configFile: string;
  credentialsFile: string;
  /** The environment every aec run gets, before `RunOptions.env`. */
  env: Record<string, string>;
  write(relativePath: string, content: string): Promise<string>;
  run(args: string[], options?: RunOptions): Promise<RunResult>;
}

export interface SandboxFiles {
  config?: string;
  credentials?: string;
}

const decoder = new TextDecoder();

/** Runs `body` with a fresh sandbox and removes everything it made afterwards. */
export async function withSandbox(
  files: SandboxFiles,
  body: (sandbox: Sandbox) => Promise<void>,
): Promise<void> {
  const home = await Deno.makeTempDir({ prefix: "aec-test-" });
  const aws = startFakeAws();
  try {
    await Deno.mkdir(`${home}/.aws`);
    const configFile = `${home}/.aws/config`;
    const credentialsFile = `${home}/.aws/credentials`;
    if (files.config !== undefined) await Deno.writeTextFile(configFile, files.config);
    if (files.credentials !== undefined) {
      await Deno.writeTextFile(credentialsFile, files.credentials);
    }
    const env: Record<string, string> = {
      HOME: home,
      USERPROFILE: home,
      PATH: Deno.env.get("PATH") ?? "",
      DENO_DIR: await realDenoDir(),
      NO_COLOR: "1",
      AWS_CONFIG_FILE: configFile,
      AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
      AWS_ENDPOINT_URL_STS: aws.url,
      AWS_ENDPOINT_URL_SSO: aws.url,
      AWS_ENDPOINT_URL_IAM: aws.url,
      // Instance metadata probes reach the fake server and find nothing, fast.
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `${aws.url}/`,
    };
    for (const name of ["SYSTEMROOT", "TEMP", "TMP"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    const sandbox: Sandbox = {
      home,
      aws,
      configFile,
      credentialsFile,
      env,
      async write(relativePath, content) {
        const path = `${home}/${relativePath}`;
        await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
        await Deno.writeTextFile(path, content);
        return path;
      },
      run: (args, options = {}) => runAec(args, { ...env, ...options.env }, options),
    };
    await body(sandbox);
  } finally {
    await aws.close();
    await Deno.remove(home, { recursive: true });
  }
}

/** Spawns `deno run -A main.ts ARGS` with exactly `env`. */
export async function runAec(
  args: string[],
  env: Record<string, string>,
  options: Omit<RunOptions, "env"> = {},
): Promise<RunResult> {
  const { stdin, denoFlags = [], signal, uid, gid } = options;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", ...denoFlags, MAIN, ...args],
    cwd: REPO_ROOT,
    env,
    clearEnv: true,
    ...(signal ? { signal } : {}),
    ...(uid === undefined ? {} : { uid }),
    ...(gid === undefined ? {} : { gid }),
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  return {
    code: output.code,
    signal: output.signal,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

export const STATIC_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
export const STATIC_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/** A credentials file with long-term keys in profile `base`. */
export const STATIC_CREDENTIALS =
  `[base]\naws_access_key_id = ${STATIC_KEY_ID}\naws_secret_access_key = ${STATIC_SECRET}\n`;
