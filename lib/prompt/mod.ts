/**
 * Asking the user, wherever aec runs: MFA codes (from `mfa_process`, the
 * terminal, or a dialog) and `--no-prompt`. The rest of aec imports this
 * module only.
 *
 * @module
 */

export { type MfaCodeAsker, mfaCodeAsker, type MfaCodeOptions } from "./mfa_code.ts";
export { noPromptFromEnvironment } from "./no_prompt.ts";
