/** `--no-prompt` from the environment: `AEC_NO_PROMPT`, for CI and IDEs. */

type Env = Readonly<Record<string, string | undefined>>;

/** Whether `AEC_NO_PROMPT` asks aec never to ask: set to anything but empty, `0` or `false`. */
export function noPromptFromEnvironment(env: Env): boolean {
  const value = env.AEC_NO_PROMPT?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}
