/**
 * The account name a profile written by `aec sso populate` carries, read
 * wherever profiles are shown (`aec profiles`, `aec pick`) without loading
 * the planning of populate itself.
 */

/** The setting that holds a generated profile's account name. */
export const ACCOUNT_NAME_KEY = "aec_account_name";

/** The account name a generated profile carries, if it carries one. */
export function accountNameOf(
  settings: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const value = settings[ACCOUNT_NAME_KEY];
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value; // Written by hand, with a `%` of its own.
  }
}
