/**
 * What the command line asks for, below every module that acts on it: the
 * option types parseCli() returns, and the host names `--allow-host` takes.
 */

export * from "./command_options.ts";
export * from "./host_names.ts";
