import assert from "node:assert/strict";
import { CredentialError, printable } from "../lib/support/errors.ts";
import {
  checkDeviceAuthorization,
  checkRegistration,
  checkTokenAnswer,
  pollInterval,
  slowerInterval,
} from "../lib/sso/oidc_answers.ts";

Deno.test("pollInterval() keeps between 1 s and a minute, and 5 s when the service names none", () => {
  const table: [unknown, number][] = [
    [1, 1_000],
    [5, 5_000],
    [2.5, 2_500],
    [0, 1_000],
    [-3, 1_000],
    [0.001, 1_000],
    [60, 60_000],
    [600, 60_000],
    [2 ** 31, 60_000],
    [Infinity, 5_000],
    [NaN, 5_000],
    ["7", 5_000],
    ["abc", 5_000],
    [null, 5_000],
    [undefined, 5_000],
  ];
  for (const [seconds, expected] of table) {
    assert.equal(pollInterval(seconds), expected, String(seconds));
  }
});

Deno.test("slowerInterval() adds 5 s and stays within a minute", () => {
  assert.equal(slowerInterval(1_000), 6_000);
  assert.equal(slowerInterval(57_000), 60_000);
  assert.equal(slowerInterval(60_000), 60_000);
});

const DEVICE = {
  deviceCode: "device-code",
  userCode: "ABCD-EFGH",
  verificationUri: "https://device.sso.us-east-1.amazonaws.com/",
  verificationUriComplete: "https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH",
  interval: 1,
};

Deno.test("checkDeviceAuthorization() gives the complete URL, the code and the interval", () => {
  assert.deepEqual(checkDeviceAuthorization(DEVICE), {
    deviceCode: "device-code",
    userCode: "ABCD-EFGH",
    url: DEVICE.verificationUriComplete,
    intervalMs: 1_000,
  });
  const plain = checkDeviceAuthorization({ ...DEVICE, verificationUriComplete: undefined });
  assert.equal(plain.url, DEVICE.verificationUri);
  assert.equal(checkDeviceAuthorization({ ...DEVICE, interval: undefined }).intervalMs, 5_000);
  const local = { ...DEVICE, verificationUriComplete: "http://127.0.0.1:8080/device" };
  assert.equal(checkDeviceAuthorization(local).url, "http://127.0.0.1:8080/device");
});

Deno.test("checkDeviceAuthorization() refuses what it could not show or open safely", () => {
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ deviceCode: undefined }, /incomplete/],
    [{ deviceCode: 7 }, /incomplete/],
    [{ userCode: "" }, /incomplete/],
    [{ verificationUri: null }, /incomplete/],
    [{ userCode: "ABCD\x1b[2J" }, /sign-in code/],
    [{ userCode: "ABCD EFGH" }, /sign-in code/],
    [{ userCode: "ABCD\u202eHGFE" }, /sign-in code/],
    [{ userCode: 12345678 }, /sign-in code/],
    [{ verificationUriComplete: "https://x.example/\x1b]0;title\x07" }, /sign-in URL/],
    [{ verificationUriComplete: "https://x.example/\u009b2J" }, /sign-in URL/],
    [{ verificationUriComplete: "https://x.example/\u2066a" }, /sign-in URL/],
    [{ verificationUriComplete: "https://x.example/a\nfake line" }, /sign-in URL/],
    [{ verificationUriComplete: "https://x.example/ a" }, /sign-in URL/],
    [{ verificationUriComplete: "https://аmazonaws.com/" }, /sign-in URL/],
    [{ verificationUriComplete: "https://device.sso.amazonaws.com@evil.example/" }, /sign-in URL/],
    [{ verificationUriComplete: "http://device.example/" }, /sign-in URL/],
    [{ verificationUriComplete: "file:///etc/passwd" }, /sign-in URL/],
    [{ verificationUriComplete: "javascript:alert(1)" }, /sign-in URL/],
    [{ verificationUriComplete: "not a url" }, /sign-in URL/],
    [{ verificationUriComplete: ["https://x.example/"] }, /sign-in URL/],
    [{ verificationUri: "https://x.example/\x1b[2J" }, /sign-in URL/],
  ];
  for (const [fields, message] of refused) {
    assert.throws(
      () => checkDeviceAuthorization({ ...DEVICE, ...fields }),
      (error: Error) => error instanceof CredentialError && message.test(error.message),
      JSON.stringify(fields),
    );
  }
});

const NOW = Date.parse("2026-06-01T12:00:00Z");

Deno.test("checkTokenAnswer() turns a CreateToken answer into token file fields", () => {
  assert.deepEqual(
    checkTokenAnswer({
      accessToken: "access-token",
      expiresIn: 3600,
      refreshToken: "refresh-token",
      tokenType: "Bearer",
    }, NOW),
    {
      accessToken: "access-token",
      expiresAt: "2026-06-01T13:00:00Z",
      refreshToken: "refresh-token",
    },
  );
  assert.deepEqual(
    checkTokenAnswer({ accessToken: "a", expiresIn: 90 * 86400, refreshToken: null }, NOW),
    { accessToken: "a", expiresAt: "2026-08-30T12:00:00Z" },
  );
  assert.equal(
    checkTokenAnswer({ accessToken: "a", expiresIn: 1, tokenType: "bearer" }, NOW)
      .expiresAt,
    "2026-06-01T12:00:01Z",
  );
});

Deno.test("checkTokenAnswer() refuses a token without a usable expiry or of the wrong types", () => {
  const good = { accessToken: "a", expiresIn: 3600 };
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ accessToken: undefined }, /accessToken is missing or not text/],
    [{ accessToken: "" }, /accessToken/],
    [{ accessToken: 123 }, /accessToken/],
    [{ accessToken: ["a"] }, /accessToken/],
    [{ accessToken: "a\nb" }, /accessToken/],
    [{ expiresIn: undefined }, /expiresIn is not a positive number of seconds/],
    [{ expiresIn: 0 }, /expiresIn/],
    [{ expiresIn: -5 }, /expiresIn/],
    [{ expiresIn: NaN }, /expiresIn/],
    [{ expiresIn: "3600" }, /expiresIn/],
    [{ expiresIn: 1e12 }, /expiresIn is more than a year/],
    [{ expiresIn: Infinity }, /expiresIn is more than a year/],
    [{ refreshToken: 7 }, /refreshToken is empty or not text/],
    [{ refreshToken: "" }, /refreshToken/],
    [{ tokenType: "MAC" }, /tokenType is not Bearer/],
    [{ tokenType: 1 }, /tokenType/],
  ];
  for (const [fields, message] of refused) {
    assert.throws(
      () => checkTokenAnswer({ ...good, ...fields }, NOW),
      (error: Error) =>
        error instanceof CredentialError &&
        /^IAM Identity Center returned a token aec cannot use: /.test(error.message) &&
        message.test(error.message),
      JSON.stringify(fields),
    );
  }
});

Deno.test("checkRegistration() wants an id, a secret and an expiry still to come", () => {
  const good = { clientId: "c", clientSecret: "s", clientSecretExpiresAt: NOW / 1000 + 86400 };
  assert.deepEqual(checkRegistration(good, NOW), {
    clientId: "c",
    clientSecret: "s",
    expiresAt: "2026-06-02T12:00:00Z",
  });
  const refused: [Record<string, unknown>, RegExp][] = [
    [{ clientId: undefined }, /incomplete/],
    [{ clientSecret: 5 }, /incomplete/],
    [{ clientSecretExpiresAt: undefined }, /without a usable expiry/],
    [{ clientSecretExpiresAt: "soon" }, /without a usable expiry/],
    [{ clientSecretExpiresAt: 0 }, /without a usable expiry/],
    [{ clientSecretExpiresAt: 1e20 }, /without a usable expiry/],
  ];
  for (const [fields, message] of refused) {
    assert.throws(
      () => checkRegistration({ ...good, ...fields }, NOW),
      (error: Error) => error instanceof CredentialError && message.test(error.message),
      JSON.stringify(fields),
    );
  }
});

Deno.test("printable() shows what a terminal would act on as \\u escapes", () => {
  assert.equal(printable("access_denied"), "access_denied");
  assert.equal(printable("é ü 日本"), "é ü 日本");
  assert.equal(
    printable("a\x1b[2J\x07\n\x7f\u009b\u202e\u2069b"),
    "a\\u001b[2J\\u0007\\u000a\\u007f\\u009b\\u202e\\u2069b",
  );
});
