/** Command-line parsing: argv in, a typed command out, or a UsageError (exit 2). */

import { closestWord, UsageError } from "../support/mod.ts";
import { CREDENTIAL_PROCESS, parseHookArgs } from "../keys/mod.ts";
import { commandLine, type Format, FORMATS, isFormat } from "../output/mod.ts";
import { profileNameProblem } from "../config/mod.ts";
import {
  type Address,
  type CacheOptions,
  type ConsoleOptions,
  type ExecMode,
  isHostName,
  isStoreName,
  type KeysOptions,
  type LoginOptions,
  type LogoutOptions,
  type Mode,
  normalizeHostName,
  type RunOptions,
  type SessionChoice,
  type SsoPopulateOptions,
  type SsoRolesOptions,
  STORE_NAMES,
} from "../options/mod.ts";
import { serviceProblem } from "../console/mod.ts";

export type Cli =
  /** `aec --help`, or `aec COMMAND --help`. */
  | { kind: "help"; command?: Subcommand }
  | { kind: "version" }
  | { kind: "completions"; shell: Shell }
  | { kind: "run"; options: RunOptions }
  | { kind: "login"; options: LoginOptions }
  | { kind: "logout"; options: LogoutOptions }
  | { kind: "console"; options: ConsoleOptions }
  | { kind: "profiles"; options: { json: boolean; debug: boolean } }
  | { kind: "pick"; options: { debug: boolean } }
  | { kind: "keys"; options: KeysOptions }
  | { kind: "sso-roles"; options: SsoRolesOptions }
  | { kind: "sso-populate"; options: SsoPopulateOptions };

const DEFAULT_CACHE_BUFFER_MINUTES = 10;
/** An MFA session's length when nothing says otherwise (aws-vault's default too). */
export const DEFAULT_MFA_SESSION_SECONDS = 8 * 3600;

/** The shells `--completions` writes a script for. */
export const SHELLS = ["bash", "zsh", "fish", "powershell"] as const;
export type Shell = typeof SHELLS[number];

export function isShell(value: string): value is Shell {
  return (SHELLS as readonly string[]).includes(value);
}

/** aec's subcommands, in the order the help lists them, with what each does. */
export const SUBCOMMANDS = {
  login: "Sign in to IAM Identity Center (a browser here, else a device code)",
  logout: "Sign out: end the session and delete its token and aec's cache",
  console: "Open the AWS console signed in as the profile",
  profiles: "List the profiles: kind, region, source, state (no AWS call)",
  pick: "Choose a profile from a fuzzy list on the terminal; prints its name",
  sso: "List an sso-session's accounts and roles, or write a profile for each",
  keys: "Long-term keys in a secret store: add, migrate, list, remove, rotate",
  help: "Print this help, or a command's (aec help COMMAND)",
} as const;
export type Subcommand = keyof typeof SUBCOMMANDS;
/** The actions of `aec keys`, in the order its help lists them, with what each does. */
export const KEYS_ACTIONS = {
  add: "Store keys typed here (secret hidden), checked with STS; PROFILE reads them",
  migrate: "Move PROFILE's keys (--all: every profile's) out of the credentials file",
  list: "The stored profiles, their access key ids and the store (no secrets)",
  remove: "Delete PROFILE's keys from the store (asks first)",
  rotate: "Create a new access key with IAM, check and store it, delete the old one",
  [CREDENTIAL_PROCESS]:
    "What PROFILE's credential_process line runs: a session, cached, or the keys",
} as const;
/** The words an action of `aec keys` takes besides its options. */
const KEYS_WORDS: Record<keyof typeof KEYS_ACTIONS, string> = {
  add: "PROFILE",
  migrate: "(PROFILE | --all)",
  list: "",
  remove: "PROFILE",
  rotate: "PROFILE",
  [CREDENTIAL_PROCESS]: "PROFILE",
};
export type KeysAction = keyof typeof KEYS_ACTIONS;
const KEYS_ACTION_NAMES = Object.keys(KEYS_ACTIONS) as KeysAction[];

/** `aec` itself (getting credentials), one of its subcommands, or an action of `aec keys`. */
export type Command = "aec" | Subcommand | `keys ${KeysAction}`;
const SUBCOMMAND_NAMES = Object.keys(SUBCOMMANDS) as Subcommand[];

function isSubcommand(word: string | undefined): word is Subcommand {
  return word !== undefined && Object.hasOwn(SUBCOMMANDS, word);
}

/**
 * What an option's value completes to in the shell scripts. `command` is
 * `--exec`'s: the rest of the line is a command of its own.
 */
export type ValueKind =
  | "profile"
  | "sso-session"
  | "format"
  | "shell"
  | "store"
  | "file"
  | "command"
  | "none";

/** The headings of `aec --help`, in order. */
const SECTIONS = {
  profile: "Profile",
  output:
    "Output (choose one; default: pretty JSON, or a summary without the secrets on a terminal)",
  sessions: "Sessions shared with the AWS CLI",
  cache: "Cache",
  serve: "Serving refreshing credentials (HOST defaults to 127.0.0.1; PORT 0 picks a free port)",
  other: "Other",
} as const;

/**
 * One option of one or more commands. The parser, `--help` and the shell
 * completions all read {@link OPTIONS}; a new option is one entry there (and
 * the code that uses its value: `given.value("--name")`, `given.has("--flag")`).
 */
export interface OptionSpec {
  /** The long name, e.g. `--profile`. */
  readonly name: string;
  /** Other spellings, e.g. `-c`. */
  readonly aliases?: readonly string[];
  /** For an option that takes a value: its name in the help, and what completes it. */
  readonly value?: { readonly placeholder: string; readonly kind: ValueKind };
  /** The next word too, when it is not an option (`--container`'s TOKEN). */
  readonly optionalWord?: boolean;
  /** Every value is kept (`given.values()`); otherwise the last one wins. */
  readonly repeatable?: boolean;
  /** An output mode of `aec`: two different ones are a usage error. */
  readonly mode?: boolean;
  readonly commands: readonly Command[];
  /** Where `aec --help` lists an option of `aec`; the others are listed under their command. */
  readonly section?: keyof typeof SECTIONS;
  readonly help: string;
}

const SESSION_COMMANDS = ["aec", "login", "logout", "console"] as const;
const KEYS_COMMANDS = KEYS_ACTION_NAMES.map((action) => `keys ${action}` as const);

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: "--profile",
    value: { placeholder: "NAME", kind: "profile" },
    commands: SESSION_COMMANDS,
    section: "profile",
    help: 'Profile to use (default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, "default")',
  },
  {
    name: "--region",
    value: { placeholder: "REGION", kind: "none" },
    commands: ["aec"],
    section: "profile",
    help: "Export AWS_REGION and AWS_DEFAULT_REGION as REGION (shell formats, --exec)",
  },
  {
    name: "--no-region",
    commands: ["aec"],
    section: "profile",
    help: "Leave out the region (shell formats and --exec export it by default)",
  },
  {
    name: "--with-region",
    commands: ["aec"],
    section: "profile",
    help: "Accepted for aws-export-credentials: the region is exported anyway",
  },
  {
    name: "--duration",
    value: { placeholder: "DURATION", kind: "none" },
    commands: ["aec"],
    section: "profile",
    help: "Length of the session aec asks for: 3600, 90m, 12h (15m to 12h)",
  },
  {
    name: "--ensure-temporary",
    commands: ["aec"],
    section: "profile",
    help: "Exchange long-term keys for a session with STS GetSessionToken",
  },
  {
    name: "--sso-login",
    commands: ["aec", "console"],
    section: "profile",
    help: "Sign in to IAM Identity Center first if the profile's session ended",
  },
  {
    name: "--no-prompt",
    commands: ["aec", "console"],
    section: "profile",
    help: "Never ask for an MFA code or a sign-in: exit 3 at once (or AEC_NO_PROMPT=1)",
  },
  {
    name: "--json",
    mode: true,
    commands: ["aec"],
    section: "output",
    help: "credential_process JSON on one line (--pretty indents it)",
  },
  { name: "--env", mode: true, commands: ["aec"], section: "output", help: "NAME=value lines" },
  {
    name: "--env-export",
    mode: true,
    commands: ["aec"],
    section: "output",
    help: "export NAME=value lines, for eval in bash or zsh",
  },
  {
    name: "--format",
    value: { placeholder: "FORMAT", kind: "format" },
    mode: true,
    commands: ["aec"],
    section: "output",
    help: `One of: ${FORMATS.join(", ")}`,
  },
  {
    name: "--exec",
    value: { placeholder: "[--] CMD ...", kind: "command" },
    mode: true,
    commands: ["aec"],
    section: "output",
    help: "Run CMD (else $SHELL) with the credentials; aec's options go before --exec",
  },
  {
    name: "--credentials-file-profile",
    aliases: ["-c"],
    value: { placeholder: "NAME", kind: "profile" },
    mode: true,
    commands: ["aec"],
    section: "output",
    help: "Write them into profile NAME of the shared credentials file",
  },
  {
    name: "--no-cli-cache",
    commands: ["aec"],
    section: "sessions",
    help: "Neither read nor write the AWS CLI's assume-role cache",
  },
  {
    name: "--no-mfa-session",
    commands: ["aec"],
    section: "sessions",
    help: "Assume an MFA role directly, without aec's MFA session",
  },
  {
    name: "--mfa-session-duration",
    value: { placeholder: "DURATION", kind: "none" },
    commands: ["aec"],
    section: "sessions",
    help: "Length of a new MFA session: 15m to 36h (default 8h)",
  },
  {
    name: "--cache-file",
    value: { placeholder: "PATH", kind: "file" },
    commands: ["aec"],
    section: "cache",
    help: "Reuse unexpired credentials saved in PATH; save new ones there",
  },
  {
    name: "--cache",
    commands: ["aec"],
    section: "cache",
    help: "The same, with a per-profile file in the user's cache directory",
  },
  {
    name: "--cache-expiration-buffer",
    value: { placeholder: "MINUTES", kind: "none" },
    commands: ["aec"],
    section: "cache",
    help: "Treat cached credentials as expired this long before (default 10)",
  },
  {
    name: "--refresh",
    commands: ["aec"],
    section: "cache",
    help: "Resolve anew (and save) even when a cache (aec's, the CLI's) has them",
  },
  {
    name: "--imds",
    value: { placeholder: "[HOST:]PORT", kind: "none" },
    mode: true,
    commands: ["aec"],
    section: "serve",
    help: "Serve them as an EC2 instance metadata endpoint (IMDSv2)",
  },
  {
    name: "--container",
    value: { placeholder: "[HOST:]PORT [TOKEN]", kind: "none" },
    optionalWord: true,
    mode: true,
    commands: ["aec"],
    section: "serve",
    help: "Serve them as an ECS container credentials endpoint",
  },
  {
    name: "--serve",
    commands: ["aec"],
    section: "serve",
    help: "With --exec: give CMD a private container endpoint that keeps them fresh",
  },
  {
    name: "--allow-host",
    value: { placeholder: "NAME", kind: "none" },
    repeatable: true,
    commands: ["aec"],
    section: "serve",
    help: "Also answer clients calling this machine NAME, e.g. host.docker.internal",
  },
  {
    name: "--sso-session",
    value: { placeholder: "NAME", kind: "sso-session" },
    commands: ["login", "logout"],
    help: "An [sso-session] of the config file instead of a profile's",
  },
  {
    name: "--sso-session",
    value: { placeholder: "NAME", kind: "sso-session" },
    commands: ["sso"],
    help: "The [sso-session] to list (may be left out when the config file has one)",
  },
  {
    name: "--sso-login",
    commands: ["sso"],
    help: "Sign in to IAM Identity Center first if the session ended",
  },
  { name: "--json", commands: ["sso"], help: "roles: print the list as JSON, for scripts" },
  {
    name: "--template",
    value: { placeholder: "T", kind: "none" },
    commands: ["sso"],
    help: "populate: names from {account_name} {account_id} {role_name} {sso_session}",
  },
  {
    name: "--region",
    value: { placeholder: "[PATTERN=]REGION", kind: "none" },
    repeatable: true,
    commands: ["sso"],
    help: "populate: the region of accounts whose name or id match (* ?), else of all",
  },
  {
    name: "--prune",
    commands: ["sso"],
    help: "populate: remove its profiles of accounts and roles no longer listed",
  },
  {
    name: "--dry-run",
    commands: ["sso"],
    help: "populate: print the change as a unified diff; write nothing",
  },
  {
    name: "--use-device-code",
    commands: ["login"],
    help: "Sign in with a code confirmed in any browser",
  },
  {
    name: "--no-browser",
    commands: ["login"],
    help: "Print the sign-in URL instead of opening a browser",
  },
  { name: "--all", commands: ["logout"], help: "Every session in the token cache" },
  {
    name: "--region",
    value: { placeholder: "REGION", kind: "none" },
    commands: ["console"],
    help: "The console's region (default: the profile's)",
  },
  {
    name: "--stdout",
    commands: ["console"],
    help: "Print the sign-in URL (a secret for 15 minutes), opening no browser",
  },
  {
    name: "--destination",
    value: { placeholder: "URL", kind: "none" },
    commands: ["console"],
    help: "The console page to open (default: the region's console home)",
  },
  {
    name: "--service",
    aliases: ["-s"],
    value: { placeholder: "NAME", kind: "none" },
    commands: ["console"],
    help: "A service's console page: ec2, s3, lambda, ... or a path (ec2/home)",
  },
  {
    name: "--duration",
    value: { placeholder: "DURATION", kind: "none" },
    commands: ["console"],
    help: "Console session length: 3600, 90m, 12h (15m to 12h)",
  },
  {
    name: "--via-portal",
    commands: ["console"],
    help: "IAM Identity Center: the access portal's link (multi-session friendly)",
  },
  {
    name: "--firefox-container",
    commands: ["console"],
    help: "Open in a Firefox container named after the profile (needs the extension)",
  },
  {
    name: "--browser",
    value: { placeholder: "NAME|PATH", kind: "none" },
    commands: ["console"],
    help: "firefox, chrome, chromium, edge, brave, safari, or a path (else aec_browser)",
  },
  {
    name: "--browser-profile",
    value: { placeholder: "NAME", kind: "none" },
    commands: ["console"],
    help: "The browser's own profile to open in (Chrome, Firefox)",
  },
  {
    name: "--json",
    commands: ["profiles", "keys list"],
    help: "Print the list as JSON, for scripts",
  },
  {
    name: "--store",
    value: { placeholder: "STORE", kind: "store" },
    commands: KEYS_COMMANDS,
    help: `${STORE_NAMES.join(", ")} (see below)`,
  },
  {
    name: "--stdin",
    commands: ["keys add"],
    help: "add: read the access key id and the secret as two lines of stdin",
  },
  {
    name: "--no-verify",
    commands: ["keys add", "keys migrate"],
    help: "add, migrate: store the keys without checking them with STS",
  },
  {
    name: "--no-session",
    commands: ["keys add", "keys migrate", `keys ${CREDENTIAL_PROCESS}`],
    help: "The profile's line hands out the keys, not a session (for IAM calls, say)",
  },
  {
    name: "--duration",
    value: { placeholder: "DURATION", kind: "none" },
    commands: ["keys add", "keys migrate"],
    help: "The sessions the profile's line hands out: 3600, 90m, 12h (default 8h)",
  },
  {
    name: "--duration",
    value: { placeholder: "SECONDS", kind: "none" },
    commands: [`keys ${CREDENTIAL_PROCESS}`],
    help: "The session's length, in seconds (900 to 129600)",
  },
  {
    name: "--all",
    commands: ["keys migrate"],
    help: "migrate: every profile with keys in the credentials file",
  },
  { name: "--force", commands: ["keys remove"], help: "remove: delete without asking" },
  {
    name: "--completions",
    value: { placeholder: "SHELL", kind: "shell" },
    commands: ["aec"],
    section: "other",
    help: "Print a completion script for bash, zsh, fish or powershell",
  },
  {
    name: "--pretty",
    commands: ["aec"],
    section: "other",
    help: "Indent JSON output by two spaces",
  },
  {
    name: "--debug",
    commands: [...SESSION_COMMANDS, "profiles", "pick", "sso", ...KEYS_COMMANDS],
    section: "other",
    help: "Explain on stderr what aec does (secrets are redacted)",
  },
  { name: "--version", commands: ["aec"], section: "other", help: "Print aec's version" },
  {
    name: "--help",
    aliases: ["-h"],
    commands: [...SESSION_COMMANDS, "profiles", "pick", "sso", "help", ...KEYS_COMMANDS],
    section: "other",
    help: "Print this help",
  },
];

/**
 * The options of `command`, in the table's order; for `keys`, those of its
 * actions, once each.
 */
export function optionsOf(command: Command, specs: readonly OptionSpec[] = OPTIONS): OptionSpec[] {
  if (command !== "keys") return specs.filter((spec) => spec.commands.includes(command));
  const own = specs.filter((spec) => spec.commands.some((c) => c.startsWith("keys ")));
  return own.filter((spec, index) => own.findIndex((other) => other.name === spec.name) === index);
}

/** The option's spellings: its aliases, then its name. */
export function spellings(spec: OptionSpec): string[] {
  return [...spec.aliases ?? [], spec.name];
}

/** The options given on one command line, by their long names. */
export class GivenOptions {
  readonly #given = new Map<string, { value?: string; word?: string }[]>();
  /** The output mode given, as the user spelled it (`-c`, not its long name). */
  mode: { name: string; spelled: string } | undefined;
  /** The words after an option of kind `command` (`--exec`), a `--` included. */
  rest: string[] = [];
  /** The words that are no option or value: an `aec keys` action's profile. */
  words: string[] = [];

  add(name: string, occurrence: { value?: string; word?: string }): void {
    this.#given.set(name, [...this.#given.get(name) ?? [], occurrence]);
  }

  has(name: string): boolean {
    return this.#given.has(name);
  }

  /** The option's value: the last one given, as argparse and the AWS CLI take it. */
  value(name: string): string | undefined {
    return this.#given.get(name)?.at(-1)?.value;
  }

  /** Every value of the option, in order (for a `repeatable` one). */
  values(name: string): string[] {
    return (this.#given.get(name) ?? []).flatMap(({ value }) => value === undefined ? [] : [value]);
  }

  /** The optional word after the option's last value (`--container`'s TOKEN). */
  word(name: string): string | undefined {
    return this.#given.get(name)?.at(-1)?.word;
  }
}

/**
 * Reads the options of `command` from `argv` (the words after the command's
 * name), as argparse did for aws-export-credentials: `--name value`,
 * `--name=value`, `-cVALUE`, unique prefixes of long names, a repeated
 * option's last value.
 *
 * @throws {UsageError} for an unknown option, a word where none is taken, a
 * missing or empty value, or two different output modes.
 */
export function scanOptions(
  command: Command,
  argv: readonly string[],
  specs: readonly OptionSpec[] = OPTIONS,
): GivenOptions {
  const byName = new Map<string, OptionSpec>();
  for (const spec of optionsOf(command, specs)) {
    for (const spelling of spellings(spec)) byName.set(spelling, spec);
  }
  const known = [...byName.keys()];
  const given = new GivenOptions();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("-") || arg === "-") {
      if (!command.startsWith("keys ")) throw unexpectedWord(command, argv, i);
      given.words.push(arg);
      continue;
    }
    let spelled = arg;
    let inline: string | undefined;
    const short = arg.startsWith("--") ? undefined : byName.get(arg.slice(0, 2));
    if (arg.length > 2 && short?.value) {
      // `-cNAME` and `-c=NAME`, as argparse reads them.
      spelled = arg.slice(0, 2);
      inline = arg.slice(2).replace(/^=/, "");
    } else if (arg.startsWith("--") && arg.includes("=")) {
      spelled = arg.slice(0, arg.indexOf("="));
      inline = arg.slice(arg.indexOf("=") + 1);
    }
    const spec = byName.get(resolveOption(spelled, known, command))!;
    const { name } = spec;
    if (spec.mode) {
      const shown = spelled.startsWith("--") ? name : spelled;
      if (given.mode !== undefined && given.mode.name !== name) {
        throw new UsageError(`${given.mode.spelled} and ${shown} cannot be used together`);
      }
      given.mode ??= { name, spelled: shown };
    }
    if (!spec.value || spec.value.kind === "command") {
      // `--exec=VALUE` means nothing: the command follows.
      if (inline !== undefined) throw new UsageError(`${name} does not take a value`);
      given.add(name, {});
      if (!spec.value) continue;
      given.rest = argv.slice(i + 1);
      break;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("-")) throw new UsageError(`${name} needs a value`);
      value = next;
      i++;
    }
    if (value === "") throw new UsageError(`${name} needs a non-empty value`);
    // The optional word is the next one: aec itself takes no positional arguments.
    const next = argv[i + 1];
    if (spec.optionalWord && inline === undefined && next && !next.startsWith("-")) {
      given.add(name, { value, word: next });
      i++;
    } else {
      given.add(name, { value });
    }
  }
  return given;
}

/** Parses aec's arguments (without the program name). Pure: reads no environment. */
export function parseCli(argv: readonly string[]): Cli {
  const [first, ...rest] = argv;
  if (isSubcommand(first)) return first === "help" ? parseHelp(rest) : parseSubcommand(first, rest);
  const given = scanOptions("aec", argv);

  if (given.has("--help")) return { kind: "help" };
  if (given.has("--version")) return { kind: "version" };
  const shell = given.value("--completions");
  if (shell !== undefined) {
    if (!isShell(shell)) {
      throw new UsageError(`--completions takes one of ${SHELLS.join(", ")}; got '${shell}'`);
    }
    return { kind: "completions", shell };
  }

  const chosen = outputMode(given);
  const modeFlag = given.mode?.spelled;
  if (given.has("--serve")) {
    if (chosen?.kind !== "exec") throw new UsageError("--serve works only with --exec");
    chosen.serve = true;
  }
  const serverFlag = chosen?.kind === "imds" || chosen?.kind === "container"
    ? modeFlag
    : given.has("--serve")
    ? "--serve"
    : undefined;
  const allowedHosts = given.values("--allow-host").map((name) => {
    if (!isHostName(name)) {
      throw new UsageError(
        `--allow-host takes a host name without a port, such as host.docker.internal; ` +
          `got '${name}'`,
      );
    }
    return normalizeHostName(name);
  });
  if (allowedHosts.length > 0 && serverFlag === undefined) {
    throw new UsageError("--allow-host works only with --imds, --container or --serve");
  }
  const cache = parseCacheOptions(given);
  if (cache && serverFlag) {
    const cacheFlag = cache.path === undefined ? "--cache" : "--cache-file";
    throw new UsageError(`${cacheFlag} cannot be used with ${serverFlag}`);
  }

  const mfaSessionDuration = given.value("--mfa-session-duration");
  const options: RunOptions = {
    // No mode at all prints pretty JSON, as aws-export-credentials does (on a
    // terminal, a summary instead, unless --pretty asks for the JSON).
    mode: chosen ??
      (given.has("--pretty")
        ? { kind: "print", format: "process" }
        : { kind: "print", format: "process", implicit: true }),
    // No mode prints indented JSON, as aws-export-credentials did; so does
    // `--format process`, as the AWS CLI does. `--json` is compact.
    pretty: given.has("--pretty") || chosen === undefined || modeFlag === "--format",
    ensureTemporary: given.has("--ensure-temporary"),
    debug: given.has("--debug"),
    ssoLogin: given.has("--sso-login"),
    noPrompt: given.has("--no-prompt"),
    withRegion: given.has("--with-region"),
    noRegion: given.has("--no-region"),
    refresh: given.has("--refresh"),
    cliCache: !given.has("--no-cli-cache"),
    mfaSession: {
      enabled: !given.has("--no-mfa-session"),
      seconds: mfaSessionDuration === undefined
        ? DEFAULT_MFA_SESSION_SECONDS
        : parseDuration(mfaSessionDuration, MFA_SESSION_DURATION),
    },
  };
  const profile = given.value("--profile");
  if (profile !== undefined) options.profile = profile;
  const region = given.value("--region");
  if (region !== undefined) options.region = region;
  const duration = given.value("--duration");
  if (duration !== undefined) options.durationSeconds = parseDuration(duration, SESSION_DURATION);
  rejectUselessRegion(options);
  if (cache) options.cache = cache;
  if (allowedHosts.length > 0) options.allowedHosts = allowedHosts;
  return { kind: "run", options };
}

// The output-mode flags that print, and what they print.
const PRINT_FLAGS: Record<string, Format> = {
  "--json": "process",
  "--env": "env-no-export",
  "--env-export": "env",
};

/** The output mode given, with its value checked, or `undefined` for the default. */
function outputMode(given: GivenOptions): Mode | undefined {
  const name = given.mode?.name;
  if (name === undefined) return undefined;
  if (Object.hasOwn(PRINT_FLAGS, name)) return { kind: "print", format: PRINT_FLAGS[name]! };
  if (name === "--exec") return parseExec(given.rest);
  const value = given.value(name)!;
  switch (name) {
    case "--format":
      if (!isFormat(value)) {
        throw new UsageError(`--format must be one of ${FORMATS.join(", ")}; got '${value}'`);
      }
      return { kind: "print", format: value };
    case "--credentials-file-profile": {
      // Before anything resolves credentials that could then not be written.
      const problem = profileNameProblem(value);
      if (problem) throw new UsageError(problem);
      return { kind: "credentials-file", profile: value };
    }
    case "--imds":
      return { kind: "imds", address: parseHostPort(value) };
    case "--container": {
      const container: Mode = { kind: "container", address: parseHostPort(value) };
      const token = given.word(name);
      if (token !== undefined) container.token = token;
      return container;
    }
  }
  throw new Error(`Output mode ${name} has no meaning`);
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
    const known = optionsOf("aec").flatMap(spellings);
    return resolveOption(word.split("=", 1)[0]!, known, "aec") === "--profile";
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
function resolveOption(name: string, known: readonly string[], command: Command): string {
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
  const unknown = command === "aec"
    ? `Unknown option '${name}'`
    : `Unknown option '${name}' for aec ${command}`;
  throw new UsageError(closest ? `${unknown}; did you mean ${closest}?` : unknown);
}

/**
 * The usage error for a word where `command` takes none: maybe a profile,
 * maybe a command, maybe a habit of aws-vault (`exec dev -- cmd`) or granted
 * (`assume dev`), answered with the aec command line that does it.
 */
function unexpectedWord(command: Command, argv: readonly string[], index: number): UsageError {
  const word = argv[index]!;
  if (command !== "aec") {
    const takesProfile = optionsOf(command).some((spec) => spec.name === "--profile");
    const hint = takesProfile
      ? `; to use profile ${word}, run '${commandLine(["aec", command, "--profile", word])}'`
      : "";
    return new UsageError(`Unexpected argument '${word}' for aec ${command}${hint}`);
  }
  if (index === 0 && word === "exec") return execHabit(argv.slice(1));
  const closest = closestWord(word, SUBCOMMAND_NAMES);
  if (closest) return new UsageError(`Unknown command '${word}'; did you mean 'aec ${closest}'?`);
  // First, it reads as `aec PROFILE [OPTIONS]`: the same with --profile.
  const rest = index === 0 ? argv.slice(1) : [];
  return new UsageError(
    `Unexpected argument '${word}': to use profile ${word}, run ` +
      `'${commandLine(["aec", "--profile", word, ...rest])}' ` +
      `(commands: ${SUBCOMMAND_NAMES.join(", ")})`,
  );
}

/** aws-vault's `exec PROFILE [--] COMMAND [ARGS...]`, answered with aec's. */
function execHabit(words: readonly string[]): UsageError {
  const profile = words[0] !== undefined && !words[0].startsWith("-") ? words[0] : undefined;
  let command = words.slice(profile === undefined ? 0 : 1);
  if (command[0] === "--") command = command.slice(1);
  // Other options of aws-vault's have no place in the line.
  else if (command[0]?.startsWith("-")) command = [];
  const line = commandLine([
    "aec",
    ...(profile === undefined ? [] : ["--profile", profile]),
    "--exec",
    "--",
    ...command,
  ]);
  const placeholder = command.length === 0 ? " COMMAND [ARGS...]" : "";
  const as = profile === undefined ? "with a profile's credentials" : `as profile ${profile}`;
  return new UsageError(
    `Unknown command 'exec'; to run a command ${as}, run '${line}${placeholder}'`,
  );
}

/** `aec help` and `aec help COMMAND`. */
function parseHelp(argv: readonly string[]): Cli {
  const [topic, ...extra] = argv;
  if (topic === undefined || topic === "--help" || topic === "-h") return { kind: "help" };
  if (topic.startsWith("-")) throw new UsageError(`Unknown option '${topic}' for aec help`);
  if (!isSubcommand(topic)) {
    const closest = closestWord(topic, SUBCOMMAND_NAMES);
    throw new UsageError(
      closest
        ? `Unknown command '${topic}'; did you mean 'aec help ${closest}'?`
        : `Unknown command '${topic}' (commands: ${SUBCOMMAND_NAMES.join(", ")})`,
    );
  }
  if (extra[0] !== undefined) {
    throw new UsageError(`Unexpected argument '${extra[0]}' for aec help`);
  }
  return { kind: "help", command: topic };
}

/** `aec login`, `aec logout`, `aec console` and `aec profiles`: only their own options. */
function parseSubcommand(command: Exclude<Subcommand, "help">, argv: readonly string[]): Cli {
  if (command === "keys") return parseKeys(argv);
  if (command === "sso") return parseSso(argv);
  const given = scanOptions(command, argv);
  if (given.has("--help")) return { kind: "help", command };
  const profile = given.value("--profile");
  const debug = given.has("--debug");
  if (command === "pick") return { kind: "pick", options: { debug } };
  if (command === "profiles") {
    return { kind: "profiles", options: { json: given.has("--json"), debug } };
  }
  if (command === "console") {
    const options: ConsoleOptions = {
      stdout: given.has("--stdout"),
      ssoLogin: given.has("--sso-login"),
      noPrompt: given.has("--no-prompt"),
      firefoxContainer: given.has("--firefox-container"),
      viaPortal: given.has("--via-portal"),
      debug,
    };
    if (profile !== undefined) options.profile = profile;
    const region = given.value("--region");
    if (region !== undefined) options.region = region;
    const destination = given.value("--destination");
    if (destination !== undefined) {
      if (!/^https:\/\//i.test(destination) || !URL.canParse(destination)) {
        throw new UsageError(`--destination takes an https:// URL; got '${destination}'`);
      }
      options.destination = destination;
    }
    const duration = given.value("--duration");
    if (duration !== undefined) options.durationSeconds = parseDuration(duration);
    parseConsoleTarget(options, given);
    return { kind: "console", options };
  }
  const ssoSession = given.value("--sso-session");
  if (profile !== undefined && ssoSession !== undefined) {
    throw new UsageError("--profile and --sso-session cannot be used together");
  }
  const all = given.has("--all");
  if (all && (profile !== undefined || ssoSession !== undefined)) {
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
        useDeviceCode: given.has("--use-device-code"),
        noBrowser: given.has("--no-browser"),
      },
    }
    : { kind: "logout", options: { ...named, all } };
}

function isKeysAction(word: string): word is KeysAction {
  return Object.hasOwn(KEYS_ACTIONS, word);
}

/** `aec keys ACTION [PROFILE] [OPTIONS]`. */
function parseKeys(argv: readonly string[]): Cli {
  const [action, ...rest] = argv;
  const help: Cli = { kind: "help", command: "keys" };
  if (action === undefined || action === "--help" || action === "-h") return help;
  if (!isKeysAction(action)) {
    const closest = closestWord(action, KEYS_ACTION_NAMES);
    throw new UsageError(
      `Unknown command 'aec keys ${action}'` +
        (closest
          ? `; did you mean 'aec keys ${closest}'?`
          : `; commands: ${KEYS_ACTION_NAMES.join(", ")}`),
    );
  }
  if (action === CREDENTIAL_PROCESS) {
    // The line's own grammar (lib/keys/hook.ts), the one aec recognises the line by.
    if (rest.includes("--help") || rest.includes("-h")) return help;
    const hook = parseHookArgs(rest.filter((word) => word !== "--debug"));
    return { kind: "keys", options: { action, hook, debug: rest.includes("--debug") } };
  }
  const given = scanOptions(`keys ${action}`, rest);
  if (given.has("--help")) return help;
  const store = given.value("--store");
  if (store !== undefined && !isStoreName(store)) {
    throw new UsageError(`--store takes one of ${STORE_NAMES.join(", ")}; got '${store}'`);
  }
  const common = { debug: given.has("--debug"), ...(store === undefined ? {} : { store }) };
  const { words } = given;
  const profile = (): string => {
    if (words.length === 0) throw new UsageError(`aec keys ${action} needs a profile`);
    if (words.length > 1) {
      throw new UsageError(`aec keys ${action} takes one profile; got ${words.join(", ")}`);
    }
    return words[0]!;
  };
  const session = (): SessionChoice => {
    const duration = given.value("--duration");
    if (!given.has("--no-session")) {
      return duration === undefined
        ? { session: true }
        : { session: true, durationSeconds: parseDuration(duration) };
    }
    if (duration !== undefined) {
      throw new UsageError("--no-session and --duration cannot be used together");
    }
    return { session: false };
  };
  const verify = !given.has("--no-verify");
  switch (action) {
    case "add": {
      const options = { ...common, profile: profile(), stdin: given.has("--stdin"), verify };
      return { kind: "keys", options: { action, ...options, ...session() } };
    }
    case "list":
      if (words.length > 0) throw new UsageError("aec keys list takes no profile");
      return { kind: "keys", options: { action, ...common, json: given.has("--json") } };
    case "remove": {
      const options = { ...common, profile: profile(), force: given.has("--force") };
      return { kind: "keys", options: { action, ...options } };
    }
    case "migrate": {
      if (given.has("--all") && words.length > 0) {
        throw new UsageError("aec keys migrate takes a profile or --all, not both");
      }
      const named = given.has("--all") ? {} : { profile: profile() };
      return { kind: "keys", options: { action, ...common, ...named, verify, ...session() } };
    }
    case "rotate":
      return { kind: "keys", options: { action, ...common, profile: profile() } };
  }
}

/** The commands of `aec sso`, with what each does (for the completions). */
export const SSO_COMMANDS = {
  roles: "List the accounts and roles the sso-session may use",
  populate: "Write a profile for each account and role into the config file",
} as const;
const SSO_COMMAND_NAMES = Object.keys(SSO_COMMANDS);
/** The options only populate takes. */
const POPULATE_OPTIONS = ["--template", "--region", "--prune", "--dry-run"];

/** `aec sso roles` and `aec sso populate`: the command's word first, then options. */
function parseSso(argv: readonly string[]): Cli {
  const [action, ...rest] = argv;
  if (action === "--help" || action === "-h") return { kind: "help", command: "sso" };
  if (action === undefined || !Object.hasOwn(SSO_COMMANDS, action)) {
    const closest = action === undefined ? undefined : closestWord(action, SSO_COMMAND_NAMES);
    throw new UsageError(
      closest
        ? `Unknown command 'aec sso ${action}'; did you mean 'aec sso ${closest}'?`
        : `aec sso takes a command first: ${SSO_COMMAND_NAMES.join(" or ")}`,
    );
  }
  const given = scanOptions("sso", rest);
  if (given.has("--help")) return { kind: "help", command: "sso" };
  const wrong = action === "roles"
    ? POPULATE_OPTIONS.find((name) => given.has(name))
    : given.has("--json")
    ? "--json"
    : undefined;
  if (wrong !== undefined) {
    throw new UsageError(
      `${wrong} works only with aec sso ${action === "roles" ? "populate" : "roles"}`,
    );
  }
  const ssoSession = given.value("--sso-session");
  const common = {
    ...(ssoSession === undefined ? {} : { ssoSession }),
    ssoLogin: given.has("--sso-login"),
    debug: given.has("--debug"),
  };
  if (action === "roles") {
    return { kind: "sso-roles", options: { ...common, json: given.has("--json") } };
  }
  const template = given.value("--template");
  return {
    kind: "sso-populate",
    options: {
      ...common,
      ...(template === undefined ? {} : { template }),
      regions: given.values("--region"),
      prune: given.has("--prune"),
      dryRun: given.has("--dry-run"),
    },
  };
}

const EXIT_CODES = `Exit codes: 0 success, 2 usage error or no credentials, 3 credential error,
126/127 command not runnable/not found, 130 interrupted while waiting for you,
otherwise the command's own code.
`;

/** The help of aec (`aec --help`), or of one of its commands (`aec console --help`). */
export function helpText(command?: Subcommand): string {
  if (command === "keys") return keysHelp();
  if (command !== undefined) {
    const options = optionsOf(command);
    const title = `aec ${command}: ${lowerFirst(SUBCOMMANDS[command])}`;
    const usage = command === "help" ? "  aec help [COMMAND]" : wrap(
      command === "sso" ? "aec sso roles|populate" : `aec ${command}`,
      options.map((spec) => `[${label(spec, false)}]`),
    );
    return `${title}\n\nUsage:\n${usage}\n\nOptions:\n${optionLines(options, 2)}`;
  }
  const own = optionsOf("aec");
  const sections = Object.entries(SECTIONS).map(([key, heading]) => {
    const options = own.filter((spec) => (spec.section ?? "other") === key);
    return `${heading}:\n${optionLines(options, 2)}`;
  });
  const commands = SUBCOMMAND_NAMES.map((name) => {
    const options = optionsOf(name).filter((spec) => !spec.commands.includes("aec"));
    return entry(name, SUBCOMMANDS[name], 2) + optionLines(options, 4);
  });
  return `aec: get AWS credentials from a profile and inject them into other programs

Usage:
  aec [--profile NAME] [OUTPUT] [OPTIONS]
  aec [--profile NAME] [OPTIONS] --exec [[--] COMMAND [ARGS...]]
  aec COMMAND [OPTIONS]    (aec help COMMAND prints its options)

${sections.join("\n")}
Commands:
${commands.join("")}
${EXIT_CODES}`;
}

/** `aec help keys`: each action's usage, what it does, then the options. */
function keysHelp(): string {
  const usage = KEYS_ACTION_NAMES.map((action) => {
    const words = KEYS_WORDS[action];
    const options = optionsOf(`keys ${action}`).filter((spec) =>
      !["--all", "--debug", "--help"].includes(spec.name)
    );
    return wrap(
      `aec keys ${action}${words ? ` ${words}` : ""}`,
      options.map((spec) => `[${label(spec, false)}]`),
    );
  });
  const actions = KEYS_ACTION_NAMES.map((action) => entry(action, KEYS_ACTIONS[action], 2));
  return `aec keys: ${lowerFirst(SUBCOMMANDS.keys)}

Usage:
${usage.join("\n")}

Commands:
${actions.join("")}
Options:
${optionLines(optionsOf("keys"), 2)}
The store: --store, else $AEC_KEY_STORE, else the profile's or [default]'s aec_key_store
setting, else the system's own (keychain, wincred or secret-service). The file store's
passphrase comes from the terminal or $AEC_KEY_STORE_PASSPHRASE.
`;
}

/** How the help shows an option: `-c, --credentials-file-profile NAME`. */
function label(spec: OptionSpec, aliases = true): string {
  const names = aliases ? spellings(spec).join(", ") : spec.name;
  return spec.value ? `${names} ${spec.value.placeholder}` : names;
}

function optionLines(options: readonly OptionSpec[], indent: number): string {
  return options.map((spec) => entry(label(spec), spec.help, indent)).join("");
}

const HELP_COLUMN = 24;

/** One entry of the help: its name, and its text in the help column (on a line of its own if need be). */
function entry(name: string, text: string, indent: number): string {
  const head = " ".repeat(indent) + name;
  return head.length + 2 <= HELP_COLUMN
    ? `${head.padEnd(HELP_COLUMN)}${text}\n`
    : `${head}\n${" ".repeat(HELP_COLUMN)}${text}\n`;
}

/** `start` and the words after it, in lines of at most 100 columns, continued under the words. */
function wrap(start: string, words: readonly string[]): string {
  const indent = " ".repeat(2 + start.length + 1);
  const lines = [`  ${start}`];
  for (const word of words) {
    const line = lines.at(-1)!;
    if (line.length + 1 + word.length > 100 && line !== indent) lines.push(indent + word);
    else lines[lines.length - 1] = line === indent ? line + word : `${line} ${word}`;
  }
  return lines.join("\n");
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** `aec console`'s page (`--service`) and browser options, checked against the others. */
function parseConsoleTarget(options: ConsoleOptions, given: GivenOptions): void {
  const service = given.value("--service");
  if (service !== undefined) {
    if (options.destination !== undefined) {
      throw new UsageError("--service and --destination cannot be used together");
    }
    const problem = serviceProblem(service);
    if (problem) throw new UsageError(problem);
    options.service = service;
  }
  for (const flag of ["--browser", "--browser-profile"] as const) {
    const value = given.value(flag);
    if (value === undefined) continue;
    if (options.stdout) {
      throw new UsageError(`${flag} cannot be used with --stdout, which opens nothing`);
    }
    if (flag === "--browser") options.browser = value;
    else options.browserProfile = value;
  }
  if (options.viaPortal && options.durationSeconds !== undefined) {
    throw new UsageError(
      "--duration cannot be used with --via-portal: the permission set decides the session length",
    );
  }
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

function parseCacheOptions(given: GivenOptions): CacheOptions | undefined {
  const path = given.value("--cache-file");
  if (path !== undefined && given.has("--cache")) {
    throw new UsageError("--cache and --cache-file cannot be used together");
  }
  const buffer = given.value("--cache-expiration-buffer");
  // Python's int(), which aws-export-credentials read it with, takes a sign.
  if (buffer !== undefined && !/^\+?\d+$/.test(buffer)) {
    throw new UsageError(`--cache-expiration-buffer takes whole minutes; got '${buffer}'`);
  }
  if (path === undefined && !given.has("--cache")) return undefined;
  const cache: CacheOptions = {
    bufferMinutes: buffer === undefined ? DEFAULT_CACHE_BUFFER_MINUTES : Number(buffer),
  };
  if (path !== undefined) cache.path = path;
  return cache;
}

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
