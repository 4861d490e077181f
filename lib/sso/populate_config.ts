/**
 * `aec sso populate`: the session's listing written into the config file as
 * one profile per account and role (populate.ts plans them), with the locked,
 * atomic, minimal edit `-c` makes of the credentials file; or, with
 * `--dry-run`, the unified diff of that edit.
 *
 * @module
 */

import {
  checkReaderAgreement,
  configFilePath,
  credentialsFilePath,
  IniLayoutError,
  readIfPresent,
  updateSections,
} from "../config/mod.ts";
import { editTextFile } from "../files/mod.ts";
import type { SsoPopulateOptions } from "../options/mod.ts";
import { unifiedDiff } from "../output/mod.ts";
import { CredentialError, type Logger, say, UsageError, warn } from "../support/mod.ts";
import {
  DEFAULT_TEMPLATE,
  parseRegionRule,
  parseTemplate,
  planPopulate,
  type PopulatePlan,
} from "./populate.ts";
import { listSession } from "./roles.ts";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Writes the profiles, or with `--dry-run` returns the unified diff of what
 * it would write (for stdout); says what changed on stderr.
 */
export async function populateProfiles(
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
