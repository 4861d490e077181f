/**
 * The AWS files checked before anything reads them for a profile: not a FIFO
 * or a device, and read alike by the AWS CLI and aec.
 */

import { configFilePath, credentialsFilePath } from "./aws_files.ts";
import { type AwsFileTexts, MAX_AWS_FILE_BYTES, readAwsFile } from "./aws_profiles.ts";
import { SERVED_PROFILE } from "./profile_settings.ts";
import { checkReaderAgreement } from "./reader_agreement.ts";
import { NotRegularFileError, refuseIrregularFile } from "../files/mod.ts";
import {
  CredentialError,
  type Logger,
  messageOf,
  type ProfileChoice,
  warn,
} from "../support/mod.ts";

type Env = Record<string, string>;

/**
 * Refuses a config or credentials file that is not a regular file, before
 * anything (the SDK included) reads it: a FIFO would hang aec, a device would
 * be read without end or replaced by `-c`. `/dev/null` reads as an empty file,
 * but is not a file `-c` can write.
 */
export async function refuseIrregularAwsFiles(env: Env, writing: boolean): Promise<void> {
  const files = [[configFilePath, true], [credentialsFilePath, !writing]] as const;
  for (const [locate, nullDevice] of files) {
    let path: string;
    try {
      path = locate(env);
    } catch {
      continue; // No home directory: the SDK tells what it makes of that.
    }
    await refuseIrregularFile(path, { nullDevice, maxSize: MAX_AWS_FILE_BYTES });
  }
}

/**
 * Refuses AWS files that the AWS CLI and aec would read as different
 * identities for the profile (and, for `--serve --exec`, for the profile its
 * command runs as), before any cache answers or anything resolves; and warns,
 * on every run, of files that botocore cannot parse at all, which break the
 * AWS CLI though aec reads them.
 */
export async function refuseReaderDisagreement(
  env: Env,
  profile: ProfileChoice,
  served: boolean,
  log: Logger,
): Promise<AwsFileTexts | undefined> {
  const read = async (path: string) => {
    try {
      return await readAwsFile(path);
    } catch (error) {
      if (error instanceof NotRegularFileError) throw error;
      // The SDK and botocore both read a file they cannot open as empty.
      log.debug(`reading ${path} as empty: ${messageOf(error)}`);
      return { path, text: "" };
    }
  };
  let paths: [string, string];
  try {
    paths = [configFilePath(env), credentialsFilePath(env)];
  } catch {
    return undefined; // No home directory: the SDK tells what it makes of that.
  }
  const [config, credentials] = await Promise.all(paths.map(read));
  const { disagreement, unparsable } = checkReaderAgreement(
    { config: config!, credentials: credentials! },
    profile.name,
    served ? [SERVED_PROFILE] : [],
  );
  if (disagreement) throw new CredentialError(disagreement);
  unparsable.forEach(warn);
  // Read once: the cache's fingerprint and the AWS CLI's cache use these texts too.
  return { config: config!.text, credentials: credentials!.text };
}
