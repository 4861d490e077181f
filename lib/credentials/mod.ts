/**
 * A profile's credentials, from the first store that has them (aec's cache,
 * the AWS CLI's cache), else from aec's key store for a stored profile, else
 * from the AWS SDK, which is loaded only then.
 */

export { obtainCredentials } from "./pipeline.ts";
export type {
  CredentialRequest,
  CredentialSource,
  CredentialStore,
  Found,
  ObtainOptions,
  Resolved,
} from "./store.ts";
