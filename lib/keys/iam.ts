/**
 * The IAM calls of `aec keys rotate`, for the caller's own user: each with
 * the request timeout of every SDK client of aec, and a one-line error naming
 * the call. The new secret is registered for redaction at once.
 *
 * @module
 */

import { CredentialError, type Credentials, registerSecret } from "../support/mod.ts";
import { callWith, timedRequestHandler } from "../sdk/mod.ts";
import type { StoredKeys } from "./store.ts";

type IamModule = typeof import("@aws-sdk/client-iam");
type IamClient = InstanceType<IamModule["IAMClient"]>;

export interface IamOptions {
  /** IAM is global; the region picks the partition's endpoint (us-east-1: aws). */
  region: string | undefined;
  credentials: Credentials;
}

async function withIam<T>(
  operation: string,
  options: IamOptions,
  call: (client: IamClient, iam: IamModule) => Promise<T>,
): Promise<T> {
  const iam = await import("@aws-sdk/client-iam");
  const client = new iam.IAMClient({
    region: options.region ?? "us-east-1",
    credentials: options.credentials,
    requestHandler: await timedRequestHandler(),
  });
  return await callWith("IAM", operation, client, (client) => call(client, iam));
}

/** A new access key of the caller's user (IAM CreateAccessKey). */
export function createAccessKey(options: IamOptions): Promise<StoredKeys> {
  return withIam("CreateAccessKey", options, async (client, iam) => {
    const { AccessKey } = await client.send(new iam.CreateAccessKeyCommand({}));
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) {
      throw new CredentialError("IAM CreateAccessKey returned no key");
    }
    registerSecret(AccessKey.SecretAccessKey);
    return { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
  });
}

/** Deletes access key `accessKeyId` of the caller's user (IAM DeleteAccessKey). */
export async function deleteAccessKey(options: IamOptions, accessKeyId: string): Promise<void> {
  await withIam("DeleteAccessKey", options, async (client, iam) => {
    await client.send(new iam.DeleteAccessKeyCommand({ AccessKeyId: accessKeyId }));
  });
}
