/** Where the AWS config files live, found the way the AWS SDK finds them. */

import { CredentialError } from "../support/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** The user's home directory: HOME, else USERPROFILE, else HOMEDRIVE+HOMEPATH. */
export function homeDirectory(env: Env): string {
  const home = env.HOME ?? env.USERPROFILE ??
    (env.HOMEPATH ? `${env.HOMEDRIVE ?? "C:"}${env.HOMEPATH}` : undefined);
  if (!home) {
    throw new CredentialError(
      "Cannot find the home directory: HOME is not set (set HOME, or AWS_CONFIG_FILE and " +
        "AWS_SHARED_CREDENTIALS_FILE)",
    );
  }
  return home;
}

function expandHome(path: string, env: Env): string {
  return /^~(?=$|[\\/])/.test(path) ? homeDirectory(env) + path.slice(1) : path;
}

/** `AWS_CONFIG_FILE`, else `~/.aws/config`. */
export function configFilePath(env: Env): string {
  return expandHome(env.AWS_CONFIG_FILE || "~/.aws/config", env);
}

/** `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`. */
export function credentialsFilePath(env: Env): string {
  return expandHome(env.AWS_SHARED_CREDENTIALS_FILE || "~/.aws/credentials", env);
}
