/** The command line of `aec keys`: its words in, a typed command out, or a UsageError. */

import { parseDuration } from "../cli.ts";
import { UsageError } from "../errors.ts";
import { closestWord } from "../suggest.ts";
import { CREDENTIAL_PROCESS, type KeysHook, parseHookArgs } from "./hook.ts";
import { isStoreName, STORE_NAMES, type StoreName } from "./store.ts";

/** How the profile's line hands out its keys: a session of this length, or the keys. */
export interface SessionChoice {
  session: boolean;
  durationSeconds?: number;
}

interface Common {
  /** `--store`. */
  store?: StoreName;
  debug: boolean;
}

export type KeysCommand =
  | { action: "help" }
  | Common & { action: "add"; profile: string; stdin: boolean; verify: boolean } & SessionChoice
  | Common & { action: "list"; json: boolean }
  | Common & { action: "remove"; profile: string; force: boolean }
  | Common & { action: "migrate"; profile: string | "--all"; verify: boolean } & SessionChoice
  | Common & { action: "rotate"; profile: string }
  | { action: typeof CREDENTIAL_PROCESS; hook: KeysHook; debug: boolean };

const ACTIONS = {
  add: { values: ["--store", "--duration"], flags: ["--stdin", "--no-verify", "--no-session"] },
  list: { values: ["--store"], flags: ["--json"] },
  remove: { values: ["--store"], flags: ["--force"] },
  migrate: { values: ["--store", "--duration"], flags: ["--all", "--no-verify", "--no-session"] },
  rotate: { values: ["--store"], flags: [] },
} as const;
type Action = keyof typeof ACTIONS;

export const KEYS_USAGE =
  `aec keys: long-term keys in the OS's secret store instead of ~/.aws/credentials

Usage:
  aec keys add PROFILE [--stdin] [--no-verify] [--no-session | --duration DURATION]
  aec keys migrate (PROFILE | --all) [--no-verify] [--no-session | --duration DURATION]
  aec keys list [--json]
  aec keys remove PROFILE [--force]
  aec keys rotate PROFILE
  aec keys credential-process [--store STORE] [--no-session | --duration SECONDS] PROFILE

  add                   Store keys typed on the terminal (the secret hidden), check them with STS
                        GetCallerIdentity, and make PROFILE read them through credential_process
    --stdin             Read the access key id and the secret as two lines of stdin
    --no-verify         Store them without asking STS
  migrate               Move PROFILE's keys (or every profile's, --all) out of the credentials file
  list                  The stored profiles, their access key ids and the store (no secrets)
  remove                Delete PROFILE's keys from the store (asks first, unless --force)
  rotate                Create a new access key with IAM, check and store it, delete the old one
  credential-process    What PROFILE's credential_process line runs: a session, cached, or the keys

Options:
  --store STORE         ${STORE_NAMES.join(", ")}
                        (default: $AEC_KEY_STORE, the profile's or [default]'s aec_key_store
                        setting, else the system's own: keychain, wincred or secret-service)
  --no-session          Hand out the long-term keys instead of a session (for IAM calls, say)
  --duration DURATION   Length of the sessions handed out: 3600, 90m, 12h (default 8h)
  --debug               Explain on stderr what aec does (secrets are redacted)

The file store's passphrase comes from the terminal or $AEC_KEY_STORE_PASSPHRASE.
`;

/** Parses the words after `aec keys`. */
export function parseKeysArgs(argv: readonly string[]): KeysCommand {
  const [action, ...rest] = argv;
  if (action === undefined || action === "--help" || action === "-h") return { action: "help" };
  if (action === CREDENTIAL_PROCESS) {
    const debug = rest.includes("--debug");
    if (rest.includes("--help") || rest.includes("-h")) return { action: "help" };
    return { action, hook: parseHookArgs(rest.filter((word) => word !== "--debug")), debug };
  }
  if (!Object.hasOwn(ACTIONS, action)) {
    const actions = [...Object.keys(ACTIONS), CREDENTIAL_PROCESS];
    const closest = closestWord(action, actions);
    throw new UsageError(
      `Unknown command 'aec keys ${action}'` +
        (closest ? `; did you mean 'aec keys ${closest}'?` : `; commands: ${actions.join(", ")}`),
    );
  }
  const parsed = parseOptions(action as Action, rest);
  if (parsed === undefined) return { action: "help" };
  const { values, flags, words } = parsed;
  const common: Common = { debug: flags.has("--debug") };
  const store = values["--store"];
  if (store !== undefined) {
    if (!isStoreName(store)) {
      throw new UsageError(`--store takes one of ${STORE_NAMES.join(", ")}; got '${store}'`);
    }
    common.store = store;
  }
  const session = (): SessionChoice => {
    const duration = values["--duration"];
    if (flags.has("--no-session")) {
      if (duration !== undefined) {
        throw new UsageError("--no-session and --duration cannot be used together");
      }
      return { session: false };
    }
    return duration === undefined
      ? { session: true }
      : { session: true, durationSeconds: parseDuration(duration) };
  };
  const profile = (): string => {
    if (words.length === 0) throw new UsageError(`aec keys ${action} needs a profile`);
    if (words.length > 1) {
      throw new UsageError(`aec keys ${action} takes one profile; got ${words.join(", ")}`);
    }
    return words[0]!;
  };
  switch (action as Action) {
    case "add":
      return {
        action: "add",
        ...common,
        profile: profile(),
        stdin: flags.has("--stdin"),
        verify: !flags.has("--no-verify"),
        ...session(),
      };
    case "list":
      if (words.length > 0) throw new UsageError("aec keys list takes no profile");
      return { action: "list", ...common, json: flags.has("--json") };
    case "remove":
      return { action: "remove", ...common, profile: profile(), force: flags.has("--force") };
    case "migrate": {
      if (flags.has("--all") && words.length > 0) {
        throw new UsageError("aec keys migrate takes a profile or --all, not both");
      }
      return {
        action: "migrate",
        ...common,
        profile: flags.has("--all") ? "--all" : profile(),
        verify: !flags.has("--no-verify"),
        ...session(),
      };
    }
    case "rotate":
      return { action: "rotate", ...common, profile: profile() };
  }
}

/** An action's options and its other words; `undefined` for `--help`. */
function parseOptions(action: Action, argv: readonly string[]) {
  const spec = ACTIONS[action];
  const known: string[] = [...spec.values, ...spec.flags, "--debug", "--help", "-h"];
  const values: Record<string, string> = {};
  const flags = new Set<string>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("-") || arg === "-") {
      words.push(arg);
      continue;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (!known.includes(name)) {
      const closest = closestWord(name, known.filter((option) => option.startsWith("--")));
      throw new UsageError(
        `Unknown option '${name}' for aec keys ${action}` +
          (closest ? `; did you mean ${closest}?` : ""),
      );
    }
    if (name === "--help" || name === "-h") return undefined;
    if ((spec.values as readonly string[]).includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith("-"))) {
        throw new UsageError(`${name} needs a value`);
      }
      if (value === "") throw new UsageError(`${name} needs a non-empty value`);
      if (values[name] !== undefined) throw new UsageError(`${name} was given twice`);
      values[name] = value;
    } else if (eq !== -1) {
      throw new UsageError(`${name} does not take a value`);
    } else {
      flags.add(name);
    }
  }
  return { values, flags, words };
}
