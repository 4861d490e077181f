/**
 * `mfa_process` (aws-vault's setting): a command of the profile's whose
 * stdout is the MFA code, such as `ykman oath accounts code --single NAME`
 * or `op item get NAME --otp`. It runs without a shell: its words are split
 * at spaces, quotes group them, and nothing else is special.
 *
 * @module
 */

import { CredentialError, type Logger, printable } from "../support/mod.ts";
import { type Profiles, profileSettings } from "../config/mod.ts";
import { closeTerminal, openTerminal } from "../ui/mod.ts";

// Long enough to touch a key or unlock a password manager.
const MFA_PROCESS_TIMEOUT_MS = 120_000;
// A code is 6 digits; what a process prints beyond this is not one.
const MAX_OUTPUT_BYTES = 4096;
// How long its pipes are read once the process has ended: what it wrote is in
// them already; a child it left behind may hold them open for ever.
const DRAIN_GRACE_MS = 1000;
// What a shell would read as more than words: refused, so nothing runs other than meant.
const SHELL_SYNTAX = /[|&;<>()$`\n\r]/;

/** Where a code comes from: the command line and the profile that sets it. */
export interface MfaProcess {
  command: string;
  profile: string;
}

/**
 * The `mfa_process` for `serial`: the first along the chain of `profile`
 * (the profile, then its `source_profile`s) set in a profile whose
 * `mfa_serial` is `serial` or unset, so that it may sit with the keys, as
 * with aws-vault.
 */
export function mfaProcessFor(
  profiles: Profiles,
  profile: string,
  serial: string,
): MfaProcess | undefined {
  const seen = new Set<string>();
  for (let name: string | undefined = profile; name !== undefined && !seen.has(name);) {
    seen.add(name);
    const settings = profileSettings(profiles, name);
    const command = settings?.mfa_process;
    if (command && (settings.mfa_serial === undefined || settings.mfa_serial === serial)) {
      return { command, profile: name };
    }
    name = settings?.source_profile;
  }
  return undefined;
}

/**
 * The words of `command`, as a program and its arguments: split at
 * whitespace; `'…'` and `"…"` keep their text whole, spaces included.
 * Backslashes are plain characters (Windows paths keep theirs).
 *
 * @throws {CredentialError} for an unclosed quote, an empty command, or shell syntax.
 */
export function commandWords(command: string, what: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'" || c === '"') {
      const end = command.indexOf(c, i + 1);
      if (end === -1) throw new CredentialError(`${what} has an unclosed ${c}`);
      word = (word ?? "") + command.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (SHELL_SYNTAX.test(c)) {
      throw new CredentialError(
        `${what} runs without a shell, and ${JSON.stringify(c)} would mean something to one`,
        undefined,
        "quote it, or run a shell yourself: sh -c '…'",
      );
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  if (words.length === 0 || words[0] === "") throw new CredentialError(`${what} is empty`);
  return words;
}

/**
 * Runs the `mfa_process` and returns the code it printed. Its stderr (a
 * "touch your key" prompt) goes to the terminal when there is one, where the
 * user sees it even under `credential_process`; otherwise its last line, its
 * digits masked, is kept for the error. The code is never logged.
 *
 * Waits for the process to end, not its pipes: a child it leaves behind may
 * hold them open for ever. `timeoutMs` bounds the whole.
 *
 * @throws {CredentialError} when it cannot run, fails, outlasts its time, or
 * prints no code.
 */
export async function runMfaProcess(
  source: MfaProcess,
  serial: string,
  log: Logger,
  timeoutMs: number = MFA_PROCESS_TIMEOUT_MS,
): Promise<string> {
  const what = `mfa_process of profile ${printable(source.profile)}`;
  const [program, ...args] = commandWords(source.command, what);
  log.debug(`asking ${what} (${printable(program!)}) for the MFA code for ${serial}`);
  const deadline = AbortSignal.timeout(timeoutMs);
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(program!, {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: deadline,
    }).spawn();
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? `${printable(program!)} was not found`
      : `${printable(program!)} could not be run`;
    throw new CredentialError(`${what}: ${why}`, error);
  }
  const output = readBounded(child.stdout);
  const errors = relayStderr(child.stderr);
  let status: Deno.CommandStatus;
  try {
    // Ends by the deadline, which kills the process.
    status = await child.status;
    // What it wrote is in the pipes by now: read to their end, but no longer
    // than a complete code or a short grace; past the deadline, not at all.
    if (!deadline.aborted) {
      await firstWithin(
        DRAIN_GRACE_MS,
        Promise.all([output.done, errors.done]),
        ...(status.success ? [output.codeLine] : []),
      );
    }
  } finally {
    await Promise.all([output.stop(), errors.stop()]);
  }
  if (deadline.aborted) {
    throw new CredentialError(`${what} gave no code within ${timeoutMs / 1000}s`);
  }
  if (!status.success) {
    const exit = status.signal ? `signal ${status.signal}` : `exit ${status.code}`;
    const lastError = errors.lastLine();
    throw new CredentialError(`${what} failed (${exit})${lastError ? `: ${lastError}` : ""}`);
  }
  const code = output.text()?.trim();
  if (!code) throw new CredentialError(`${what} printed no MFA code`);
  if (!isMfaCode(code)) {
    // Never shown: it may be a code with something around it.
    throw new CredentialError(`${what} printed something other than a 6-digit MFA code`);
  }
  return code;
}

/** Whether `code` has the form of an MFA code: 6 digits, the only form STS takes. */
export function isMfaCode(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/** A pipe being read: `done` at its end; `stop()` gives up on it and closes it. */
interface Reading {
  done: Promise<void>;
  stop(): Promise<void>;
}

/** Reads `stream` into `take`, chunk by chunk, to its end or until stopped. */
function pump(
  stream: ReadableStream<Uint8Array>,
  take: (chunk: Uint8Array) => unknown,
): Reading {
  const reader = stream.getReader();
  const done = (async () => {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      await take(next.value);
    }
  })();
  // Cancelling ends the pending read, and so the loop.
  return { done, stop: () => reader.cancel().then(() => done) };
}

/** Waits for the first of `promises`, `ms` at most. */
async function firstWithin(ms: number, ...promises: Promise<unknown>[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([...promises, new Promise((resolve) => timer = setTimeout(resolve, ms))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The stream's text, or `undefined` when it is longer than any code;
 * `codeLine` settles once what was read is a code and a line end.
 */
function readBounded(
  stream: ReadableStream<Uint8Array>,
): Reading & { codeLine: Promise<void>; text(): string | undefined } {
  const decoder = new TextDecoder();
  let text = "";
  let length = 0;
  let sawCode!: () => void;
  const codeLine = new Promise<void>((resolve) => sawCode = resolve);
  // Reads on past the bound, so that the process is not left blocked writing.
  const reading = pump(stream, (chunk) => {
    length += chunk.length;
    if (length > MAX_OUTPUT_BYTES) return;
    text += decoder.decode(chunk, { stream: true });
    if (text.endsWith("\n") && isMfaCode(text.trim())) sawCode();
  });
  return {
    ...reading,
    codeLine,
    text: () => length > MAX_OUTPUT_BYTES ? undefined : text + decoder.decode(),
  };
}

/**
 * Copies the process's stderr to the terminal, if there is one, as it
 * comes; keeps its last line when there is none (for the error), each digit
 * shown as `#`: a code, or a part of one, never reaches aec's stderr.
 */
function relayStderr(
  stream: ReadableStream<Uint8Array>,
): Reading & { lastLine(): string | undefined } {
  const terminal = openTerminal();
  const decoder = new TextDecoder();
  let tail = "";
  const reading = pump(stream, async (chunk) => {
    if (terminal) await terminal.output.write(chunk);
    else tail = (tail + decoder.decode(chunk, { stream: true })).slice(-MAX_OUTPUT_BYTES);
  });
  const done = reading.done.finally(() => {
    if (terminal) closeTerminal(terminal);
  });
  return {
    done,
    stop: () => reading.stop().then(() => done),
    lastLine() {
      const line = tail.split(/\r?\n/).map((text) => text.trim()).findLast((text) => text !== "");
      return line === undefined
        ? undefined
        : printable(line.replace(/\p{Nd}/gu, "#").slice(0, 200));
    },
  };
}
