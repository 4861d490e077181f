/**
 * What `aec sso populate` writes: one `[profile …]` per account and role of an
 * sso-session, named by a template, and what becomes of the profiles an
 * earlier run wrote. Pure: the listing and the config file's text in, the
 * edits of the config file out (see `updateSections`).
 *
 * - Names are the template with its fields filled in. Both readers accept
 *   only some characters in a config file's `[profile NAME]` (the SDK:
 *   letters, digits and `_-@+.%:/`), so in each field accents are dropped and
 *   every run of other characters (spaces, `#`, `;`, `[`, …) becomes `-`,
 *   `%` included; a field is cut to 64 characters.
 * - A name another profile holds (one aec did not write for this session, one
 *   in the credentials file, `default`), or another account's profile of the
 *   same run holds, gets `-ACCOUNT_ID` appended. Among accounts of the same
 *   name, the profile an earlier run wrote keeps its name; on a first run, the
 *   lowest account id keeps the plain name.
 * - Each profile is marked as aec's (`aec_generated = sso-populate`) and
 *   carries the account's name (`aec_account_name`, with the characters the
 *   readers would not read back percent-encoded).
 *
 * @module
 */

import {
  allProfiles,
  type AwsFileTexts,
  profileNameProblem,
  type Profiles,
  type SectionEdit,
} from "../config/mod.ts";
import { printableName, UsageError } from "../support/mod.ts";
import type { PortalAccount } from "./portal.ts";
import { ACCOUNT_NAME_KEY } from "./account_name.ts";

/** The setting that marks a profile as written by `aec sso populate`. */
export const GENERATED_KEY = "aec_generated";
export const GENERATED_BY = "sso-populate";
export const DEFAULT_TEMPLATE = "{account_name}.{role_name}";

const FIELDS = ["account_id", "account_name", "role_name", "sso_session"] as const;
type Field = typeof FIELDS[number];
// What a name may hold: the characters the SDK reads in `[profile NAME]`, but `%`.
const NAME_CHARACTERS = /^[A-Za-z0-9_.@+:/-]*$/;
const OTHER_CHARACTERS = /[^A-Za-z0-9_.@+:/-]+/g;
const MAX_FIELD_LENGTH = 64;
const REGION = /^[a-z0-9]+(-[a-z0-9]+)+$/;

/** A parsed `--template`: literal text and fields, in order. */
export type Template = readonly ({ text: string } | { field: Field })[];

/**
 * Parses `--template`.
 *
 * @throws {UsageError} for an unknown field, a character no profile name may
 * hold, or a template without `{role_name}` and an account field, whose
 * names would collide.
 */
export function parseTemplate(text: string): Template {
  const parts: ({ text: string } | { field: Field })[] = [];
  for (const match of text.matchAll(/\{([^{}]*)\}|[^{}]+|[{}]/g)) {
    const [whole, field] = match;
    if (field !== undefined) {
      if (!(FIELDS as readonly string[]).includes(field)) {
        throw new UsageError(
          `--template has an unknown field {${field}}; the fields are ` +
            FIELDS.map((name) => `{${name}}`).join(", "),
        );
      }
      parts.push({ field: field as Field });
    } else if (!NAME_CHARACTERS.test(whole)) {
      throw new UsageError(
        `--template may hold only letters, digits and _.@+:/- besides its fields; got '${text}'`,
      );
    } else {
      parts.push({ text: whole });
    }
  }
  const has = (field: Field) => parts.some((part) => "field" in part && part.field === field);
  if (!has("role_name") || !(has("account_id") || has("account_name"))) {
    throw new UsageError(
      "--template needs {role_name} and {account_name} or {account_id}, so that every " +
        "account and role gets a name of its own",
    );
  }
  return parts;
}

/** A `--region` rule: the region of the accounts whose name or id match, or of all. */
export interface RegionRule {
  /** A pattern with `*` and `?`; absent for the region of every other account. */
  pattern?: string;
  region: string;
}

/**
 * Parses a `--region` value: `REGION`, or `PATTERN=REGION`.
 *
 * @throws {UsageError} for a malformed region or an empty pattern.
 */
export function parseRegionRule(text: string): RegionRule {
  const equals = text.lastIndexOf("=");
  const region = text.slice(equals + 1);
  if (!REGION.test(region)) {
    throw new UsageError(
      `--region takes REGION or PATTERN=REGION, such as eu-west-1 or 'prod-*=eu-west-1'; ` +
        `got '${text}'`,
    );
  }
  if (equals === -1) return { region };
  const pattern = text.slice(0, equals);
  if (pattern === "") throw new UsageError(`--region has an empty pattern in '${text}'`);
  return { pattern, region };
}

/**
 * The region of `account`: the first rule whose pattern matches its name or
 * id (the whole of it; `*` any text, `?` one character), else the rule
 * without a pattern, else none.
 */
export function regionOf(
  account: { id: string; name: string },
  rules: readonly RegionRule[],
): string | undefined {
  const matching = rules.find((rule) =>
    rule.pattern !== undefined &&
    [account.name, account.id].some((value) => globMatches(rule.pattern!, value))
  );
  return (matching ?? rules.find((rule) => rule.pattern === undefined))?.region;
}

function globMatches(pattern: string, value: string): boolean {
  const source = Array.from(
    pattern,
    (char) => char === "*" ? ".*" : char === "?" ? "." : char.replace(/[\\^$.|+()[\]{}]/g, "\\$&"),
  ).join("");
  return new RegExp(`^${source}$`, "su").test(value);
}

/** A field's value as a profile name may hold it (see the module's documentation). */
export function sanitizeField(value: string): string {
  const plain = value.normalize("NFKD").replace(/\p{M}/gu, "").replace(OTHER_CHARACTERS, "-");
  return Array.from(plain.replace(/^-+|-+$/g, "")).slice(0, MAX_FIELD_LENGTH).join("")
    .replace(/-+$/, "");
}

function render(template: Template, values: Record<Field, string>): string {
  return template.map((part) => "text" in part ? part.text : sanitizeField(values[part.field]))
    .join("");
}

// Characters the readers would not read back in a value: `%` (the escape), the
// comment characters, control characters and line separators.
const VALUE_ESCAPED = /[%#;\p{Cc}\p{Zl}\p{Zp}]/gu;
// Whitespace either reader trims at the ends of a value (Python's isspace() has the C0 separators).
// deno-lint-ignore no-control-regex
const EDGE_SPACE = /^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/gu;

/** An account's name as a setting's value that both readers read back unchanged. */
export function encodeAccountName(name: string): string {
  return name.replace(VALUE_ESCAPED, encodeURIComponent).replace(
    EDGE_SPACE,
    (space) => Array.from(space, encodeURIComponent).join(""),
  );
}

export interface PopulateRequest {
  session: string;
  accounts: readonly PortalAccount[];
  template: Template;
  regions: readonly RegionRule[];
  prune: boolean;
}

/** The edits of the config file, and what they do. */
export interface PopulatePlan {
  edits: Map<string, SectionEdit>;
  /** The profiles written new, updated, and left as they were, by name. */
  added: string[];
  updated: string[];
  unchanged: string[];
  /** aec's profiles of the session no account and role has any more: removed with `prune`. */
  stale: string[];
  /** Which profiles' names got a suffix, and why. */
  notes: { name: string; text: string }[];
}

/** One account and role, and the profile it gets. */
interface Assignment {
  account: PortalAccount;
  role: string;
  plain: string;
  name?: string;
}

/**
 * The edits that give every account and role of `request` its profile in the
 * config file `files.config`.
 *
 * @throws {UsageError} when an account and role can get no name (its name
 * and the suffixed one are both taken).
 */
export function planPopulate(request: PopulateRequest, files: AwsFileTexts): PopulatePlan {
  const { session } = request;
  const config = allProfiles({ config: files.config, credentials: "" }).profiles;
  const credentials = allProfiles({ config: "", credentials: files.credentials }).profiles;
  const ours = new Map<string, Profiles[string]>();
  for (const [name, settings] of Object.entries(config)) {
    if (settings[GENERATED_KEY] === GENERATED_BY && settings.sso_session === session) {
      ours.set(name, settings);
    }
  }
  const pairOf = (settings: Profiles[string]) =>
    `${settings.sso_account_id ?? ""}/${settings.sso_role_name ?? ""}`;
  // What an earlier run named each account and role.
  const earlier = new Map<string, Set<string>>();
  for (const [name, settings] of ours) {
    const pair = pairOf(settings);
    earlier.set(pair, new Set([...earlier.get(pair) ?? [], name]));
  }
  const takenBy = (name: string): string | undefined => {
    if (Object.hasOwn(credentials, name)) return "a profile of the credentials file";
    if (Object.hasOwn(config, name) && !ours.has(name)) return "a profile aec did not write";
    if (name === "default" || profileNameProblem(name, "config")) return "a name aec cannot use";
    return undefined;
  };

  const byId = request.accounts.toSorted((a, b) => compare(a.id, b.id));
  const assignments: Assignment[] = byId.flatMap((account) =>
    account.roles.map((role) => ({
      account,
      role,
      plain: render(request.template, {
        account_id: account.id,
        // An account without a name is named by its id.
        account_name: sanitizeField(account.name) === "" ? account.id : account.name,
        role_name: role,
        sso_session: session,
      }),
    }))
  );
  const claimed = new Map<string, Assignment>();
  const suffixed = (assignment: Assignment) => `${assignment.plain}-${assignment.account.id}`;
  // First the names earlier runs gave, then the plain names by account id, then suffixes.
  for (const assignment of assignments) {
    const had = earlier.get(`${assignment.account.id}/${assignment.role}`);
    const name = [assignment.plain, suffixed(assignment)].find((name) => had?.has(name));
    if (name !== undefined && !claimed.has(name) && takenBy(name) === undefined) {
      assignment.name = name;
      claimed.set(name, assignment);
    }
  }
  const notes: PopulatePlan["notes"] = [];
  for (const assignment of assignments) {
    if (assignment.name !== undefined) continue;
    const { plain, account, role } = assignment;
    const holder = claimed.get(plain);
    const taken = holder ? `account ${holder.account.id}'s` : takenBy(plain);
    const name = taken === undefined ? plain : suffixed(assignment);
    if (claimed.has(name) || (name !== plain && takenBy(name) !== undefined)) {
      throw new UsageError(
        `Account ${account.id} role ${role} can get no profile name: ${plain} and ${name} ` +
          "are both taken; choose a --template with {account_id}",
      );
    }
    if (taken !== undefined) {
      notes.push({
        name,
        text: `account ${account.id} (${printableName(account.name)}) role ${role} is profile ` +
          `${name}: ${plain} is ${taken}`,
      });
    }
    assignment.name = name;
    claimed.set(name, assignment);
  }

  const plan: PopulatePlan = {
    edits: new Map(),
    added: [],
    updated: [],
    unchanged: [],
    stale: [],
    notes,
  };
  const sorted = assignments.toSorted((a, b) => compare(a.name!, b.name!));
  for (const { name, account, role } of sorted) {
    const region = regionOf(account, request.regions);
    const set: Record<string, string> = {
      sso_session: session,
      sso_account_id: account.id,
      sso_role_name: role,
      ...(region === undefined ? {} : { region }),
      ...(account.name === "" ? {} : { [ACCOUNT_NAME_KEY]: encodeAccountName(account.name) }),
      [GENERATED_KEY]: GENERATED_BY,
    };
    const remove = account.name === "" ? [ACCOUNT_NAME_KEY] : [];
    const existing = ours.get(name!);
    plan.edits.set(name!, { set, remove });
    if (existing === undefined) plan.added.push(name!);
    else if (isUnchanged(existing, set, remove)) plan.unchanged.push(name!);
    else plan.updated.push(name!);
  }
  for (const name of ours.keys()) {
    if (claimed.has(name)) continue;
    plan.stale.push(name);
    if (request.prune) plan.edits.set(name, { delete: true });
  }
  return plan;
}

function isUnchanged(
  existing: Profiles[string],
  set: Record<string, string>,
  remove: readonly string[],
): boolean {
  return Object.entries(set).every(([key, value]) => existing[key] === value) &&
    remove.every((key) => existing[key] === undefined);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
