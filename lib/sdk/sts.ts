/**
 * The STS calls aec makes itself (GetSessionToken, GetFederationToken,
 * GetCallerIdentity, AssumeRole with an MFA session): each with a timeout, a
 * one-line error naming the call, and the secrets it returns registered for
 * redaction.
 */

import { CredentialError, type Credentials, registerSecret } from "../support/mod.ts";
import { type RequestHandler, timedRequestHandler } from "./http.ts";
import { callWith } from "./client_call.ts";

type StsModule = typeof import("@aws-sdk/client-sts");
type StsClient = InstanceType<StsModule["STSClient"]>;

export interface StsOptions {
  /** STS is global; us-east-1 is where the AWS CLI sends it without a region. */
  region: string | undefined;
  credentials: Credentials | (() => Promise<Credentials>);
  requestHandler?: RequestHandler;
  /** Added to the client's middleware stack, e.g. {@linkcode AssumeRoleRecorder.plugin}. */
  plugins?: readonly ClientPlugin[];
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
  for (const plugin of options.plugins ?? []) client.middlewareStack.use(plugin);
  return await callWith("STS", operation, client, (client) => call(client, sts));
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

/**
 * What STS answered to an AssumeRole besides the secrets, which botocore keeps
 * in the AWS CLI's cache entry: who the session is, and the response's metadata.
 */
export interface AssumeRoleAnswer {
  /** The access key id it issued, to tell which credentials the answer belongs to. */
  accessKeyId: string;
  AssumedRoleUser: { AssumedRoleId: string; Arn: string };
  PackedPolicySize?: number;
  SourceIdentity?: string;
  ResponseMetadata: {
    RequestId?: string;
    HTTPStatusCode?: number;
    HTTPHeaders: Record<string, string>;
    RetryAttempts?: number;
  };
}

/** A plugin of the SDK's clients (`Pluggable`), as clients and credential providers take it. */
type ClientPlugin = Parameters<StsClient["middlewareStack"]["use"]>[0];

/** Records the last AssumeRole answer of the clients its plugin is added to. */
export interface AssumeRoleRecorder {
  plugin: ClientPlugin;
  /** The last answer, if it issued `accessKeyId`. */
  answerFor(accessKeyId: string): AssumeRoleAnswer | undefined;
}

export function assumeRoleRecorder(): AssumeRoleRecorder {
  let last: AssumeRoleAnswer | undefined;
  const plugin: ClientPlugin = {
    applyToStack: (stack) =>
      stack.add((next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === "AssumeRoleCommand") {
          last = answerOf(result.output, result.response) ?? last;
        }
        return result;
      }, { step: "initialize", name: "aecAssumeRoleRecorder" }),
  };
  return {
    plugin,
    answerFor: (accessKeyId) => last?.accessKeyId === accessKeyId ? last : undefined,
  };
}

interface AssumeRoleOutput {
  Credentials?: { AccessKeyId?: string };
  AssumedRoleUser?: { AssumedRoleId?: string; Arn?: string };
  PackedPolicySize?: number;
  SourceIdentity?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

function answerOf(output: unknown, response: unknown): AssumeRoleAnswer | undefined {
  const { Credentials, AssumedRoleUser, PackedPolicySize, SourceIdentity, $metadata } =
    (output ?? {}) as AssumeRoleOutput;
  const user = AssumedRoleUser;
  // Without who the session is, there is nothing to add to the credentials.
  if (!Credentials?.AccessKeyId || !user?.AssumedRoleId || !user.Arn) return undefined;
  const headers = (response as { headers?: Record<string, string> } | undefined)?.headers ?? {};
  // In botocore's order, which the AWS CLI's entries show.
  const metadata: AssumeRoleAnswer["ResponseMetadata"] = {
    ...($metadata?.requestId === undefined ? {} : { RequestId: $metadata.requestId }),
    ...($metadata?.httpStatusCode === undefined
      ? {}
      : { HTTPStatusCode: $metadata.httpStatusCode }),
    HTTPHeaders: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    ...($metadata?.attempts === undefined ? {} : { RetryAttempts: $metadata.attempts - 1 }),
  };
  return {
    accessKeyId: Credentials.AccessKeyId,
    AssumedRoleUser: { AssumedRoleId: user.AssumedRoleId, Arn: user.Arn },
    ...(PackedPolicySize === undefined ? {} : { PackedPolicySize }),
    ...(SourceIdentity === undefined ? {} : { SourceIdentity }),
    ResponseMetadata: metadata,
  };
}

/** The ARN of the identity `credentials` belong to (STS GetCallerIdentity). */
export function callerArn(
  credentials: () => Promise<Credentials>,
  region: string | undefined,
): Promise<string> {
  return withSts("GetCallerIdentity", { region, credentials }, async (client, sts) => {
    const { Arn } = await client.send(new sts.GetCallerIdentityCommand({}));
    if (!Arn) throw new CredentialError("STS GetCallerIdentity returned no ARN");
    return Arn;
  });
}
