/**
 * The AWS SDK's plumbing aec shares: its HTTP handler with deadlines, its
 * reading of the AWS files, and STS calls. Imports npm modules: load it only
 * where credentials are resolved.
 */

export * from "./client_call.ts";
export * from "./http.ts";
export * from "./profiles.ts";
export * from "./sts.ts";
