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
  // JSON's escapes (\n, \u001b) for C0 controls; printable() for the rest JSON leaves raw.
  return HAS_TERMINAL_CONTROL.test(name) ? printable(JSON.stringify(name)) : name;
}

/** The first line of the error's message, with its cause when the message alone says little. */
export function firstLine(error: unknown): string {
  if (error instanceof UnreachableError) return error.message;
  const line = messageOf(error).split("\n")[0]!.trim().replace(/\.$/, "");
  // Network failures say only "fetch failed"; the reason is in the cause.
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && !line.includes(cause.message)
    ? `${line}: ${firstLine(cause)}`
    : line;
}

// Deno's fetch says "fetch failed", caused by "error sending request for url (URL): …".
const TRANSPORT_FAILURE = /error sending request for url \((\S+)\)(.*)$/s;
// The transport's words for why, in the order they are tried.
const UNREACHABLE_REASONS: readonly [RegExp, string][] = [
  [/connection refused/i, "connection refused"],
  [/dns error|lookup address|name or service not known|no such host/i, "host not found"],
  [/connection reset/i, "connection reset"],
  [/network is unreachable/i, "network unreachable"],
  [/timed out/i, "timed out"],
  [/certificate|tls|ssl/i, "TLS failed"],
];
// The endpoints aec's requests go to, by the variable that moves each, else by host name.
const SERVICES: readonly { name: string; variable: string; host: RegExp }[] = [
  { name: "STS", variable: "AWS_ENDPOINT_URL_STS", host: /^sts\b/ },
  {
    name: "the IAM Identity Center portal",
    variable: "AWS_ENDPOINT_URL_SSO",
    host: /^portal\.sso\./,
  },
  { name: "IAM Identity Center", variable: "AWS_ENDPOINT_URL_SSO_OIDC", host: /^oidc\./ },
];

/**
 * A request that never reached its server: `could not reach STS at URL
 * (connection refused)`, instead of the transport's chain of errors. The URL
 * has no query, which may hold a secret. `String()` gives the message alone,
 * since parts of the SDK wrap an error in one made of `String(error)`.
 */
export class UnreachableError extends Error {
  /** Every message made, to know them again inside the SDK's wrappers. */
  static readonly #messages = new Set<string>();

  /** The error for `error` when it is the transport's failure to reach a server. */
  static from(error: unknown): UnreachableError | undefined {
    const messages: string[] = [];
    for (let cause = error; cause instanceof Error && messages.length < 8; cause = cause.cause) {
      messages.push(cause.message);
    }
    const [, url, detail = ""] = TRANSPORT_FAILURE.exec(messages.join(": ")) ?? [];
    if (url === undefined || !URL.canParse(url)) return undefined;
    const { origin, pathname, hostname } = new URL(url);
    const reason = UNREACHABLE_REASONS.find(([pattern]) => pattern.test(detail))?.[1] ??
      "connection failed";
    const services = SERVICES.filter(({ variable, host }) => {
      const endpoint = environmentVariable(variable);
      return endpoint && URL.canParse(endpoint)
        ? new URL(endpoint).origin === origin
        : host.test(hostname);
    });
    // Two services on one endpoint (a local emulator, say): the URL says enough.
    const service = services.length === 1 ? `${services[0]!.name} at ` : "";
    const message = `could not reach ${service}${origin}${pathname} (${reason})`;
    UnreachableError.#messages.add(message);
    return new UnreachableError(message, { cause: error });
  }

  /** Whether `error` is one, or was made from one by the SDK. */
  static is(error: unknown): boolean {
    return error instanceof UnreachableError || UnreachableError.#messages.has(firstLine(error));
  }

  override toString(): string {
    return this.message;
  }
}

function environmentVariable(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // No permission to read it: the URL alone names the server.
  }
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
