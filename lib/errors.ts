/**
 * Error types and the single mapping from an error to aec's exit code and its
 * one line on stderr. Every failure path in aec ends here.
 */

import { redact } from "./redact.ts";

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  noCredentials: 2,
  credentials: 3,
  /** A server's address is in use or cannot be bound. */
  listen: 3,
  commandNotRunnable: 126,
  commandNotFound: 127,
  interrupted: 130,
} as const;

/** An error aec expects and explains in one line, exiting with `exitCode`. */
export class AecError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: number, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** The command line is wrong: unknown flag, two output modes, a bad value. */
export class UsageError extends AecError {
  constructor(message: string) {
    super(message, ExitCode.usage, { hint: "run 'aec --help' for usage" });
  }
}

/** Nothing in the profile, the environment or the instance provides credentials. */
export class NoCredentialsError extends AecError {
  constructor(cause?: unknown) {
    super("Unable to locate credentials", ExitCode.noCredentials, {
      hint: "configure a profile with 'aws configure' or name one with --profile",
      cause,
    });
  }
}

/** A profile exists but resolving it failed (STS, SSO, MFA, config). */
export class CredentialError extends AecError {
  constructor(message: string, cause?: unknown, hint?: string) {
    super(message, ExitCode.credentials, hint === undefined ? { cause } : { cause, hint });
  }
}

/** The user stopped aec (Ctrl-C) while it waited for them. */
export class InterruptedError extends AecError {
  constructor(what: string) {
    super(`${what} was interrupted`, ExitCode.interrupted);
  }
}

/** The `--exec` command could not be started. */
export class CommandError extends AecError {}

/** An error's message, or its name when it has none. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** Whether `text` holds a C0 control character or DEL: no line, shell or file carries it intact. */
export function hasControlCharacter(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return /[\x00-\x1f\x7f]/.test(text);
}

// What a terminal acts on or reorders instead of showing: C0 and C1 controls, DEL, bidi controls.
// deno-lint-ignore no-control-regex
const TERMINAL_CONTROLS = /[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g;
const HAS_TERMINAL_CONTROL = new RegExp(TERMINAL_CONTROLS.source);

/** `text` from another party, safe to print: each character a terminal would act on as `\uXXXX`. */
export function printable(text: string): string {
  return text.replace(
    TERMINAL_CONTROLS,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * A name (a profile's, a flag's) as a message shows it: quoted, with its
 * controls escaped, when it holds one, so that it stays one visible word.
 */
export function printableName(name: string): string {
  if (!HAS_TERMINAL_CONTROL.test(name)) return name;
  return `"${printable(name.replace(/["\\]/g, (character) => `\\${character}`))}"`;
}

/** The first line of the error's message, with its cause when the message alone says little. */
export function firstLine(error: unknown): string {
  const line = messageOf(error).split("\n")[0]!.trim().replace(/\.$/, "");
  // Network failures say only "fetch failed"; the reason is in the cause.
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && !line.includes(cause.message)
    ? `${line}: ${firstLine(cause)}`
    : line;
}

/** The line aec prints on stderr for `error`, with secrets redacted. */
export function describeError(error: unknown, debug: boolean): string {
  // aec's own errors are explained in their one line, with --debug too: a
  // stack trace is for a bug (exit 1) only.
  if (error instanceof AecError) {
    const hint = error.hint ? ` (${error.hint})` : "";
    return redact(`aec: ${error.message}${hint}`);
  }
  const text = error instanceof Error
    ? (debug && error.stack ? error.stack : error.message)
    : String(error);
  return redact(`aec: unexpected error: ${text}`);
}

/** The exit code for `error`: its own for aec's errors, 1 for anything unexpected. */
export function exitCodeFor(error: unknown): number {
  return error instanceof AecError ? error.exitCode : ExitCode.internal;
}
