/**
 * A container credentials endpoint serving another role, as on ECS, CodeBuild
 * or beside `aec --container`: a run that falls back to the SDK's chain would
 * print that role's keys.
 */

import assert from "node:assert/strict";
import type { RunResult, Sandbox } from "./sandbox.ts";

export const CONTAINER_KEY_ID = "ASIACONTAINERROLE000";

/** A container endpoint that hands out another role's credentials, for the length of `body`. */
export async function withContainerRole(body: (env: Record<string, string>) => Promise<void>) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      Response.json({
        AccessKeyId: CONTAINER_KEY_ID,
        SecretAccessKey: "containerSecret",
        Token: "containerToken",
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
  );
  try {
    await body({ AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${server.addr.port}/` });
  } finally {
    await server.shutdown();
  }
}

/** Runs aec in `sandbox` with the container endpoint there. */
export async function runWithContainer(sandbox: Sandbox, args: string[]): Promise<RunResult> {
  let result: RunResult | undefined;
  await withContainerRole(async (env) => {
    result = await sandbox.run(args, { env });
  });
  return result!;
}

/** Asserts that aec printed nothing, exited 3 and said `line` on one line of stderr. */
export function assertRefused(result: RunResult, line: RegExp) {
  assert.equal(result.stdout, "", "credentials were printed");
  assert.doesNotMatch(result.stderr, new RegExp(CONTAINER_KEY_ID));
  assert.equal(result.stderr.split("\n").length, 2, `not one line: ${result.stderr}`);
  assert.match(result.stderr, line);
  assert.equal(result.code, 3, result.stderr);
}
