/** The HTTP handler every SDK client of aec uses. */

import { UnreachableError } from "../support/mod.ts";

// Without a timeout, one STS or SSO endpoint that accepts a connection and
// never answers would hang aec (and every request to a server waiting on it).
// The SDK's Node handler cannot time out under Deno; its fetch handler (Deno's
// own fetch, aborted on time) can.
const REQUEST_TIMEOUT_MS = 5_000;

export type RequestHandler = Awaited<ReturnType<typeof timedRequestHandler>>;

/**
 * The SDK's fetch handler, with a timeout on every request, and a request
 * that reaches no server failing with an {@link UnreachableError}.
 */
export async function timedRequestHandler() {
  const { FetchHttpHandler } = await import("@smithy/fetch-http-handler");
  return new (class extends FetchHttpHandler {
    override async handle(...args: Parameters<InstanceType<typeof FetchHttpHandler>["handle"]>) {
      try {
        return await super.handle(...args);
      } catch (error) {
        throw UnreachableError.from(error) ?? error;
      }
    }
  })({ requestTimeout: REQUEST_TIMEOUT_MS });
}
