/**
 * Serving credentials that refresh: `--imds`, `--container`, and
 * `--serve --exec`. The SDK's memoized provider refreshes them; the servers in
 * servers.ts speak the protocols.
 */

import type { Address, RunOptions } from "../options/mod.ts";
import { childEnvironment, execute } from "../exec/mod.ts";
import {
  chooseRegion,
  CredentialError,
  isoSeconds,
  type Logger,
  type ProfileChoice,
  tell,
} from "../support/mod.ts";
import {
  createCredentialProvider,
  keepFresh,
  mfaSessionEnd,
  resolveRequest,
  SERVING_POLICY,
} from "../resolve/mod.ts";
import { callerArn } from "../sdk/mod.ts";
import { prepareChildFiles } from "./served_profile.ts";
import { SERVED_PROFILE } from "../config/mod.ts";
import {
  createContainerHandler,
  createImdsHandler,
  generateToken,
  type Handler,
  isLoopback,
  startServer,
} from "./servers.ts";

const encoder = new TextEncoder();
const WILDCARD_HOST = /(?<=^http:\/\/)(?:0\.0\.0\.0|\[::\])(?=:)/;

function say(line: string): void {
  Deno.stderr.writeSync(encoder.encode(`${line}\n`));
}

/** The role an identity ARN names: `role/NAME`, `assumed-role/NAME/…`, or `user/NAME`. */
export function roleNameFromArn(arn: string): string {
  const resource = arn.split(":").slice(5).join(":");
  const [type, ...rest] = resource.split("/");
  if (type === "assumed-role") return rest[0] || "aec";
  return rest.at(-1) || type || "aec";
}

/** The IAM role ARN behind an assumed-role session ARN, or the ARN itself. */
function roleArnFromArn(arn: string): string {
  const match = /^arn:([^:]+):sts::(\d+):assumed-role\/([^/]+)\//.exec(arn);
  return match ? `arn:${match[1]}:iam::${match[2]}:role/${match[3]}` : arn;
}

/**
 * Runs the server or command the mode asks for and returns the exit code.
 * Credentials are resolved once before anything listens, so a broken profile
 * fails at once with its own error.
 */
export async function serve(
  options: RunOptions,
  profile: ProfileChoice,
  env: Record<string, string>,
  log: Logger,
): Promise<number> {
  const provider = await createCredentialProvider({
    ...resolveRequest(options, profile, log),
    // Served credentials are always temporary: SDKs expect a session token.
    ensureTemporary: true,
  });
  const first = await provider.credentials();
  if (!first.sessionToken || !first.expiration) {
    // SDKs reject endpoint credentials without both; better to say so now.
    throw new CredentialError(
      `Profile ${profile.name} gives credentials without an expiration, which cannot be served`,
    );
  }
  if (provider.mfaRole) {
    const end = await mfaSessionEnd(provider.mfaRole, env, log);
    say(
      `aec: the MFA session for ${provider.mfaRole.serial} lasts until ` +
        `${end ? isoSeconds(end) : "its end"}; aec asks for a new code on this terminal then`,
    );
  } else if (provider.mfaSerial) {
    say(
      `aec: warning: profile ${profile.name} needs an MFA code for ${provider.mfaSerial}; ` +
        "aec will ask on this terminal each time its credentials are refreshed",
    );
  }
  const source = keepFresh(provider.credentials, { ...SERVING_POLICY, log }, first);
  const region = chooseRegion(options.region, provider.profileRegion, env);
  const { mode, allowedHosts = [] } = options;

  if (mode.kind === "exec") {
    const token = generateToken();
    const controller = new AbortController();
    const server = listen(
      { hostname: "127.0.0.1", port: 0 },
      createContainerHandler({
        source,
        token,
        ...(provider.roleArn === undefined ? {} : { roleArn: provider.roleArn }),
        log,
      }),
      controller.signal,
      allowedHosts,
      log,
    );
    try {
      const files = await prepareChildFiles(provider.profiles, provider.settings, env);
      const variables: [string, string][] = [
        ["AWS_CONTAINER_CREDENTIALS_FULL_URI", `${server.url}/`],
        ["AWS_CONTAINER_AUTHORIZATION_TOKEN", token],
        ...files.variables,
      ];
      log.debug(
        `running ${mode.command ?? "a shell"} as profile ${SERVED_PROFILE} of a private ` +
          `config file, with a container endpoint at ${server.url}/`,
      );
      try {
        return await execute(
          mode,
          childEnvironment(env, profile.name, variables, options.noRegion ? undefined : region),
          { profile: profile.name, lifetime: "refreshed by aec while it runs" },
          log,
        );
      } finally {
        await files.dispose();
      }
    } finally {
      controller.abort();
      await server.finished;
    }
  }

  if (mode.kind !== "imds" && mode.kind !== "container") {
    throw new Error(`serve() cannot handle mode ${mode.kind}`);
  }
  const roleArn = provider.roleArn ?? roleArnFromArn(await callerArn(source, region));
  const serving =
    `aec: serving profile ${profile.name}'s credentials (the current ones last until ` +
    `${isoSeconds(first.expiration)}; aec refreshes them before they expire); Ctrl-C stops`;
  if (mode.kind === "imds") {
    const handler = createImdsHandler({
      source,
      roleName: roleNameFromArn(roleArn),
      log,
      ...(region === undefined ? {} : { region }),
    });
    return await serveUntilStopped(mode.address, handler, allowedHosts, log, serving, (url) => [
      `AWS_EC2_METADATA_SERVICE_ENDPOINT=${url}`,
    ]);
  }
  const token = mode.token ?? generateToken();
  const handler = createContainerHandler({ source, token, roleArn, log });
  return await serveUntilStopped(mode.address, handler, allowedHosts, log, serving, (url) => [
    // SDKs accept a plain-http container URL only on loopback (and ECS's own
    // link-local addresses), so a wildcard bind is announced on 127.0.0.1.
    `AWS_CONTAINER_CREDENTIALS_FULL_URI=${url.replace(WILDCARD_HOST, "127.0.0.1")}`,
    `AWS_CONTAINER_AUTHORIZATION_TOKEN=${token}`,
  ]);
}

function listen(
  address: Address,
  handler: Handler,
  signal: AbortSignal,
  allowedHosts: readonly string[],
  log: Logger,
) {
  return startServer({
    ...address,
    handler,
    signal,
    allowedHosts,
    log,
    warn: (message) => say(`aec: warning: ${message}`),
  });
}

/**
 * Serves until SIGINT or SIGTERM, after printing the environment lines a
 * client needs (and, on a terminal, `serving`).
 */
async function serveUntilStopped(
  address: Address,
  handler: Handler,
  allowedHosts: readonly string[],
  log: Logger,
  serving: string,
  clientEnvironment: (url: string) => string[],
): Promise<number> {
  const controller = new AbortController();
  const server = listen(address, handler, controller.signal, allowedHosts, log);
  if (!isLoopback(address.hostname)) {
    say(
      `aec: warning: serving credentials on ${address.hostname}, which other machines may reach`,
    );
  }
  const stop = () => controller.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, stop);
  for (const line of clientEnvironment(`${server.url}/`)) say(line);
  tell(serving);
  await server.finished;
  for (const signal of signals) Deno.removeSignalListener(signal, stop);
  return 0;
}
