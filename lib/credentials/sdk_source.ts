/**
 * The pipeline's source: the AWS SDK resolving the profile (SSO sign-in and
 * MFA sessions for roles included, see lib/resolve/). Loaded only on a miss
 * of every store, since it brings the SDK.
 */

import { load } from "../support/mod.ts";
import type { CredentialRequest, Resolved } from "./store.ts";

export async function resolveWithSdk(
  { options, profile, log }: CredentialRequest,
): Promise<Resolved> {
  const { resolveCredentials, resolveRequest } = await load<typeof import("../resolve/mod.ts")>(
    "resolve/mod.ts",
  );
  return await resolveCredentials(resolveRequest(options, profile, log));
}
