/**
 * `aec console`'s capability: the AWS console's sign-in URL for credentials,
 * or the portal's link, and opening it in the browser named. The links are
 * pure and free of npm modules, for the command line to check `--service`
 * with; the sign-in brings the SDK, so it is loaded only when the console runs.
 */

import { load } from "../support/mod.ts";

export * from "./links.ts";

type SignIn = typeof import("./sign_in.ts");

export async function runConsole(
  ...args: Parameters<SignIn["runConsole"]>
): ReturnType<SignIn["runConsole"]> {
  const { runConsole } = await load<SignIn>("console/sign_in.ts");
  return await runConsole(...args);
}
