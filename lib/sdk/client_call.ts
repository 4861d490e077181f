/**
 * One call with a client of aec's own (STS, IAM): the client closed however
 * the call ends, and any failure as one line naming the service and the call.
 */

import { AecError, CredentialError, firstLine } from "../support/mod.ts";

/**
 * Runs `call` with `client`, then destroys it.
 *
 * @throws {CredentialError} `SERVICE OPERATION failed: …` for any failure but aec's own.
 */
export async function callWith<Client extends { destroy(): void }, T>(
  service: string,
  operation: string,
  client: Client,
  call: (client: Client) => Promise<T>,
): Promise<T> {
  try {
    return await call(client);
  } catch (error) {
    if (error instanceof AecError) throw error;
    throw new CredentialError(`${service} ${operation} failed: ${firstLine(error)}`, error);
  } finally {
    client.destroy();
  }
}
