/** `--debug` diagnostics on stderr, always redacted. */

import { redact } from "./redact.ts";

export interface Logger {
  readonly enabled: boolean;
  debug(message: string): void;
}

const encoder = new TextEncoder();
const start = performance.now();

/** A logger that writes `aec: [12ms] message` lines when `enabled`. */
export function createLogger(enabled: boolean): Logger {
  return {
    enabled,
    debug(message) {
      if (!enabled) return;
      const elapsed = Math.round(performance.now() - start);
      Deno.stderr.writeSync(encoder.encode(redact(`aec: [${elapsed}ms] ${message}`) + "\n"));
    },
  };
}

/** One line for the user on stderr (never stdout, which carries aec's output), redacted. */
export function say(line: string): void {
  Deno.stderr.writeSync(encoder.encode(redact(line) + "\n"));
}

/**
 * A line of feedback for a person at a terminal: shown only when stderr is
 * one, so that scripts and `credential_process` callers get silence.
 */
export function tell(line: string): void {
  if (Deno.stderr.isTerminal()) say(line);
}

/** A warning on stderr, shown without `--debug`: something the user should fix. */
export function warn(message: string): void {
  say(`aec: warning: ${message}`);
}
