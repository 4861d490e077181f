/** Command-line parsing: argv in, a typed command out, or a UsageError (exit 2). */

import { UsageError } from "./errors.ts";
import { type Format, FORMATS, isFormat } from "./formats.ts";
import { profileNameProblem } from "./ini.ts";

/** What aec does with the credentials. */
export type Mode =
  | { kind: "print"; format: Format }
  /** With `serve`, the command gets a private container endpoint instead of keys. */
  | { kind: "exec"; command: string; args: string[]; serve: boolean }
  | { kind: "credentials-file"; profile: string }
  | { kind: "imds"; address: Address }
  /** Without a token, aec generates one. */
  | { kind: "container"; address: Address; token?: string };

export interface Address {
  hostname: string;
  port: number;
}

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
  | { kind: "completions"; shell: Shell }
  | { kind: "run"; options: RunOptions };

/** The shells `--completions` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type Shell = typeof SHELLS[number];

export function isShell(value: string): value is Shell {
  return (SHELLS as readonly string[]).includes(value);
}

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
  "--imds",
  "--container",
  "--completions",
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
  "--serve",
];
const ALIASES: Record<string, string> = { "-c": "--credentials-file-profile" };

/** Every option aec accepts, for shell completion. */
export const ALL_OPTIONS: readonly string[] = [
  ...Object.keys(MODE_FLAGS),
  ...VALUE_OPTIONS,
  ...BOOLEAN_OPTIONS,
  ...Object.keys(ALIASES),
  "--exec",
];
/** The options that take a value (`-c` included). */
export const OPTIONS_WITH_VALUES: readonly string[] = [...VALUE_OPTIONS, ...Object.keys(ALIASES)];
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
      setMode("--exec", { kind: "exec", command, args, serve: false });
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
        // Before anything resolves credentials that could then not be written.
        const problem = profileNameProblem(value);
        if (problem) throw new UsageError(problem);
        setMode(arg === "-c" ? "-c" : name, { kind: "credentials-file", profile: value });
      }
      if (option === "--imds") setMode(name, { kind: "imds", address: parseHostPort(value) });
      if (option === "--container") {
        const container: Mode = { kind: "container", address: parseHostPort(value) };
        // The optional TOKEN is the next word, since aec takes no other positional arguments.
        const token = inline === undefined ? argv[i + 1] : undefined;
        if (token !== undefined && token !== "" && !token.startsWith("-")) {
          container.token = token;
          i++;
        }
        setMode(name, container);
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
  const shell = values["--completions"];
  if (shell !== undefined) {
    if (!isShell(shell)) {
      throw new UsageError(`--completions takes one of ${SHELLS.join(", ")}; got '${shell}'`);
    }
    return { kind: "completions", shell };
  }

  // TypeScript cannot see the assignments inside setMode.
  const chosen = mode as Mode | undefined;
  if (flags.has("--serve")) {
    if (chosen?.kind !== "exec") throw new UsageError("--serve works only with --exec");
    chosen.serve = true;
  }
  const serverFlag = chosen?.kind === "imds" || chosen?.kind === "container"
    ? modeFlag
    : flags.has("--serve")
    ? "--serve"
    : undefined;
  const cache = parseCacheOptions(values, flags);
  if (cache && serverFlag) {
    const cacheFlag = cache.path === undefined ? "--cache" : "--cache-file";
    throw new UsageError(`${cacheFlag} cannot be used with ${serverFlag}`);
  }

  const options: RunOptions = {
    // No mode at all prints pretty JSON, as aws-export-credentials does.
    mode: chosen ?? { kind: "print", format: "process" },
    pretty: flags.has("--pretty") || chosen === undefined,
    ensureTemporary: flags.has("--ensure-temporary"),
    debug: flags.has("--debug"),
  };
  if (values["--profile"] !== undefined) options.profile = values["--profile"];
  if (values["--region"] !== undefined) options.region = values["--region"];
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

Serving refreshing credentials (HOST defaults to 127.0.0.1; PORT 0 picks a free port):
  --imds [HOST:]PORT    Serve them as an EC2 instance metadata endpoint (IMDSv2)
  --container [HOST:]PORT [TOKEN]
                        Serve them as an ECS container credentials endpoint
  --serve --exec [--] CMD ...
                        Run CMD with a private container endpoint that keeps them fresh

Other:
  --completions SHELL   Print a completion script for bash, zsh, fish or powershell
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

/**
 * Parses `[HOST:]PORT` from the command line, e.g. `9911`, `0.0.0.0:9911`,
 * `localhost:9911` or `[::1]:9911`. The port may be 0 for a free one.
 */
export function parseHostPort(
  value: string,
  defaultHost = "127.0.0.1",
): Address {
  let hostname = defaultHost;
  let port = value;
  const bracketed = value.match(/^\[([^\]]*)\]:(.*)$/);
  if (bracketed) {
    hostname = bracketed[1]!;
    port = bracketed[2]!;
    if (!hostname.includes(":") || !/^[0-9a-f:.]+$/i.test(hostname)) {
      throw new UsageError(`Invalid IPv6 address '${hostname}' in '${value}'`);
    }
  } else if (value.startsWith("[")) {
    throw new UsageError(`Invalid address '${value}': expected [IPV6]:PORT, e.g. [::1]:9911`);
  } else if (value.includes(":")) {
    const colon = value.lastIndexOf(":");
    hostname = value.slice(0, colon);
    port = value.slice(colon + 1);
    if (hostname.includes(":")) {
      throw new UsageError(
        `Invalid address '${value}': put an IPv6 host in brackets, e.g. [::1]:9911`,
      );
    }
    if (hostname === "") throw new UsageError(`Missing host before the port in '${value}'`);
    if (!/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(hostname)) {
      throw new UsageError(`Invalid host '${hostname}' in '${value}'`);
    }
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new UsageError(`Invalid port in '${value}': expected an integer from 0 to 65535`);
  }
  return { hostname, port: Number(port) };
}
