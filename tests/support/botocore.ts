/**
 * botocore, the reader behind the AWS CLI and boto3, as an independent client
 * in tests: what it reads from the AWS files. Which botocores there are, and
 * whether a test can run, is for `botocores()` of clients.ts.
 */

import type { Botocore } from "./clients.ts";

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
export function readFilesWithBotocore(
  botocore: Botocore,
  paths: readonly string[],
  kind: "credentials" | "config" = "credentials",
): Promise<BotocoreFile[]> {
  return runScript(botocore, READ_FILES, [paths, kind]);
}

const READ_TOKEN_TIMES = `
import json, sys, dateutil.parser
from datetime import datetime, timedelta
from dateutil.tz import tzutc
now = datetime.now(tzutc())
epoch = datetime(1970, 1, 1, tzinfo=tzutc())
out = []
for text in json.load(sys.stdin):
    try:
        # As botocore.tokens reads expiresAt; a time without a zone cannot be compared with now.
        time = dateutil.parser.parse(text)
        time - now
        out.append((time - epoch) // timedelta(milliseconds=1))
    except Exception:
        out.append(None)
json.dump(out, sys.stdout)
`;

/** Each of `texts` read as botocore reads a token's `expiresAt`, in ms since the epoch, or null when it cannot. */
export function tokenTimesWithBotocore(
  botocore: Botocore,
  texts: readonly string[],
): Promise<(number | null)[]> {
  return runScript(botocore, READ_TOKEN_TIMES, texts);
}

/** Runs `script` with botocore's Python, `input` as JSON on its stdin, and parses its JSON output. */
async function runScript<T>(botocore: Botocore, script: string, input: unknown): Promise<T> {
  const child = new Deno.Command(botocore.python, {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(JSON.stringify(input)));
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
