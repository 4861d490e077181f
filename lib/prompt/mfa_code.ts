/**
 * The one way aec asks for an MFA code, for the SDK's role assumer and for
 * MFA sessions alike. In order: the profile's `mfa_process`; the terminal
 * (its device, so the question shows even under `credential_process`); a
 * desktop dialog when there is no terminal. With `--no-prompt`
 * (`AEC_NO_PROMPT`), only `mfa_process`, which asks nobody.
 *
 * @module
 */

import { CredentialError, type Logger, printable } from "../support/mod.ts";
import type { Profiles } from "../config/mod.ts";
import { askOnTerminal } from "../ui/mod.ts";
import { askWithDialog, DIALOG_TIMEOUT_SECONDS } from "./dialog.ts";
import { isMfaCode, mfaProcessFor, runMfaProcess } from "./mfa_process.ts";

type Env = Readonly<Record<string, string | undefined>>;

export interface MfaCodeOptions {
  /** The profile aec resolves; its chain is where `mfa_process` is looked for. */
  profile: string;
  /** Every profile, as the SDK read them. */
  profiles: Profiles;
  /** `--no-prompt`: never ask a person. */
  noPrompt: boolean;
  /** Whether one code starts an MFA session that later runs reuse (for the advice under `--no-prompt`). */
  keepsSession: boolean;
  env: Env;
  log: Logger;
}

/** Asks for an MFA code for `serial`, as the SDK's `mfaCodeProvider` is called. */
export type MfaCodeAsker = (serial: string) => Promise<string>;

export function mfaCodeAsker(options: MfaCodeOptions): MfaCodeAsker {
  return async (serial) => {
    const source = mfaProcessFor(options.profiles, options.profile, serial);
    if (source) return await runMfaProcess(source, serial, options.log);
    const profile = printable(options.profile);
    if (options.noPrompt) {
      throw new CredentialError(
        `An MFA code for ${serial} is needed, and --no-prompt forbids asking`,
        undefined,
        options.keepsSession
          ? `run 'aec --profile ${profile}' where you can type the code: its MFA session serves ` +
            "the next runs"
          : `set mfa_process in profile ${profile}, or run without --no-prompt`,
      );
    }
    const question = `MFA code for ${serial}: `;
    const typed = await askOnTerminal(question);
    if (typed !== undefined) return checked(typed, serial);
    options.log.debug("no terminal to ask on; trying a dialog");
    const answer = await askWithDialog(question.trimEnd(), options.env);
    if (answer.kind === "none") {
      throw new CredentialError(
        `An MFA code for ${serial} is needed, but there is no terminal or dialog to ask on`,
        undefined,
        `set mfa_process in profile ${profile}`,
      );
    }
    if (answer.kind === "cancelled") {
      throw new CredentialError(
        answer.timedOut
          ? `No MFA code was entered for ${serial} within ${DIALOG_TIMEOUT_SECONDS}s`
          : `No MFA code was entered for ${serial}`,
      );
    }
    options.log.debug(`got the MFA code from ${answer.program}`);
    return checked(answer.text, serial);
  };
}

/** The code, trimmed, if it can be one. */
function checked(text: string, serial: string): string {
  const code = text.trim();
  if (code === "") throw new CredentialError(`No MFA code was entered for ${serial}`);
  if (!isMfaCode(code)) {
    throw new CredentialError(`The MFA code for ${serial} must be 6 digits`);
  }
  return code;
}
