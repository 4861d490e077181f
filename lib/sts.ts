/**
 * The STS calls aec makes itself (GetSessionToken, GetFederationToken,
 * GetCallerIdentity, AssumeRole with an MFA session): each with a timeout, a
 * one-line error naming the call, and the secrets it returns registered for
 * redaction.
 */

import type { Credentials } from "./credentials.ts";
import { AecError, CredentialError, firstLine } from "./errors.ts";
import { registerSecret } from "./redact.ts";
import { type RequestHandler, timedRequestHandler } from "./sdk_http.ts";

type StsModule = typeof import("@aws-sdk/client-sts");
type StsClient = InstanceType<StsModule["STSClient"]>;

export interface StsOptions {
  /** STS is global; us-east-1 is where the AWS CLI sends it without a region. */
  region: string | undefined;
  credentials: Credentials | (() => Promise<Credentials>);
  requestHandler?: RequestHandler;
}

/**
 * Runs `call` with an STS client signing with `options.credentials`.
 *
 * @throws {CredentialError} `STS OPERATION failed: …` for any failure.
 */
export async function withSts<T>(
  operation: string,
  options: StsOptions,
  call: (client: StsClient, sts: StsModule) => Promise<T>,
): Promise<T> {
  const sts = await import("@aws-sdk/client-sts");
  const client = new sts.STSClient({
    region: options.region ?? "us-east-1",
    credentials: options.credentials,
    requestHandler: options.requestHandler ?? await timedRequestHandler(),
  });
  try {
    return await call(client, sts);
  } catch (error) {
    if (error instanceof AecError) throw error;
    throw new CredentialError(`STS ${operation} failed: ${firstLine(error)}`, error);
  } finally {
    client.destroy();
  }
}

interface Issued {
  AccessKeyId?: string | undefined;
  SecretAccessKey?: string | undefined;
  SessionToken?: string | undefined;
  Expiration?: Date | undefined;
}

/**
 * The temporary credentials STS issued, checked whole (an expiration
 * included, unless `expires` is false) and registered as secrets.
 */
export function issuedCredentials(
  issued: Issued | undefined,
  operation: string,
  expires = true,
): Credentials {
  if (
    !issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken ||
    (expires && !issued.Expiration)
  ) {
    throw new CredentialError(`STS ${operation} returned incomplete credentials`);
  }
  registerSecret(issued.SecretAccessKey);
  registerSecret(issued.SessionToken);
  const credentials: Credentials = {
    accessKeyId: issued.AccessKeyId,
    secretAccessKey: issued.SecretAccessKey,
    sessionToken: issued.SessionToken,
  };
  if (issued.Expiration) credentials.expiration = new Date(issued.Expiration);
  return credentials;
}
