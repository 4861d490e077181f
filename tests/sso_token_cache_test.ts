import assert from "node:assert/strict";
import { pythonJsonDumps, sha1Hex } from "../lib/support/python_json.ts";
import { isReusable, parseTokenTime, type SsoToken, tokenState } from "../lib/sso/token_cache.ts";
import { tokenTimesWithBotocore } from "./support/botocore.ts";
import { botocores, requires } from "./support/clients.ts";

const BOTOCORE = await botocores();

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

const JAN_1_2030 = Date.UTC(2030, 0, 1);

// Each time as botocore reads it (dateutil 2.9 through botocore 1.43, checked below), or
// `undefined` where botocore fails.
const TOKEN_TIMES: [string, number | undefined][] = [
  ["2030-01-01T00:00:00Z", JAN_1_2030],
  ["2030-01-01T00:00:00UTC", JAN_1_2030],
  ["2030-01-01T00:00:00 UTC", JAN_1_2030],
  ["2030-01-01T00:00:00.123456UTC", JAN_1_2030 + 123],
  ["2030-01-01T00:00:00GMT", JAN_1_2030],
  ["2030-01-01t00:00:00z", JAN_1_2030],
  ["2030-01-01T00:00:00.123Z", JAN_1_2030 + 123],
  ["2030-01-01T00:00:00.123456789Z", JAN_1_2030 + 123],
  ["2030-01-01T00:00:00,5Z", JAN_1_2030 + 500],
  ["2030-01-01T00:00:00+00:00", JAN_1_2030],
  ["2030-01-01T00:00:00-00:00", JAN_1_2030],
  ["2030-01-01T00:00:00+0000", JAN_1_2030],
  ["2030-01-01T00:00:00+02:00", JAN_1_2030 - 2 * 3600_000],
  ["2030-01-01T00:00:00-0530", JAN_1_2030 + 5.5 * 3600_000],
  ["2030-01-01T00:00:00+02", JAN_1_2030 - 2 * 3600_000],
  ["2030-01-01T00:00:00+23:59", JAN_1_2030 - (23 * 60 + 59) * 60_000],
  ["2030-01-01 00:00:00Z", JAN_1_2030],
  ["20300101T000000Z", JAN_1_2030],
  ["2030-01-01T0000Z", JAN_1_2030],
  ["2030-01-01T00:00Z", JAN_1_2030],
  [" 2030-01-01T00:00:00Z ", JAN_1_2030],
  ["2028-02-29T12:00:00Z", Date.UTC(2028, 1, 29, 12)],
  ["1969-12-31T23:59:59.5Z", -500],
  ["0030-01-01T00:00:00Z", Date.UTC(2030, 0, 1) - 2000 * 365.2425 * 86400_000],
  // No zone: botocore cannot compare it with the time now.
  ["2030-01-01T00:00:00", undefined],
  ["2030-01-01T00:00:00utc", undefined],
  ["2030-01-01T00:00:00UT", undefined],
  ["2030-01-01T00:00:00EST", undefined],
  ["2030-01-01T00:00:00ZZ", undefined],
  ["2030-01-01T24:00:00Z", undefined],
  ["2030-01-01T00:00:60Z", undefined],
  ["2030-02-30T00:00:00Z", undefined],
  ["2030-02-29T12:00:00Z", undefined],
  ["2030-01-01T00:00:00+24:00", undefined],
  ["", undefined],
  ["soon", undefined],
];

Deno.test("parseTokenTime() reads the spellings botocore reads, UTC among them", () => {
  for (const [text, expected] of TOKEN_TIMES) {
    assert.equal(parseTokenTime(text), expected, JSON.stringify(text));
  }
});

Deno.test({
  ...requires("parseTokenTime() agrees with every botocore here", BOTOCORE),
  async fn() {
    for (const botocore of BOTOCORE.found ?? []) {
      const theirs = await tokenTimesWithBotocore(botocore, TOKEN_TIMES.map(([text]) => text));
      TOKEN_TIMES.forEach(([text], index) => {
        assert.equal(
          parseTokenTime(text),
          theirs[index] ?? undefined,
          `${JSON.stringify(text)} (botocore ${botocore.version})`,
        );
      });
    }
  },
});

Deno.test("tokenState() reads an expiresAt that ends in UTC as the AWS CLI v2 once wrote it", () => {
  assert.equal(tokenState({ ...base, expiresAt: "2026-06-01T13:00:00UTC" }, NOW), "valid");
  assert.equal(tokenState({ ...base, expiresAt: "2026-06-01T11:00:00UTC" }, NOW), "expired");
  assert.equal(tokenState({ ...base, expiresAt: "2026-06-01T13:00:00" }, NOW), "expired");
});
