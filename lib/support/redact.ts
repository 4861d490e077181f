/**
 * Keeps secrets off stderr. Every line aec writes to stderr (errors and
 * `--debug`) passes through `redact`, which masks values registered with
 * `registerSecret` and anything that looks like a secret by its key name.
 */

const MASK = "<redacted>";
const secrets = new Set<string>();

/** Remember `value` so that it is masked wherever it would appear on stderr. */
export function registerSecret(value: string | undefined): void {
  // Very short values would mask ordinary words; real secrets are long.
  if (value && value.length >= 8) secrets.add(value);
}

// Matches `Key: value`, `"Key":"value"`, `key = value` and `KEY=value` forms of
// the field names that carry secrets in AWS responses, config files and env.
const SECRET_FIELD =
  /((?:secret_?access_?key|session_?token|security_?token|secret|access_?token|refresh_?token|client_?secret|\btoken)["']?\s*[:=]\s*["']?)([^"'\s,}<&]+)/gi;

/** `text` with every registered secret and secret-looking field value masked. */
export function redact(text: string): string {
  let out = text;
  for (const secret of secrets) out = out.replaceAll(secret, MASK);
  return out.replace(
    SECRET_FIELD,
    (_match, key: string, value: string) => value === MASK ? `${key}${value}` : `${key}${MASK}`,
  );
}
