/**
 * botocore, the reader behind the AWS CLI and boto3, as an independent client
 * in tests. Every Python here that can import it takes part: pyenv's `python3`
 * (botocore 1.43) and Debian's `/usr/bin/python3` (python3-botocore 1.29).
 */

export interface Botocore {
  python: string;
  version: string;
}

/** The credentials botocore resolves for a profile, or why it could not. */
export type BotocoreCredentials =
  | { accessKeyId: string; secretAccessKey: string; sessionToken: string | null }
  | { error: string };

/** What botocore reads from one file: its sections (or profiles), or the error it raises. */
export type BotocoreFile = {
  sections: Record<string, Record<string, unknown>>;
  /** The keys of `[DEFAULT]`, which botocore reads into every section. */
  defaults: Record<string, string>;
  /** Of a config file: its sso-sessions. */
  ssoSessions?: Record<string, Record<string, unknown>>;
} | {
  error: string;
};

async function find(): Promise<Botocore[]> {
  const found: Botocore[] = [];
  for (const python of ["python3", "/usr/bin/python3"]) {
    const output = await new Deno.Command(python, {
      args: ["-c", "import botocore; print(botocore.__version__)"],
      stdout: "piped",
      stderr: "null",
    }).output().catch(() => undefined);
    if (!output?.success) continue;
    const version = new TextDecoder().decode(output.stdout).trim();
    // Without pyenv, `python3` is Debian's own: count each botocore once.
    if (!found.some((other) => other.version === version)) found.push({ python, version });
  }
  return found;
}

/** Every botocore available, first pyenv's; empty when Python cannot import botocore. */
export const BOTOCORES: readonly Botocore[] = await find();

/** A suffix for test names: why a test that needs botocore is ignored. */
export const BOTOCORE_IGNORED = BOTOCORES.length === 0
  ? " (ignored: no python3 can import botocore)"
  : "";

const READ_FILES = `
import configparser, json, sys
import botocore.configloader, botocore.exceptions
paths, kind = json.load(sys.stdin)
out = []
for path in paths:
    try:
        sections = botocore.configloader.raw_config_parse(path)
        read = {}
        if kind == "config":
            built = botocore.configloader.build_profile_map(sections)
            sections = built["profiles"]
            read["ssoSessions"] = built["sso_sessions"]
        # The parser botocore uses, for the [DEFAULT] keys it merges into every section.
        parser = configparser.RawConfigParser()
        parser.read([path])
        out.append({"sections": sections, "defaults": dict(parser.defaults()), **read})
    except botocore.exceptions.BotoCoreError as error:
        out.append({"error": str(error)})
json.dump(out, sys.stdout)
`;

/**
 * Parses each of `paths` the way botocore does, all in one process: as a
 * shared credentials file (`raw_config_parse`, as its credentials provider
 * does), or as a config file, whose profiles `sections` then holds, and its
 * sso-sessions `ssoSessions`.
 */
export async function readFilesWithBotocore(
  botocore: Botocore,
  paths: readonly string[],
  kind: "credentials" | "config" = "credentials",
): Promise<BotocoreFile[]> {
  const child = new Deno.Command(botocore.python, {
    args: ["-c", READ_FILES],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify([paths, kind])));
  await writer.close();
  const { success, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  if (!success) throw new Error(`botocore ${botocore.version} failed: ${decoder.decode(stderr)}`);
  return JSON.parse(decoder.decode(stdout));
}

const READ_CREDENTIALS = `
import json, sys, botocore.session
try:
    c = botocore.session.Session(profile=sys.argv[1]).get_credentials().get_frozen_credentials()
    print(json.dumps({"accessKeyId": c.access_key, "secretAccessKey": c.secret_key,
                      "sessionToken": c.token}))
except Exception as error:
    print(json.dumps({"error": type(error).__name__ + ": " + str(error)}))
`;

/**
 * The credentials botocore resolves for `profile` from exactly these files,
 * with no other source (no environment keys, no instance metadata).
 */
export async function botocoreCredentials(
  botocore: Botocore,
  files: { credentialsFile: string; configFile: string },
  profile: string,
): Promise<BotocoreCredentials> {
  const { success, stdout, stderr } = await new Deno.Command(botocore.python, {
    args: ["-c", READ_CREDENTIALS, profile],
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      // Never the real home: nothing of the user's ~/.aws may play a part.
      HOME: files.credentialsFile.replace(/[\\/][^\\/]*$/, ""),
      AWS_SHARED_CREDENTIALS_FILE: files.credentialsFile,
      AWS_CONFIG_FILE: files.configFile,
      AWS_EC2_METADATA_DISABLED: "true",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  if (!success) throw new Error(`botocore ${botocore.version} failed: ${decoder.decode(stderr)}`);
  return JSON.parse(decoder.decode(stdout));
}
