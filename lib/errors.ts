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
  constructor(message: string, cause?: unknown) {
    super(message, ExitCode.credentials, { cause });
  }
}

/** The `--exec` command could not be started. */
export class CommandError extends AecError {}

/** An error's message, or its name when it has none. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}

/** The line aec prints on stderr for `error`, with secrets redacted. */
export function describeError(error: unknown, debug: boolean): string {
  if (error instanceof AecError) {
    const hint = error.hint ? ` (${error.hint})` : "";
    const detail = debug && error.cause instanceof Error && error.cause.stack
      ? `\n${error.cause.stack}`
      : "";
    return redact(`aec: ${error.message}${hint}${detail}`);
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
