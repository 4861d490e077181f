/** Command-line parsing: argv in, a typed command out, or a UsageError (exit 2). */

import { UsageError } from "./errors.ts";
import { type Format, FORMATS, isFormat } from "./formats.ts";

/** What aec does with the credentials. */
export type Mode =
  | { kind: "print"; format: Format }
  | { kind: "exec"; command: string; args: string[] }
  | { kind: "credentials-file"; profile: string };

export interface CacheOptions {
  /** The cache file; absent for `--cache`, which uses the profile's default file. */
  path?: string;
  bufferMinutes: number;
  /** Skip loading (but still save), as `--refresh` asks. */
  refresh: boolean;
}

export interface RunOptions {
  mode: Mode;
  pretty: boolean;
  profile?: string;
  region?: string;
  ensureTemporary: boolean;
  debug: boolean;
  cache?: CacheOptions;
}

export type Cli =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "run"; options: RunOptions };

// Output-mode flags; at most one may be given. `--format` and `--exec` are
// modes too and are handled where they are parsed.
const MODE_FLAGS: Record<string, Format> = {
  "--json": "process",
  "--env": "env-no-export",
  "--env-export": "env",
};

const VALUE_OPTIONS = [
  "--profile",
  "--region",
  "--format",
  "--credentials-file-profile",
  "--cache-file",
  "--cache-expiration-buffer",
] as const;
const BOOLEAN_OPTIONS = [
  "--pretty",
  "--ensure-temporary",
  "--debug",
  "--version",
  "--help",
  "-h",
  "--cache",
  "--refresh",
];
const ALIASES: Record<string, string> = { "-c": "--credentials-file-profile" };
const DEFAULT_CACHE_BUFFER_MINUTES = 10;

/** Parses aec's arguments (without the program name). Pure: reads no environment. */
export function parseCli(argv: readonly string[]): Cli {
  let mode: Mode | undefined;
  let modeFlag: string | undefined;
  const setMode = (flag: string, next: Mode) => {
    if (modeFlag !== undefined) {
      throw new UsageError(`${modeFlag} and ${flag} cannot be used together`);
    }
    modeFlag = flag;
    mode = next;
  };
  const values: Partial<Record<typeof VALUE_OPTIONS[number], string>> = {};
  const flags = new Set<string>();

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--exec") {
      // Everything after --exec belongs to the command, even aec-like flags.
      const rest = argv.slice(i + 1);
      if (rest[0] === "--") rest.shift();
      const [command, ...args] = rest;
      if (command === undefined || command === "") {
        throw new UsageError("--exec needs a command to run");
      }
      setMode("--exec", { kind: "exec", command, args });
      break;
    }

    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = ALIASES[arg] ?? (eq === -1 ? arg : arg.slice(0, eq));
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);

    if ((VALUE_OPTIONS as readonly string[]).includes(name)) {
      let value = inline;
      if (value === undefined) {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith("-")) {
          throw new UsageError(`${name} needs a value`);
        }
        value = next;
        i++;
      }
      if (value === "") throw new UsageError(`${name} needs a non-empty value`);
      const option = name as typeof VALUE_OPTIONS[number];
      if (values[option] !== undefined) throw new UsageError(`${name} was given twice`);
      if (option === "--format") {
        if (!isFormat(value)) {
          throw new UsageError(
            `--format must be one of ${FORMATS.join(", ")}; got '${value}'`,
          );
        }
        setMode("--format", { kind: "print", format: value });
      }
      if (option === "--credentials-file-profile") {
        setMode(arg === "-c" ? "-c" : name, { kind: "credentials-file", profile: value });
      }
      values[option] = value;
      continue;
    }

    const isModeFlag = Object.hasOwn(MODE_FLAGS, name);
    if (isModeFlag || BOOLEAN_OPTIONS.includes(name)) {
      if (inline !== undefined) throw new UsageError(`${name} does not take a value`);
      if (isModeFlag) setMode(name, { kind: "print", format: MODE_FLAGS[name]! });
      else flags.add(name);
      continue;
    }

    if (arg.startsWith("-")) throw new UsageError(`Unknown option '${name}'`);
    throw new UsageError(`Unexpected argument '${arg}'`);
  }

  if (flags.has("--help") || flags.has("-h")) return { kind: "help" };
  if (flags.has("--version")) return { kind: "version" };

  const options: RunOptions = {
    // No mode at all prints pretty JSON, as aws-export-credentials does.
    mode: mode ?? { kind: "print", format: "process" },
    pretty: flags.has("--pretty") || mode === undefined,
    ensureTemporary: flags.has("--ensure-temporary"),
    debug: flags.has("--debug"),
  };
  if (values["--profile"] !== undefined) options.profile = values["--profile"];
  if (values["--region"] !== undefined) options.region = values["--region"];
  const cache = parseCacheOptions(values, flags);
  if (cache) options.cache = cache;
  return { kind: "run", options };
}

function parseCacheOptions(
  values: Partial<Record<typeof VALUE_OPTIONS[number], string>>,
  flags: ReadonlySet<string>,
): CacheOptions | undefined {
  const path = values["--cache-file"];
  if (path !== undefined && flags.has("--cache")) {
    throw new UsageError("--cache and --cache-file cannot be used together");
  }
  const buffer = values["--cache-expiration-buffer"];
  if (buffer !== undefined && !/^\d+$/.test(buffer)) {
    throw new UsageError(`--cache-expiration-buffer takes whole minutes; got '${buffer}'`);
  }
  if (path === undefined && !flags.has("--cache")) return undefined;
  const cache: CacheOptions = {
    bufferMinutes: buffer === undefined ? DEFAULT_CACHE_BUFFER_MINUTES : Number(buffer),
    refresh: flags.has("--refresh"),
  };
  if (path !== undefined) cache.path = path;
  return cache;
}

export const USAGE = `aec: get AWS credentials from a profile and inject them into other programs

Usage:
  aec [--profile NAME] [OUTPUT] [OPTIONS]
  aec [--profile NAME] [OPTIONS] --exec [--] COMMAND [ARGS...]

Profile:
  --profile NAME        Profile to use (default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, "default")
  --region REGION       Region to export (default: the profile's, then $AWS_REGION)
  --ensure-temporary    Exchange long-term keys for a session with STS GetSessionToken

Output (choose one; default: pretty JSON):
  --json                credential_process JSON on one line (--pretty indents it)
  --env                 NAME=value lines
  --env-export          export NAME=value lines, for eval in bash or zsh
  --format FORMAT       One of: ${FORMATS.join(", ")}
  --exec [--] CMD ...   Run CMD with the credentials in its environment; exits with its code
  -c, --credentials-file-profile NAME
                        Write them into profile NAME of the shared credentials file

Cache:
  --cache-file PATH     Reuse unexpired credentials saved in PATH; save new ones there
  --cache               The same, with a per-profile file in the user's cache directory
  --cache-expiration-buffer MINUTES
                        Treat cached credentials as expired this long before (default 10)
  --refresh             Resolve anew (and save) even when the cache holds credentials

Other:
  --pretty              Indent JSON output by two spaces
  --debug               Explain on stderr what aec does (secrets are redacted)
  --version             Print aec's version
  -h, --help            Print this help

Exit codes: 0 success, 2 usage error or no credentials, 3 credential error,
126/127 command not runnable/not found, otherwise the command's own code.
`;

/** Whether `--debug` is among aec's own arguments, for reporting errors that stop parsing. */
export function wantsDebug(argv: readonly string[]): boolean {
  const exec = argv.indexOf("--exec");
  return (exec === -1 ? argv : argv.slice(0, exec)).includes("--debug");
}
