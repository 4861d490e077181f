/**
 * Resolving a profile through the AWS SDK: its provider chain, SSO sign-in
 * and MFA sessions for roles, and keeping served credentials fresh. Imports
 * the SDK: outside lazily loaded modules, load it with load().
 */

export * from "./mfa_session.ts";
export * from "./refresh.ts";
export * from "./sdk_resolution.ts";
