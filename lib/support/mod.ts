/**
 * Small pieces every folder shares, cheap to load (no npm or node: module):
 * errors and exit codes, the log, redaction, lazy loading, and the two values
 * everything passes around (Credentials, ProfileChoice).
 */

export * from "./credentials.ts";
export * from "./errors.ts";
export * from "./load.ts";
export * from "./log.ts";
export * from "./profile.ts";
export * from "./program_path.ts";
export * from "./python_json.ts";
export * from "./redact.ts";
export * from "./version.ts";
export * from "./words.ts";
