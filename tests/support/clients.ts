/**
 * The programs besides Deno that some tests run: independent AWS clients
 * (botocore, the AWS CLI) and tools (shells, `script`, ruby, strace, …). Each
 * probe runs once per test file and says what it found or why a test that
 * needs it cannot run here; `requires` turns that into an ignored test with
 * the reason in its name. A missing program never fails a test, and an AWS
 * client that would ignore `AWS_ENDPOINT_URL_*` (and call the real AWS) never
 * runs where a test needs the local endpoints.
 *
 * The first versions that honour `AWS_ENDPOINT_URL_<SERVICE>` (their
 * changelogs, .changes/*.json: "Configure the endpoint URL … via an
 * environment variable for a specific AWS service"): botocore 1.31.0, which
 * AWS CLI v1 1.29 and boto3 use, and AWS CLI v2 2.13.0. Debian 12 ships
 * python3-botocore 1.29 and awscli 2.9, which do not.
 */

/** Why a test cannot run here. */
export type Missing = string;

/** What a probe found, or why a test that needs it cannot run here. */
export type Probe<T> = { found: T; missing?: never } | { found?: never; missing: Missing };

/**
 * The `name` and `ignore` of a test that needs what the probes found: when one
 * found nothing, the test is ignored and its name ends with the reasons.
 */
export function requires(
  name: string,
  ...probes: readonly { missing?: Missing | undefined }[]
): { name: string; ignore: boolean } {
  const reasons = probes.flatMap((probe) => probe.missing === undefined ? [] : [probe.missing]);
  return reasons.length === 0
    ? { name, ignore: false }
    : { name: `${name} (ignored: ${reasons.join("; ")})`, ignore: true };
}

/** For a test of POSIX files, shells or tools: ignored on Windows, saying so. */
export const POSIX: { missing?: Missing } = Deno.build.os === "windows"
  ? { missing: "not on Windows" }
  : {};

const decoder = new TextDecoder();

/** What `command args` printed, or why it did not run. */
async function runOnce(
  command: string,
  args: readonly string[],
): Promise<{ success: boolean; output: string } | { error: unknown }> {
  try {
    // Deno.Command's output() throws a spawn error at once, not as a rejected promise.
    const { success, stdout, stderr } = await new Deno.Command(command, {
      args: [...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { success, output: decoder.decode(stdout) + decoder.decode(stderr) };
  } catch (error) {
    return { error };
  }
}

const commands = new Map<string, Promise<Probe<string>>>();

/**
 * Whether `command args` (by default `--version`) runs and succeeds here:
 * found is the command, to run as it was found.
 */
export function command(
  name: string,
  args: readonly string[] = ["--version"],
): Promise<Probe<string>> {
  const key = JSON.stringify([name, args]);
  let probe = commands.get(key);
  if (probe === undefined) {
    probe = runOnce(name, args).then((ran): Probe<string> => {
      if ("error" in ran) {
        return {
          missing: ran.error instanceof Deno.errors.NotFound
            ? `${name} is not installed`
            : `${name} does not run: ${ran.error instanceof Error ? ran.error.message : ran.error}`,
        };
      }
      return ran.success ? { found: name } : { missing: `${name} ${args.join(" ")} fails` };
    });
    commands.set(key, probe);
  }
  return probe;
}

/**
 * Whether `name` is a file in a PATH folder (with a PATHEXT extension on
 * Windows), as `command -v` finds it: for a program the test runs by name.
 */
export async function onPath(name: string): Promise<Probe<string>> {
  const windows = Deno.build.os === "windows";
  const extensions = windows ? (Deno.env.get("PATHEXT") ?? ".EXE;.CMD;.BAT").split(";") : [""];
  for (const dir of (Deno.env.get("PATH") ?? "").split(windows ? ";" : ":")) {
    for (const extension of extensions) {
      const info = await Deno.stat(`${dir}/${name}${extension}`).catch(() => undefined);
      if (info?.isFile && (windows || (info.mode ?? 0) & 0o111)) return { found: name };
    }
  }
  return { missing: `${name} is not installed` };
}

/** The first probe that found something, or all their reasons: for either of two programs. */
export function firstOf<T>(...probes: readonly Probe<T>[]): Probe<T> {
  return probes.find((probe) => probe.missing === undefined) ??
    { missing: probes.map((probe) => probe.missing).join(" and ") };
}

/** A major.minor version as a pair of numbers, for comparisons. */
function minorVersion(text: string | undefined): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(text ?? "");
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

function atLeast(version: [number, number] | undefined, major: number, minor: number): boolean {
  return version !== undefined &&
    (version[0] > major || (version[0] === major && version[1] >= minor));
}

const ignore = (clients: readonly unknown[]) => clients.length === 1 ? "ignores" : "ignore";

/** botocore as imported by one Python. */
export interface Botocore {
  python: string;
  version: string;
  /** It sends each service's calls to `AWS_ENDPOINT_URL_<SERVICE>` (botocore 1.31 and later). */
  honoursEndpointUrls: boolean;
}

async function findBotocores(): Promise<Botocore[]> {
  const found: Botocore[] = [];
  // pyenv's `python3` first, then Debian's own (python3-botocore), which may be older.
  for (const python of ["python3", "/usr/bin/python3"]) {
    const ran = await runOnce(python, ["-c", "import botocore; print(botocore.__version__)"]);
    if ("error" in ran || !ran.success) continue;
    const version = ran.output.trim();
    // Without pyenv, `python3` is Debian's own: count each botocore once.
    if (found.some((other) => other.version === version)) continue;
    found.push({ python, version, honoursEndpointUrls: atLeast(minorVersion(version), 1, 31) });
  }
  return found;
}

let botocoreList: Promise<Botocore[]> | undefined;
const botocoreModules = new Map<string, Promise<boolean>>();

/** Whether `botocore`'s Python can import `module`, a part that older botocores lack. */
function imports(botocore: Botocore, module: string): Promise<boolean> {
  const key = JSON.stringify([botocore.python, module]);
  let probe = botocoreModules.get(key);
  if (probe === undefined) {
    probe = runOnce(botocore.python, ["-c", `import ${module}`])
      .then((ran) => "success" in ran && ran.success);
    botocoreModules.set(key, probe);
  }
  return probe;
}

/**
 * Every botocore a Python here can import, first pyenv's; with `module`, those
 * that have that module; with `endpointUrls`, those that honour
 * `AWS_ENDPOINT_URL_*`, for a test whose botocore calls the local AWS.
 */
export async function botocores(
  need: { module?: string; endpointUrls?: boolean } = {},
): Promise<Probe<readonly Botocore[]>> {
  const all = await (botocoreList ??= findBotocores());
  if (all.length === 0) return { missing: "no python3 can import botocore" };
  const versions = (list: readonly Botocore[]) =>
    list.map((botocore) => botocore.version).join(" and ");
  const { module } = need;
  const withModule = [];
  for (const botocore of all) {
    if (module === undefined || await imports(botocore, module)) withModule.push(botocore);
  }
  if (withModule.length === 0) return { missing: `botocore ${versions(all)} has no ${module}` };
  const fit = withModule.filter((botocore) => !need.endpointUrls || botocore.honoursEndpointUrls);
  if (fit.length > 0) return { found: fit };
  return {
    missing: `botocore ${versions(withModule)} ${ignore(withModule)} AWS_ENDPOINT_URL_*, ` +
      "which botocore 1.31 and later honour",
  };
}

/** One AWS CLI on PATH. */
export interface AwsCli {
  /** Its path, to run it by. */
  command: string;
  /** What `aws --version` says, e.g. `aws-cli/2.9.19`. */
  version: string;
  major: number;
  /** It sends each service's calls to `AWS_ENDPOINT_URL_<SERVICE>`. */
  honoursEndpointUrls: boolean;
}

async function findAwsClis(): Promise<AwsCli[]> {
  const windows = Deno.build.os === "windows";
  const names = windows ? ["aws.exe", "aws.cmd"] : ["aws"];
  const found: AwsCli[] = [];
  const seen = new Set<string>();
  for (const dir of (Deno.env.get("PATH") ?? "").split(windows ? ";" : ":")) {
    for (const name of names) {
      const path = `${dir}${windows ? "\\" : "/"}${name}`;
      const real = await Deno.realPath(path).catch(() => undefined);
      if (real === undefined || seen.has(real)) continue;
      seen.add(real);
      const ran = await runOnce(path, ["--version"]);
      if ("error" in ran || !ran.success) continue;
      const cli = /aws-cli\/(\S+)/.exec(ran.output)?.[1];
      const version = minorVersion(cli);
      if (version === undefined) continue;
      // v1 prints the botocore it runs on, which is what reads the variables.
      const botocore = minorVersion(/botocore\/(\S+)/.exec(ran.output)?.[1]);
      found.push({
        command: path,
        version: `aws-cli/${cli}`,
        major: version[0],
        honoursEndpointUrls: version[0] >= 2 ? atLeast(version, 2, 13) : atLeast(botocore, 1, 31),
      });
    }
  }
  return found;
}

let awsCliList: Promise<AwsCli[]> | undefined;

/**
 * The first AWS CLI on PATH that is v2 (with `v2`: `aws configure
 * export-credentials` is v2's) and honours `AWS_ENDPOINT_URL_*` (with
 * `endpointUrls`: a test whose CLI calls the local AWS).
 */
export async function awsCli(
  need: { v2?: boolean; endpointUrls?: boolean },
): Promise<Probe<AwsCli>> {
  const all = await (awsCliList ??= findAwsClis());
  if (all.length === 0) return { missing: "no AWS CLI on PATH" };
  const ofMajor = all.filter((cli) => !need.v2 || cli.major >= 2);
  if (ofMajor.length === 0) return { missing: "no AWS CLI v2 on PATH" };
  const fit = ofMajor.find((cli) => !need.endpointUrls || cli.honoursEndpointUrls);
  if (fit) return { found: fit };
  return {
    missing: `${ofMajor.map((cli) => cli.version).join(" and ")} ${ignore(ofMajor)} ` +
      "AWS_ENDPOINT_URL_*, which AWS CLI v2 2.13 and later honour, and v1 on botocore 1.31 " +
      "and later",
  };
}
