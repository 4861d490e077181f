/**
 * `aec pick`: a fuzzy list of the profiles, drawn on the terminal device so
 * that `$(aec pick)` captures only the chosen name. It matches the profile
 * name, the account id, the role and the SSO session, and shows what
 * `aec profiles` knows of the rows in view (from local files only).
 *
 * @module
 */

import {
  type Choice,
  closeTerminal,
  openTerminal,
  rankChoices,
  type Terminal,
  withRawMode,
} from "../ui/mod.ts";
import { ExitCode, hasControlCharacter, type Logger, UsageError } from "../support/mod.ts";
import { accountNameOf } from "../sso/mod.ts";
import { indexProfiles, kindOf, type ProfileSummary, summarizeProfile } from "./summary.ts";

type Env = Readonly<Record<string, string | undefined>>;
type Settings = Readonly<Record<string, string | undefined>>;

export interface PickChoice extends Choice {
  kind: string;
  /** The account id, and its name when `aec sso populate` wrote the profile. */
  account: string;
  role: string;
}

// arn:PARTITION:iam::ACCOUNT:role/PATH/NAME
const ROLE_ARN = /^arn:[^:]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

/** What a profile can be found by: its name, account id and name, role and SSO session. */
export function pickChoice(name: string, settings: Settings): PickChoice {
  const fromArn = settings.role_arn ? ROLE_ARN.exec(settings.role_arn.trim()) : null;
  const account = fromArn?.[1] ?? settings.sso_account_id ?? "";
  const accountName = accountNameOf(settings) ?? "";
  const role = fromArn?.[2] ?? settings.sso_role_name ?? "";
  const session = settings.sso_session ?? settings.sso_start_url ?? "";
  return {
    name,
    fields: [name, account, accountName, role, session].filter((field) => field !== ""),
    kind: kindOf(settings),
    account: [account, accountName].filter((field) => field !== "").join(" "),
    role,
  };
}

/** The rows the list shows at most, fewer on a short terminal. */
const MAX_ROWS = 10;

interface View {
  query: string;
  matches: PickChoice[];
  /** The query `matches` was ranked for. */
  ranked: string;
  selected: number;
  /** The index of the first match in view. */
  top: number;
}

/** Runs the picker; the chosen profile's name goes to stdout. Esc or Ctrl-C: 130, nothing printed. */
export async function runPick(env: Env, log: Logger): Promise<number> {
  const terminal = openTerminal();
  if (terminal === undefined || !terminal.input.isTerminal()) {
    if (terminal) closeTerminal(terminal);
    throw new UsageError(
      "aec pick needs a terminal to show the list on; 'aec profiles' lists them for scripts",
    );
  }
  const index = await indexProfiles(env);
  const choices = Object.keys(index.profiles).map((name) =>
    pickChoice(name, index.profiles[name]!)
  );
  log.debug(`aec pick: ${choices.length} profiles`);
  const states = new Map<string, Promise<ProfileSummary>>();
  const stateOf = (name: string) => {
    let state = states.get(name);
    if (state === undefined) {
      state = summarizeProfile(index, name, env, log);
      states.set(name, state);
    }
    return state;
  };
  const chosen = await withRawTerminal(
    terminal,
    (keys) => interact(terminal, keys, choices, stateOf, env),
  );
  if (chosen === undefined) return ExitCode.interrupted;
  await Deno.stdout.write(new TextEncoder().encode(`${chosen}\n`));
  return ExitCode.ok;
}

/** Runs `body` with the terminal in raw mode, then puts it back and closes it. */
async function withRawTerminal<T>(
  terminal: Terminal,
  body: (keys: AsyncIterable<string[]>) => Promise<T>,
): Promise<T> {
  try {
    return await withRawMode(terminal, () => body(readKeys(terminal.input)));
  } finally {
    closeTerminal(terminal);
  }
}

/**
 * The keys typed, as they arrive: each a character or a whole escape
 * sequence, in batches, so that a paste or fast typing redraws once.
 */
async function* readKeys(input: Deno.FsFile): AsyncIterable<string[]> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(1024);
  for (;;) {
    const n = await input.read(buffer);
    if (n === null) return;
    const text = decoder.decode(buffer.subarray(0, n), { stream: true });
    // ESC [ X and ESC O X are arrow keys; an ESC before anything else is Esc itself.
    // deno-lint-ignore no-control-regex
    yield Array.from(text.matchAll(/\x1b(?:[[O][0-9;]*[A-Za-z~])?|[^]/gu), (match) => match[0]);
  }
}

const KEY = {
  enter: new Set(["\r", "\n"]),
  cancel: new Set(["\x1b", "\x03", "\x07"]),
  up: new Set(["\x1b[A", "\x1bOA", "\x10", "\x0b"]),
  down: new Set(["\x1b[B", "\x1bOB", "\x0e", "\t"]),
  backspace: new Set(["\x7f", "\x08"]),
  clear: "\x15",
  deleteWord: "\x17",
};

/** The list until Enter (the chosen name) or Esc/Ctrl-C (`undefined`). */
async function interact(
  terminal: Terminal,
  keys: AsyncIterable<string[]>,
  choices: readonly PickChoice[],
  stateOf: (name: string) => Promise<ProfileSummary>,
  env: Env,
): Promise<string | undefined> {
  const view: View = { query: "", matches: [...choices], ranked: "", selected: 0, top: 0 };
  const screen = new Screen(terminal.output, env);
  await screen.draw(view, stateOf);
  try {
    for await (const batch of keys) {
      const before = { query: view.query, selected: view.selected };
      for (const key of batch) {
        if (KEY.enter.has(key)) {
          const chosen = rankedView(view, choices).matches[view.selected];
          if (chosen) return chosen.name;
        } else if (KEY.cancel.has(key)) {
          return undefined;
        } else if (KEY.up.has(key)) {
          view.selected = Math.max(0, view.selected - 1);
        } else if (KEY.down.has(key)) {
          const last = rankedView(view, choices).matches.length - 1;
          view.selected = Math.max(0, Math.min(last, view.selected + 1));
        } else {
          const query = edit(view.query, key);
          if (query !== view.query) {
            view.query = query;
            view.selected = 0;
          }
        }
      }
      if (view.query === before.query && view.selected === before.selected) continue;
      await screen.draw(rankedView(view, choices), stateOf);
    }
    return undefined; // The terminal closed.
  } finally {
    await screen.clear();
  }
}

/** `view` with its matches ranked for its query (ranked again only when the query changed). */
function rankedView(view: View, choices: readonly PickChoice[]): View {
  if (view.ranked !== view.query) {
    view.matches = rankChoices(choices, view.query);
    view.ranked = view.query;
  }
  return view;
}

/** The query after `key`: a character typed, or an edit (backspace, Ctrl-U, Ctrl-W). */
function edit(query: string, key: string): string {
  if (KEY.backspace.has(key)) return Array.from(query).slice(0, -1).join("");
  if (key === KEY.clear) return "";
  if (key === KEY.deleteWord) return query.replace(/\S*\s*$/, "");
  // Other control keys and unknown escape sequences are not text.
  return hasControlCharacter(key) ? query : query + key;
}

const encoder = new TextEncoder();

/** The picker's lines on the terminal: a prompt line, then the rows in view. */
class Screen {
  #output: Deno.FsFile;
  #plain: boolean;

  constructor(output: Deno.FsFile, env: Env) {
    this.#output = output;
    // NO_COLOR, or a terminal that cannot do reverse video: mark the row with '>' alone.
    this.#plain = env.NO_COLOR !== undefined && env.NO_COLOR !== "" || env.TERM === "dumb";
  }

  async draw(view: View, stateOf: (name: string) => Promise<ProfileSummary>): Promise<void> {
    const { columns, rows } = terminalSize();
    const room = Math.max(1, Math.min(MAX_ROWS, rows - 2));
    if (view.selected < view.top) view.top = view.selected;
    if (view.selected >= view.top + room) view.top = view.selected - room + 1;
    const shown = view.matches.slice(view.top, view.top + room);
    const states = await Promise.all(shown.map((choice) => stateOf(choice.name)));
    const width = (pick: (choice: PickChoice) => string) =>
      Math.min(40, Math.max(0, ...shown.map((choice) => pick(choice).length)));
    const nameWidth = width((choice) => choice.name);
    const accountWidth = width((choice) => choice.account);
    const roleWidth = width((choice) => choice.role);
    const lines = shown.map((choice, i) => {
      const summary = states[i]!;
      const state = summary.problem
        ? "broken"
        : summary.validUntil
        ? `${summary.state}, until ${summary.validUntil}`
        : summary.state;
      const text = safe(fit(
        [
          choice.name.padEnd(nameWidth),
          choice.kind.padEnd(12),
          choice.account.padEnd(accountWidth),
          choice.role.padEnd(roleWidth),
          state,
        ].join("  "),
        columns - 3,
      ));
      const selected = view.top + i === view.selected;
      if (!selected) return `  ${text}`;
      return this.#plain ? `> ${text}` : `\x1b[7m> ${text}\x1b[0m`;
    });
    const prompt = safe(fit(`profile> ${view.query}`, columns - 1));
    const footer = fit(
      `  ${view.matches.length} match${view.matches.length === 1 ? "" : "es"}; ` +
        "Enter picks, Esc cancels",
      columns - 1,
    );
    const below = [...lines, footer];
    let out = "\r\x1b[J" + prompt;
    for (const line of below) out += "\r\n" + line;
    // Back to the end of the prompt line, where the user types.
    out += `\x1b[${below.length}A\r\x1b[${Array.from(prompt).length}C`;
    await this.#write(out);
  }

  async clear(): Promise<void> {
    await this.#write("\r\x1b[J");
  }

  async #write(text: string): Promise<void> {
    const bytes = encoder.encode(text);
    for (let written = 0; written < bytes.length;) {
      written += await this.#output.write(bytes.subarray(written));
    }
  }
}

/** `text` cut to `columns` characters. */
function fit(text: string, columns: number): string {
  const chars = Array.from(text);
  return chars.length <= columns ? text : chars.slice(0, Math.max(0, columns - 1)).join("") + "…";
}

/**
 * `text` with a `?` for each control character (C0, C1, DEL) or bidi
 * override, which a profile name could use to write on the terminal.
 */
function safe(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, "?");
}

/** The terminal's size; 80x24 where it tells none (a pseudo-terminal nobody sized says 0x0). */
function terminalSize(): { columns: number; rows: number } {
  try {
    const { columns, rows } = Deno.consoleSize();
    return { columns: columns || 80, rows: rows || 24 };
  } catch {
    return { columns: 80, rows: 24 };
  }
}
