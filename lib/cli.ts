/** Command-line parsing: argv in, a typed command out, or a UsageError (exit 2). */

import { UsageError } from "./errors.ts";
import { closestWord } from "./suggest.ts";
import { type Format, FORMATS, isFormat } from "./formats.ts";
import { profileNameProblem } from "./config/mod.ts";
import { isHostName, normalizeHostName } from "./serve/allowed_hosts.ts";

/** What aec does with the credentials. */
export type Mode =
  /** `implicit`: no output option was given, so a terminal gets a summary instead. */
  | { kind: "print"; format: Format; implicit?: true }
  | ExecMode
  | { kind: "credentials-file"; profile: string }
  | { kind: "imds"; address: Address }
  /** Without a token, aec generates one. */
  | { kind: "container"; address: Address; token?: string };

/**
 * `--exec`: without a command, the user's shell. With `serve`, the command
 * gets a private container endpoint instead of keys.
 */
export interface ExecMode {
  kind: "exec";
  command?: string;
  args: string[];
  serve: boolean;
  /**
   * How the command's own words, with no `--` before them, spell aec's
   * `--profile` (`--prof=x`, say): meant for aec, if aec was given no profile.
   */
  profileFlag?: string;
}

export interface Address {
  hostname: string;
  port: number;
}

export interface CacheOptions {
  /** The cache file; absent for `--cache`, which uses the profile's default file. */
  path?: string;
  bufferMinutes: number;
}

export interface RunOptions {
  mode: Mode;
  pretty: boolean;
  profile?: string;
  region?: string;
  ensureTemporary: boolean;
  debug: boolean;
  cache?: CacheOptions;
  /** `--sso-login`: sign in first when the profile's SSO session has ended. */
  ssoLogin: boolean;
  /** `--with-region`: accepted for aws-export-credentials; shell formats export the region anyway. */
  withRegion: boolean;
  /** `--no-region`: shell formats and `--exec` leave the region out. */
  noRegion: boolean;
  /** `--duration`: the length of the session aec asks STS for (AssumeRole, GetSessionToken). */
  durationSeconds?: number;
  /** `--refresh`: resolve anew, reading no cache (but saving to them). */
  refresh: boolean;
  /** Read and write the AWS CLI's assume-role cache (off with `--no-cli-cache`). */
  cliCache: boolean;
  /** MFA sessions for MFA roles (off with `--no-mfa-session`), and their length. */
  mfaSession: { enabled: boolean; seconds: number };
  /** `--allow-host`: names a server answers as Host besides addresses and localhost, normalized. */
  allowedHosts?: string[];
}

/** `aec login`: sign in to IAM Identity Center. */
export interface LoginOptions {
  profile?: string;
  ssoSession?: string;
  useDeviceCode: boolean;
  noBrowser: boolean;
  debug: boolean;
}

/** `aec logout`: sign out of IAM Identity Center. */
export interface LogoutOptions {
  profile?: string;
  ssoSession?: string;
  all: boolean;
  debug: boolean;
}

/** `aec console`: open the AWS console as the profile, or print the sign-in URL. */
export interface ConsoleOptions {
  profile?: string;
  region?: string;
  /** Print the URL on stdout instead of opening a browser. */
  stdout: boolean;
  destination?: string;
  durationSeconds?: number;
  ssoLogin: boolean;
  debug: boolean;
}

export type Cli =
  | { kind: "help" }
  | { kind: "version" }
  | { kind: "completions"; shell: Shell }
  | { kind: "run"; options: RunOptions }
  | { kind: "login"; options: LoginOptions }
  | { kind: "logout"; options: LogoutOptions }
  | { kind: "console"; options: ConsoleOptions }
  | { kind: "profiles"; options: { json: boolean; debug: boolean } }
  | { kind: "pick"; options: { debug: boolean } }
  /** `aec keys`: its words are parsed by lib/keys, when it runs. */
  | { kind: "keys"; args: string[] };

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
  "--mfa-session-duration",
  "--allow-host",
  "--duration",
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
  "--sso-login",
  "--no-cli-cache",
  "--no-mfa-session",
  "--with-region",
  "--no-region",
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
/** An MFA session's length when nothing says otherwise (aws-vault's default too). */
export const DEFAULT_MFA_SESSION_SECONDS = 8 * 3600;

/** Parses aec's arguments (without the program name). Pure: reads no environment. */
export function parseCli(argv: readonly string[]): Cli {
  const [first, ...rest] = argv;
  if (first === "keys") return { kind: "keys", args: rest };
  if (isSubcommand(first)) return parseSubcommand(first, rest);
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
  // The one option that may be repeated.
  const allowedHosts: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;

    if (!arg.startsWith("-") || arg === "-") throw bareWord(arg);
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = ALIASES[arg] ?? resolveOption(eq === -1 ? arg : arg.slice(0, eq), ALL_OPTIONS);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);

    if (name === "--exec") {
      // `--exe` and the like, as prefixes go; `--exec=VALUE` means nothing.
      if (inline !== undefined) throw new UsageError("--exec does not take a value");
      setMode("--exec", parseExec(argv.slice(i + 1)));
      break;
    }

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
      if (option === "--allow-host") {
        if (!isHostName(value)) {
          throw new UsageError(
            `--allow-host takes a host name without a port, such as host.docker.internal; ` +
              `got '${value}'`,
          );
        }
        allowedHosts.push(normalizeHostName(value));
        continue;
      }
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

    throw new UsageError(`Unknown option '${name}'`);
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
  if (allowedHosts.length > 0 && serverFlag === undefined) {
    throw new UsageError("--allow-host works only with --imds, --container or --serve");
  }
  const cache = parseCacheOptions(values, flags);
  if (cache && serverFlag) {
    const cacheFlag = cache.path === undefined ? "--cache" : "--cache-file";
    throw new UsageError(`${cacheFlag} cannot be used with ${serverFlag}`);
  }

  const options: RunOptions = {
    // No mode at all prints pretty JSON, as aws-export-credentials does (on a
    // terminal, a summary instead, unless --pretty asks for the JSON).
    mode: chosen ??
      (flags.has("--pretty")
        ? { kind: "print", format: "process" }
        : { kind: "print", format: "process", implicit: true }),
    // No mode prints indented JSON, as aws-export-credentials did; so does
    // `--format process`, as the AWS CLI does. `--json` is compact.
    pretty: flags.has("--pretty") || chosen === undefined || modeFlag === "--format",
    ensureTemporary: flags.has("--ensure-temporary"),
    debug: flags.has("--debug"),
    ssoLogin: flags.has("--sso-login"),
    withRegion: flags.has("--with-region"),
    noRegion: flags.has("--no-region"),
    refresh: flags.has("--refresh"),
    cliCache: !flags.has("--no-cli-cache"),
    mfaSession: {
      enabled: !flags.has("--no-mfa-session"),
      seconds: values["--mfa-session-duration"] === undefined
        ? DEFAULT_MFA_SESSION_SECONDS
        : parseDuration(values["--mfa-session-duration"], MFA_SESSION_DURATION),
    },
  };
  if (values["--profile"] !== undefined) options.profile = values["--profile"];
  if (values["--region"] !== undefined) options.region = values["--region"];
  if (values["--duration"] !== undefined) {
    options.durationSeconds = parseDuration(values["--duration"], SESSION_DURATION);
  }
  rejectUselessRegion(options);
  if (cache) options.cache = cache;
  if (allowedHosts.length > 0) options.allowedHosts = allowedHosts;
  return { kind: "run", options };
}

/** What to tell someone whose aec options ended up among the command's words. */
export const EXEC_ORDER_HINT =
  "aec's options go before --exec, and -- before the command if it takes a --profile of its own";

/** The words after `--exec`: the command (none for a shell) and its arguments. */
function parseExec(words: readonly string[]): ExecMode {
  const separated = words[0] === "--";
  const [command, ...args] = separated ? words.slice(1) : words;
  if (command === undefined) return { kind: "exec", args: [], serve: false };
  if (command === "") throw new UsageError("--exec got an empty command name");
  if (separated) return { kind: "exec", command, args, serve: false };
  // An option of aec's, most likely, not a program named like one.
  if (command.startsWith("-")) {
    throw new UsageError(`'${command}' after --exec is not a command: ${EXEC_ORDER_HINT}`);
  }
  const mode: ExecMode = { kind: "exec", command, args, serve: false };
  const profileFlag = args.find(spellsProfile);
  if (profileFlag !== undefined) mode.profileFlag = profileFlag;
  return mode;
}

/** Whether aec would read `word` as its `--profile` (`--profile=x`, `--prof`). */
function spellsProfile(word: string): boolean {
  if (!word.startsWith("--")) return false;
  try {
    return resolveOption(word.split("=", 1)[0]!, ALL_OPTIONS) === "--profile";
  } catch {
    return false; // Not an option of aec's at all.
  }
}

/**
 * The option `name` stands for: itself, or the one long option it begins
 * (`--prof` for `--profile`), as argparse allowed aws-export-credentials'
 * users. An exact name wins over longer ones it begins (`--env`).
 *
 * @throws {UsageError} for a prefix of several options, naming them, or an
 * unknown option, naming the closest.
 */
function resolveOption(name: string, known: readonly string[], where = "aec"): string {
  if (known.includes(name)) return name;
  if (name.startsWith("--") && name.length > 2) {
    const candidates = known.filter((option) => option.startsWith(name));
    if (candidates.length === 1) return candidates[0]!;
    if (candidates.length > 1) {
      throw new UsageError(`Option '${name}' is ambiguous: ${candidates.join(", ")}`);
    }
  }
  // Short options are too short to guess from.
  const closest = name.startsWith("--")
    ? closestWord(name, known.filter((option) => option.startsWith("--")))
    : undefined;
  const unknown = where === "aec"
    ? `Unknown option '${name}'`
    : `Unknown option '${name}' for ${where}`;
  throw new UsageError(closest ? `${unknown}; did you mean ${closest}?` : unknown);
}

/** The usage error for a word where aec takes none: maybe a profile, maybe a command. */
function bareWord(word: string): UsageError {
  const command = closestWord(word, Object.keys(SUBCOMMANDS));
  if (command) return new UsageError(`Unknown command '${word}'; did you mean 'aec ${command}'?`);
  return new UsageError(
    `Unexpected argument '${word}': to use profile ${word}, run 'aec --profile ${word}' ` +
      `(commands: ${Object.keys(SUBCOMMANDS).join(", ")})`,
  );
}

/** The options of each subcommand: those that take a value, and flags. */
const SUBCOMMANDS = {
  login: { values: ["--profile", "--sso-session"], flags: ["--use-device-code", "--no-browser"] },
  logout: { values: ["--profile", "--sso-session"], flags: ["--all"] },
  console: {
    values: ["--profile", "--region", "--destination", "--duration"],
    flags: ["--stdout", "--sso-login"],
  },
  profiles: { values: [], flags: ["--json"] },
  pick: { values: [], flags: [] },
  // Its actions and options are lib/keys/args.ts's.
  keys: { values: [], flags: [] },
} as const;
type Subcommand = keyof typeof SUBCOMMANDS;

function isSubcommand(word: string | undefined): word is Subcommand {
  return word !== undefined && Object.hasOwn(SUBCOMMANDS, word);
}

/** A subcommand's own options (and `--debug`, `--help`), or `undefined` for `--help`. */
function parseSubcommandArgs(command: Subcommand, argv: readonly string[]) {
  const spec = SUBCOMMANDS[command];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("-") || arg === "-") {
      throw new UsageError(`Unexpected argument '${arg}' for aec ${command}`);
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const known = [...spec.values, ...spec.flags, "--debug", "--help", "-h"];
    const name = resolveOption(eq === -1 ? arg : arg.slice(0, eq), known, `aec ${command}`);
    if ((spec.values as readonly string[]).includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith("-"))) {
        throw new UsageError(`${name} needs a value`);
      }
      if (value === "") throw new UsageError(`${name} needs a non-empty value`);
      if (values[name] !== undefined) throw new UsageError(`${name} was given twice`);
      values[name] = value;
    } else if (name === "--help" || name === "-h") {
      return undefined;
    } else if (eq === -1) {
      flags.add(name);
    } else {
      throw new UsageError(`${name} does not take a value`);
    }
  }
  return { values, flags };
}

/** `aec login`, `aec logout` and `aec console`, which take only their own options. */
function parseSubcommand(command: Subcommand, argv: readonly string[]): Cli {
  const parsed = parseSubcommandArgs(command, argv);
  if (parsed === undefined) return { kind: "help" };
  const { values, flags } = parsed;
  const profile = values["--profile"];
  const debug = flags.has("--debug");
  if (command === "pick") return { kind: "pick", options: { debug } };
  if (command === "profiles") {
    return { kind: "profiles", options: { json: flags.has("--json"), debug } };
  }
  if (command === "console") {
    const options: ConsoleOptions = {
      stdout: flags.has("--stdout"),
      ssoLogin: flags.has("--sso-login"),
      debug,
    };
    if (profile !== undefined) options.profile = profile;
    if (values["--region"] !== undefined) options.region = values["--region"];
    const destination = values["--destination"];
    if (destination !== undefined) {
      if (!/^https:\/\//i.test(destination) || !URL.canParse(destination)) {
        throw new UsageError(`--destination takes an https:// URL; got '${destination}'`);
      }
      options.destination = destination;
    }
    const duration = values["--duration"];
    if (duration !== undefined) options.durationSeconds = parseDuration(duration);
    return { kind: "console", options };
  }
  const ssoSession = values["--sso-session"];
  if (profile !== undefined && ssoSession !== undefined) {
    throw new UsageError("--profile and --sso-session cannot be used together");
  }
  if (flags.has("--all") && (profile !== undefined || ssoSession !== undefined)) {
    throw new UsageError(`--all cannot be used with ${profile ? "--profile" : "--sso-session"}`);
  }
  const named = {
    ...(profile === undefined ? {} : { profile }),
    ...(ssoSession === undefined ? {} : { ssoSession }),
    debug,
  };
  return command === "login"
    ? {
      kind: "login",
      options: {
        ...named,
        useDeviceCode: flags.has("--use-device-code"),
        noBrowser: flags.has("--no-browser"),
      },
    }
    : { kind: "logout", options: { ...named, all: flags.has("--all") } };
}

/** How long a length given on the command line may be, in seconds. */
interface DurationBounds {
  flag: string;
  min: number;
  max: number;
  /** The bounds as the user reads them, e.g. "15m to 12h". */
  range: string;
}

/** A role session (AssumeRole's most), a GetSessionToken session, the console's. */
const SESSION_DURATION: DurationBounds = {
  flag: "--duration",
  min: 15 * 60,
  max: 12 * 3600,
  range: "15m to 12h",
};
const MFA_SESSION_DURATION: DurationBounds = {
  flag: "--mfa-session-duration",
  min: 15 * 60,
  max: 36 * 3600,
  range: "15m to 36h",
};

/**
 * A length of time: seconds (`3600`), or hours, minutes and seconds (`12h`,
 * `90m`, `1h30m`), within `bounds`.
 */
export function parseDuration(text: string, bounds: DurationBounds = SESSION_DURATION): number {
  const match = /^(?:(\d+)|(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?)$/i.exec(text.trim());
  if (!match || text.trim() === "") {
    throw new UsageError(
      `${bounds.flag} takes seconds or a length like 90m or 12h; got '${text}'`,
    );
  }
  const [, plain, hours, minutes, seconds] = match;
  const total = plain !== undefined
    ? Number(plain)
    : Number(hours ?? 0) * 3600 + Number(minutes ?? 0) * 60 + Number(seconds ?? 0);
  if (total < bounds.min || total > bounds.max) {
    throw new UsageError(`${bounds.flag} must be from ${bounds.range}; got '${text}'`);
  }
  return total;
}

/**
 * credential_process JSON and a credentials-file profile have no place for a
 * region, so `--region` (unless it moves STS for `--ensure-temporary`) and
 * `--with-region` would be silently ignored there: a usage error instead.
 */
function rejectUselessRegion(options: RunOptions): void {
  const { mode } = options;
  const target = mode.kind === "credentials-file"
    ? "-c"
    : mode.kind === "print" && mode.format === "process"
    ? "credential_process JSON"
    : undefined;
  if (options.noRegion && (options.withRegion || options.region !== undefined)) {
    throw new UsageError(
      `--no-region cannot be used with ${options.withRegion ? "--with-region" : "--region"}`,
    );
  }
  if (target === undefined) return;
  if (options.withRegion) {
    throw new UsageError(`--with-region has no effect on ${target}, which holds no region`);
  }
  if (options.region !== undefined && !options.ensureTemporary) {
    throw new UsageError(
      `--region has no effect on ${target}, which holds no region; ` +
        "use it with a shell format or --exec",
    );
  }
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
  };
  if (path !== undefined) cache.path = path;
  return cache;
}

export const USAGE = `aec: get AWS credentials from a profile and inject them into other programs

Usage:
  aec [--profile NAME] [OUTPUT] [OPTIONS]
  aec [--profile NAME] [OPTIONS] --exec [[--] COMMAND [ARGS...]]
  aec login [--profile NAME | --sso-session NAME] [--use-device-code] [--no-browser]
  aec logout [--profile NAME | --sso-session NAME | --all]
  aec console [--profile NAME] [--stdout] [--region REGION] [--destination URL]
              [--duration DURATION] [--sso-login]
  aec profiles [--json]
  aec pick
  aec keys add|migrate|list|remove|rotate ...   (aec keys --help)

Profile:
  --profile NAME        Profile to use (default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, "default")
  --region REGION       Export AWS_REGION and AWS_DEFAULT_REGION as REGION (shell formats, --exec)
  --no-region           Leave the region out (shell formats and --exec export the profile's or
                        the environment's region by default)
  --duration DURATION   Length of the session aec asks for: 3600, 90m, 12h (15m to 12h; default
                        the profile's duration_seconds)
  --ensure-temporary    Exchange long-term keys for a session with STS GetSessionToken
  --sso-login           Sign in to IAM Identity Center first if the profile's session ended

Output (choose one; default: pretty JSON, or a summary without the secrets on a terminal):
  --json                credential_process JSON on one line (--pretty indents it)
  --env                 NAME=value lines
  --env-export          export NAME=value lines, for eval in bash or zsh
  --format FORMAT       One of: ${FORMATS.join(", ")}
  --exec [--] CMD ...   Run CMD with the credentials in its environment; exits with its code.
                        Without CMD, a shell ($SHELL). aec's options go before --exec
  -c, --credentials-file-profile NAME
                        Write them into profile NAME of the shared credentials file

Sessions shared with the AWS CLI:
  --no-cli-cache        Neither read nor write the AWS CLI's assume-role cache
  --no-mfa-session      Assume an MFA role directly, without aec's MFA session
  --mfa-session-duration DURATION
                        Length of a new MFA session: 15m to 36h (default 8h)

Cache:
  --cache-file PATH     Reuse unexpired credentials saved in PATH; save new ones there
  --cache               The same, with a per-profile file in the user's cache directory
  --cache-expiration-buffer MINUTES
                        Treat cached credentials as expired this long before (default 10)
  --refresh             Resolve anew (and save) even when a cache (aec's, the CLI's) has them

Serving refreshing credentials (HOST defaults to 127.0.0.1; PORT 0 picks a free port):
  --imds [HOST:]PORT    Serve them as an EC2 instance metadata endpoint (IMDSv2)
  --container [HOST:]PORT [TOKEN]
                        Serve them as an ECS container credentials endpoint
  --serve --exec [--] CMD ...
                        Run CMD with a private container endpoint that keeps them fresh
  --allow-host NAME     Answer clients that call this machine NAME, e.g. host.docker.internal
                        (repeatable; IP addresses and localhost always work)

IAM Identity Center (writes the token cache that the AWS CLI and SDKs share):
  login                 Sign in: a browser on this machine, else a device code
    --sso-session NAME  Sign in to an [sso-session] instead of a profile's
    --use-device-code   Sign in with a code confirmed in any browser
    --no-browser        Print the sign-in URL instead of opening a browser
  logout                Sign out: end the session and delete its token and aec's cache
    --all               Every session in the token cache

The AWS console (the sign-in URL is a secret for 15 minutes):
  console               Open the console signed in as the profile
    --stdout            Print the sign-in URL instead of opening a browser
    --destination URL   The console page to open (default: the region's console home)
    --duration DURATION Console session length: 3600, 90m, 12h (15m to 12h)

Profiles:
  profiles              List the profiles: kind, region, source, state (no AWS call)
    --json              The same as JSON, for scripts
  pick                  Choose a profile from a fuzzy list on the terminal; prints its name

Long-term keys in the system's secret store, pass, 1Password or an encrypted file:
  keys add PROFILE      Store a profile's keys there; credential_process reads them
  keys migrate PROFILE  Move a profile's keys (--all: every profile's) out of the credentials file
  keys list             The stored profiles and their access key ids
  keys remove PROFILE, keys rotate PROFILE
                        Delete the stored keys; replace them with a new access key (IAM)

Other:
  --completions SHELL   Print a completion script for bash, zsh, fish or powershell
  --pretty              Indent JSON output by two spaces
  --debug               Explain on stderr what aec does (secrets are redacted)
  --version             Print aec's version
  -h, --help            Print this help

Exit codes: 0 success, 2 usage error or no credentials, 3 credential error,
126/127 command not runnable/not found, 130 interrupted while waiting for you,
otherwise the command's own code.
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
