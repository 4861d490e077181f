/**
 * Renders credentials as credential_process JSON or as shell variables, using
 * the AWS CLI's `export-credentials` format names.
 */

import {
  CredentialError,
  type Credentials,
  hasControlCharacter,
  isoSeconds,
  printableName,
} from "../support/mod.ts";

export const FORMATS = [
  "process",
  "env",
  "env-no-export",
  "powershell",
  "windows-cmd",
  "fish",
] as const;
export type Format = typeof FORMATS[number];

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** The environment variables that carry `credentials`, in export order. */
export function credentialVariables(credentials: Credentials): [string, string][] {
  const variables: [string, string][] = [
    ["AWS_ACCESS_KEY_ID", credentials.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey],
  ];
  if (credentials.sessionToken) variables.push(["AWS_SESSION_TOKEN", credentials.sessionToken]);
  if (credentials.expiration) {
    variables.push(["AWS_CREDENTIAL_EXPIRATION", isoSeconds(credentials.expiration)]);
  }
  return variables;
}

/** The credential_process (version 1) document for `credentials`. */
export function processJson(credentials: Credentials, pretty: boolean): string {
  const document: Record<string, string | number> = {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
  };
  if (credentials.sessionToken) document.SessionToken = credentials.sessionToken;
  if (credentials.expiration) document.Expiration = isoSeconds(credentials.expiration);
  return JSON.stringify(document, null, pretty ? 2 : undefined);
}

// Real AWS values only use these characters; anything else is quoted for the
// target shell so that `eval` can never run part of a value as code.
const PLAIN = /^[A-Za-z0-9/+=._:@%,-]*$/;

/** `value` as one word of a POSIX shell: as it is when plain, else in single quotes. */
export function posixValue(value: string): string {
  return PLAIN.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** `words` as a command line to paste into a POSIX shell, each quoted as needed. */
export function commandLine(words: readonly string[]): string {
  return words.map((word) => word === "" ? "''" : posixValue(word)).join(" ");
}

function fishValue(value: string): string {
  return `"${value.replace(/["\\$]/g, (c) => `\\${c}`)}"`;
}

function powershellValue(value: string): string {
  return `"${value.replace(/["`$]/g, (c) => `\`${c}`)}"`;
}

function cmdValue(name: string, value: string): string {
  // cmd.exe has no quoting that protects `%` and `!`; refuse rather than mangle.
  if (!PLAIN.test(value) || value.includes("%")) {
    throw new CredentialError(`${name} contains characters that windows-cmd cannot carry`);
  }
  return value;
}

function rejectControlCharacters(variables: [string, string][]): void {
  for (const [name, value] of variables) {
    if (hasControlCharacter(value)) {
      throw new CredentialError(`${name} contains control characters and cannot be exported`);
    }
  }
}

/**
 * `credentials` rendered in `format`, ending with a newline; shell formats
 * also set AWS_REGION and AWS_DEFAULT_REGION when `region` is given.
 */
export function render(
  credentials: Credentials,
  format: Format,
  pretty = false,
  region?: string,
): string {
  if (format === "process") return processJson(credentials, pretty) + "\n";
  const variables = credentialVariables(credentials);
  if (region !== undefined) variables.push(["AWS_REGION", region], ["AWS_DEFAULT_REGION", region]);
  rejectControlCharacters(variables);
  const lines = variables.map(([name, value]) => {
    switch (format) {
      case "env":
        return `export ${name}=${posixValue(value)}`;
      case "env-no-export":
        return `${name}=${posixValue(value)}`;
      case "fish":
        return `set -gx ${name} ${fishValue(value)}`;
      case "powershell":
        return `$Env:${name}=${powershellValue(value)}`;
      case "windows-cmd":
        return `set ${name}=${cmdValue(name, value)}`;
    }
  });
  return lines.join("\n") + "\n";
}

/** Time left as a prompt shows it: `42m`, `1h05m`, or `expired`. */
export function timeLeft(expiration: Date, now: Date): string {
  const minutes = Math.floor((expiration.getTime() - now.getTime()) / 60_000);
  if (minutes < 0) return "expired";
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/** Until when `credentials` last, for people: `until 2026-…Z (42m left)`, or that they do not end. */
export function lifetime(credentials: Credentials, now = new Date()): string {
  const { expiration } = credentials;
  if (!expiration) return "long-term keys, no expiration";
  return `until ${isoSeconds(expiration)} (${timeLeft(expiration, now)} left)`;
}

/**
 * What bare `aec` prints on a terminal instead of the JSON: whose keys and
 * until when, the secrets masked, and the flag that prints them.
 */
export function terminalSummary(
  credentials: Credentials,
  profile: string,
  now = new Date(),
): string {
  const lines = [
    `Profile:        ${printableName(profile)}`,
    `Access key id:  ${credentials.accessKeyId}`,
    `Valid:          ${lifetime(credentials, now)}`,
    "Secret key:     ******** (hidden on a terminal)",
  ];
  if (credentials.sessionToken) lines.push("Session token:  ******** (hidden on a terminal)");
  lines.push("--json prints the credentials (--pretty indents them), --env-export as variables");
  return lines.join("\n") + "\n";
}
