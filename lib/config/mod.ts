/**
 * The AWS config and credentials files as aec reads them, without the SDK: where they are, both
 * readers' parsing (the JS SDK's and botocore's), and what a profile's settings say. The rest
 * of aec imports this module only.
 *
 * @module
 */

export * from "./aws_file_guards.ts";
export * from "./aws_files.ts";
export * from "./aws_profiles.ts";
export * from "./ini.ts";
export * from "./reader_agreement.ts";
export * from "./profile_settings.ts";
