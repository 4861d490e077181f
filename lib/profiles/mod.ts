/** The profiles of the AWS files as aec sees them: their summary and table, and the picker. */

export * from "./pick.ts";
export * from "./summary.ts";
