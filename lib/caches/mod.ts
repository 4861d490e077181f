/**
 * The files credentials are kept in between runs: aec's cache and the AWS
 * CLI's (its assume-role and SSO role caches): where they are, and reading,
 * writing and deleting their entries.
 */

export * from "./aec_cache.ts";
export * from "./aws_cli_cache.ts";
