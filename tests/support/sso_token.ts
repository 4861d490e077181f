/** A signed-in IAM Identity Center session for the tests: a token in the sandbox's shared cache. */

import { sha1Hex } from "../../lib/support/python_json.ts";
import { GOOD_SSO_TOKEN } from "./fake_aws.ts";
import type { Sandbox } from "./sandbox.ts";

/** `time` as the token files spell it: `2026-01-02T03:04:05Z`. */
export function tokenTime(time: Date): string {
  return time.toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * Writes the token of sso-session `corp` (start URL https://corp.awsapps.com/start),
 * which the local portal accepts and which lasts an hour unless `fields` say otherwise.
 */
export async function writeSsoToken(
  sandbox: Pick<Sandbox, "write">,
  fields: Record<string, unknown> = {},
): Promise<void> {
  await sandbox.write(
    `.aws/sso/cache/${await sha1Hex("corp")}.json`,
    JSON.stringify({
      startUrl: "https://corp.awsapps.com/start",
      region: "us-east-1",
      accessToken: GOOD_SSO_TOKEN,
      expiresAt: tokenTime(new Date(Date.now() + 3600_000)),
      ...fields,
    }),
  );
}
