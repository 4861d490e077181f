import assert from "node:assert/strict";
import { pythonJsonDumps, sha1Hex } from "../lib/python_json.ts";
import { isReusable, type SsoToken, tokenState } from "../lib/sso/token_cache.ts";

Deno.test("pythonJsonDumps() writes what Python's json.dumps(sort_keys=True) writes", () => {
  // Expected strings computed with CPython 3.11's json.dumps(..., sort_keys=True).
  assert.equal(
    pythonJsonDumps({ tool: "botocore", startUrl: "https://x/start", scopes: ["a", "b"], n: null }),
    '{"n": null, "scopes": ["a", "b"], "startUrl": "https://x/start", "tool": "botocore"}',
  );
  assert.equal(
    pythonJsonDumps({ s: 'h\u00e9\u2028\x7f"\\\n' }),
    '{"s": "h\\u00e9\\u2028\\u007f\\"\\\\\\n"}',
  );
  assert.equal(
    pythonJsonDumps({ RoleArn: "r", DurationSeconds: 3600 }),
    '{"DurationSeconds": 3600, "RoleArn": "r"}',
  );
  // json.dumps(..., sort_keys=True, separators=(",", ":"))
  assert.equal(
    pythonJsonDumps({ tool: "botocore", scopes: ["a", "b"], n: null }, { compact: true }),
    '{"n":null,"scopes":["a","b"],"tool":"botocore"}',
  );
});

Deno.test("sha1Hex() names token files as the AWS CLI does", async () => {
  // hashlib.sha1(b"my-sso").hexdigest()
  assert.equal(await sha1Hex("my-sso"), "0ad374308c5a4e22f723adf10145eafad7c4031c");
});

const NOW = Date.parse("2026-06-01T12:00:00Z");
const base: SsoToken = {
  startUrl: "https://x/start",
  region: "us-east-1",
  accessToken: "a",
  expiresAt: "2026-06-01T13:00:00Z",
};

Deno.test("tokenState() tells valid, refreshable, expired and missing apart", () => {
  assert.equal(tokenState(undefined, NOW), "missing");
  assert.equal(tokenState(base, NOW), "valid");
  const ended = { ...base, expiresAt: "2026-06-01T11:00:00Z" };
  assert.equal(tokenState(ended, NOW), "expired");
  const refreshable = {
    ...ended,
    refreshToken: "r",
    clientId: "c",
    clientSecret: "s",
    registrationExpiresAt: "2026-09-01T00:00:00Z",
  };
  assert.equal(tokenState(refreshable, NOW), "refreshable");
  assert.equal(
    tokenState({ ...refreshable, registrationExpiresAt: "2026-05-01T00:00:00Z" }, NOW),
    "expired",
  );
});

Deno.test("isReusable() wants the grant types and more than 15 minutes left", () => {
  const registration = {
    clientId: "c",
    clientSecret: "s",
    expiresAt: "2026-06-01T12:30:00Z",
    grantTypes: ["authorization_code", "refresh_token"],
  };
  assert.equal(isReusable(registration, ["authorization_code"], NOW), true);
  assert.equal(
    isReusable(registration, ["urn:ietf:params:oauth:grant-type:device_code"], NOW),
    false,
  );
  assert.equal(isReusable({ ...registration, expiresAt: "2026-06-01T12:10:00Z" }, [], NOW), false);
  assert.equal(isReusable({ clientId: "c" }, [], NOW), false);
});
