/**
 * `aec sso roles` and `aec sso populate`: the accounts and roles an IAM
 * Identity Center session may use, listed, or written into the config file
 * as one profile each (see `sso/populate.ts` for the names and markers).
 *
 * @module
 */

import type { SsoPopulateOptions, SsoRolesOptions } from "./cli.ts";
import {
  allProfiles,
  checkReaderAgreement,
  configFilePath,
  credentialsFilePath,
  IniLayoutError,
  readIfPresent,
  updateSections,
} from "./config/mod.ts";
import { CredentialError, printableName, UsageError } from "./errors.ts";
import { editTextFile } from "./files/mod.ts";
import { type Logger, say, warn } from "./log.ts";
import { noPromptFromEnvironment } from "./prompt/mod.ts";
import {
  DEFAULT_TEMPLATE,
  listAccounts,
  parseRegionRule,
  parseTemplate,
  planPopulate,
  type PopulatePlan,
  type PortalAccount,
  SessionRefusedError,
  signedIn,
  targetOfSession,
} from "./sso/mod.ts";
import type { SsoTarget } from "./sso/token_cache.ts";
import { unifiedDiff } from "./unified_diff.ts";

type Env = Readonly<Record<string, string | undefined>>;

// A token this close to its end could end in the middle of a listing.
const TOKEN_MARGIN_MS = 60_000;

/** `aec sso roles`: the listing, as a table or JSON, for stdout. */
export async function runSsoRoles(
  options: SsoRolesOptions,
  env: Env,
  log: Logger,
): Promise<string> {
  const { accounts } = await listSession(options, env, log);
  if (options.json) {
    return JSON.stringify(
      accounts.map((account) => ({
        accountId: account.id,
        accountName: account.name,
        ...(account.email === undefined ? {} : { emailAddress: account.email }),
        roles: account.roles,
      })),
      null,
      2,
    ) + "\n";
  }
  if (accounts.length === 0) return "The session may use no account\n";
  const rows = [
    ["ACCOUNT", "NAME", "ROLE"],
    ...accounts.flatMap((account) =>
      (account.roles.length > 0 ? account.roles : ["-"]).map((role) => [
        account.id,
        printableName(account.name) || "-",
        role,
      ])
    ),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) =>
    row.map((cell, column) => column === row.length - 1 ? cell : cell.padEnd(widths[column]!))
      .join("  ")
  ).join("\n") + "\n";
}

/**
 * `aec sso populate`: writes the profiles, or with `--dry-run` returns the
 * unified diff of what it would write (for stdout); says what changed on stderr.
 */
export async function runSsoPopulate(
  options: SsoPopulateOptions,
  env: Env,
  log: Logger,
): Promise<string> {
  // Before any sign-in or request: a usage error costs nothing.
  const template = parseTemplate(options.template ?? DEFAULT_TEMPLATE);
  const regions = options.regions.map(parseRegionRule);
  if (regions.filter((rule) => rule.pattern === undefined).length > 1) {
    throw new UsageError("--region without a pattern was given twice");
  }
  const { session, accounts } = await listSession(options, env, log);
  const configPath = configFilePath(env);
  const credentialsPath = credentialsFilePath(env);
  const credentials = await readIfPresent(credentialsPath);
  let plan: PopulatePlan | undefined;
  let warnings: string[] = [];
  const edit = (config: string) => {
    plan = planPopulate(
      { session, accounts, template, regions, prune: options.prune },
      { config, credentials },
    );
    let edited: string;
    try {
      edited = updateSections(config, "config", plan.edits);
    } catch (error) {
      if (!(error instanceof IniLayoutError)) throw error;
      throw new CredentialError(
        `Refusing to write profile ${error.section} to ${configPath}: ${error.message}`,
        error,
      );
    }
    // What was written must read as the same profiles in the AWS CLI and aec.
    const [first, ...rest] = [...plan.edits.keys()];
    if (first !== undefined) {
      const { disagreement, unparsable } = checkReaderAgreement(
        {
          config: { path: configPath, text: edited },
          credentials: { path: credentialsPath, text: credentials },
        },
        first,
        rest,
      );
      if (disagreement) {
        throw new CredentialError(`Refusing to write ${configPath}: ${disagreement}`);
      }
      warnings = unparsable;
    }
    return edited;
  };
  const { before, after } = await editTextFile(configPath, edit, { dryRun: options.dryRun });
  report(plan!, configPath, options);
  warnings.forEach(warn);
  return options.dryRun ? unifiedDiff(before, after, configPath) : "";
}

/** What changed, on stderr: the counts, and which new profiles got a suffix. */
function report(plan: PopulatePlan, path: string, options: SsoPopulateOptions): void {
  for (const note of plan.notes) {
    if (plan.added.includes(note.name)) say(`aec: ${note.text}`);
  }
  const stale = plan.stale.length === 0
    ? ""
    : options.prune
    ? `, ${plan.stale.length} removed (no longer listed)`
    : `; ${plan.stale.length} no longer listed, kept (--prune removes them)`;
  const profiles = (count: number) => `${count} profile${count === 1 ? "" : "s"}`;
  say(
    `aec: ${path}: ${profiles(plan.added.length)} ${options.dryRun ? "would be " : ""}added, ` +
      `${plan.updated.length} updated, ${plan.unchanged.length} unchanged${stale}`,
  );
}

/** The sso-session of `--sso-session`, or the config file's only one. */
async function chooseSession(name: string | undefined, env: Env): Promise<SsoTarget> {
  const path = configFilePath(env);
  const { sessions } = allProfiles({ config: await readIfPresent(path), credentials: "" });
  if (name !== undefined) return targetOfSession(sessions, name);
  const names = Object.keys(sessions);
  if (names.length === 1) return targetOfSession(sessions, names[0]!);
  throw new UsageError(
    names.length === 0
      ? `${path} has no [sso-session] section to list the accounts of`
      : `${path} has several sso-sessions (${names.join(", ")}): name one with --sso-session`,
  );
}

/**
 * The session's accounts and roles, signing in first with `--sso-login` (and
 * again, once, if the portal refuses the token).
 */
async function listSession(
  options: { ssoSession?: string; ssoLogin: boolean },
  env: Env,
  log: Logger,
): Promise<{ session: string; accounts: PortalAccount[] }> {
  const target = await chooseSession(options.ssoSession, env);
  const session = target.sessionName!;
  const named = { who: `the sso-session ${session}`, login: `--sso-session ${session}` };
  const signIn = {
    signIn: options.ssoLogin,
    noPrompt: noPromptFromEnvironment(env),
    env,
    log,
    minValidityMs: TOKEN_MARGIN_MS,
  };
  let token = await signedIn(target, named, signIn);
  // Not with --debug, whose lines would land on the progress line.
  const progress = progressLine(Deno.stderr.isTerminal() && !log.enabled);
  const listing = {
    log,
    progress: progress.show,
    signInHint: `run 'aec login ${named.login}'`,
  };
  try {
    try {
      return { session, accounts: await listAccounts(target, token.accessToken, listing) };
    } catch (error) {
      if (!(error instanceof SessionRefusedError) || !options.ssoLogin) throw error;
      progress.clear();
      token = await signedIn(target, named, { ...signIn, force: true });
      return { session, accounts: await listAccounts(target, token.accessToken, listing) };
    }
  } finally {
    progress.clear();
  }
}

/** Accounts done of found, on one line of a terminal's stderr, redrawn at most 10 times a second. */
function progressLine(terminal: boolean) {
  const encoder = new TextEncoder();
  let shownAt = 0;
  let shown = false;
  return {
    show(done: number, found: number) {
      const now = Date.now();
      if (!terminal || (now - shownAt < 100 && done < found)) return;
      shownAt = now;
      shown = true;
      Deno.stderr.writeSync(
        encoder.encode(`\r\x1b[Kaec: listing roles: ${done} of ${found} accounts`),
      );
    },
    clear() {
      if (shown) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
      shown = false;
    },
  };
}
