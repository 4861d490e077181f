/**
 * Asking the user, wherever aec runs: MFA codes (from `mfa_process`, the
 * terminal, or a dialog) and `--no-prompt`. The rest of aec imports this
 * module only. Exports read `AEC_NO_PROMPT` at every start, so the asking
 * itself, which opens terminals and runs programs, is loaded when a code is
 * first needed.
 *
 * @module
 */

import { load } from "../support/mod.ts";
import type { MfaCodeAsker, MfaCodeOptions } from "./mfa_code.ts";

export type { MfaCodeAsker, MfaCodeOptions };
export { noPromptFromEnvironment } from "./no_prompt.ts";

export function mfaCodeAsker(options: MfaCodeOptions): MfaCodeAsker {
  return async (serial) => {
    const { mfaCodeAsker } = await load<typeof import("./mfa_code.ts")>("prompt/mfa_code.ts");
    return await mfaCodeAsker(options)(serial);
  };
}
