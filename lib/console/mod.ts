/** `aec console`'s capability: the AWS console's sign-in URL for credentials, and opening it. */

export * from "./sign_in.ts";
