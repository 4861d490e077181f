import assert from "node:assert/strict";
import type { Credentials } from "../lib/support/credentials.ts";
import { CredentialError } from "../lib/support/errors.ts";
import { lifetime, render, terminalSummary, timeLeft } from "../lib/output/formats.ts";

const temporary: Credentials = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "se/cr+et=",
  sessionToken: "tok/en+==",
  expiration: new Date("2026-01-02T03:04:05.999Z"),
};
const longTerm: Credentials = { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" };

Deno.test("render() writes compact credential_process JSON", () => {
  assert.equal(
    render(temporary, "process"),
    `{"Version":1,"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"se/cr+et=",` +
      `"SessionToken":"tok/en+==","Expiration":"2026-01-02T03:04:05Z"}\n`,
  );
  assert.equal(
    render(longTerm, "process"),
    `{"Version":1,"AccessKeyId":"AKIAEXAMPLE","SecretAccessKey":"secret"}\n`,
  );
});

Deno.test("render() indents JSON by two spaces when pretty", () => {
  assert.equal(
    render(longTerm, "process", true),
    `{\n  "Version": 1,\n  "AccessKeyId": "AKIAEXAMPLE",\n  "SecretAccessKey": "secret"\n}\n`,
  );
});

Deno.test("render() writes every shell format byte for byte", () => {
  const expected: Record<string, string> = {
    "env": "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nexport AWS_SECRET_ACCESS_KEY=se/cr+et=\n" +
      "export AWS_SESSION_TOKEN=tok/en+==\nexport AWS_CREDENTIAL_EXPIRATION=2026-01-02T03:04:05Z\n",
    "env-no-export": "AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=se/cr+et=\n" +
      "AWS_SESSION_TOKEN=tok/en+==\nAWS_CREDENTIAL_EXPIRATION=2026-01-02T03:04:05Z\n",
    "fish": `set -gx AWS_ACCESS_KEY_ID "ASIAEXAMPLE"\nset -gx AWS_SECRET_ACCESS_KEY "se/cr+et="\n` +
      `set -gx AWS_SESSION_TOKEN "tok/en+=="\nset -gx AWS_CREDENTIAL_EXPIRATION "2026-01-02T03:04:05Z"\n`,
    "powershell": `$Env:AWS_ACCESS_KEY_ID="ASIAEXAMPLE"\n$Env:AWS_SECRET_ACCESS_KEY="se/cr+et="\n` +
      `$Env:AWS_SESSION_TOKEN="tok/en+=="\n$Env:AWS_CREDENTIAL_EXPIRATION="2026-01-02T03:04:05Z"\n`,
    "windows-cmd": "set AWS_ACCESS_KEY_ID=ASIAEXAMPLE\nset AWS_SECRET_ACCESS_KEY=se/cr+et=\n" +
      "set AWS_SESSION_TOKEN=tok/en+==\nset AWS_CREDENTIAL_EXPIRATION=2026-01-02T03:04:05Z\n",
  };
  for (const [format, text] of Object.entries(expected)) {
    assert.equal(render(temporary, format as never), text, format);
  }
});

Deno.test("render() leaves out the session token and expiration when absent", () => {
  assert.equal(
    render(longTerm, "env-no-export"),
    "AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=secret\n",
  );
});

Deno.test("render() quotes unusual values so that eval cannot run them", () => {
  const odd: Credentials = { accessKeyId: "AKIA", secretAccessKey: `a'b $(rm) "c"` };
  assert.equal(
    render(odd, "env").split("\n")[1],
    `export AWS_SECRET_ACCESS_KEY='a'\\''b $(rm) "c"'`,
  );
  assert.equal(
    render(odd, "fish").split("\n")[1],
    `set -gx AWS_SECRET_ACCESS_KEY "a'b \\$(rm) \\"c\\""`,
  );
  assert.equal(
    render(odd, "powershell").split("\n")[1],
    '$Env:AWS_SECRET_ACCESS_KEY="a\'b `$(rm) `"c`""',
  );
  assert.throws(() => render(odd, "windows-cmd"), CredentialError);
});

Deno.test("render() refuses values with control characters", () => {
  const broken: Credentials = { accessKeyId: "AKIA", secretAccessKey: "line\nbreak" };
  assert.throws(() => render(broken, "env"), /AWS_SECRET_ACCESS_KEY contains control characters/);
});

Deno.test("terminalSummary() names the profile, key id and expiration, and masks the secrets", () => {
  const now = new Date("2026-01-02T02:22:00Z");
  const summary = terminalSummary(temporary, "dev", now);
  assert.equal(
    summary,
    "Profile:        dev\n" +
      "Access key id:  ASIAEXAMPLE\n" +
      "Valid:          until 2026-01-02T03:04:05Z (42m left)\n" +
      "Secret key:     ******** (hidden on a terminal)\n" +
      "Session token:  ******** (hidden on a terminal)\n" +
      "--json prints the credentials (--pretty indents them), --env-export as variables\n",
  );
  const keys = terminalSummary(longTerm, "default\x1b[2J", now);
  assert.match(keys, /^Profile: {8}"default\\u001b\[2J"\n/);
  assert.match(keys, /^Valid: {10}long-term keys, no expiration$/m);
  assert.doesNotMatch(keys, /Session token/);
  for (const secret of [temporary.secretAccessKey, temporary.sessionToken!, "secret"]) {
    assert.ok(!summary.includes(secret) && !keys.includes(secret), secret);
  }
});

Deno.test("lifetime() and timeLeft() say until when, in minutes or hours", () => {
  const end = new Date("2026-01-02T03:04:05Z");
  assert.equal(timeLeft(end, new Date("2026-01-02T03:04:04Z")), "0m");
  assert.equal(timeLeft(end, new Date("2026-01-02T01:59:05Z")), "1h05m");
  assert.equal(timeLeft(end, new Date("2026-01-02T03:04:06Z")), "expired");
  assert.equal(
    lifetime({ ...longTerm, expiration: end }, new Date("2026-01-01T03:04:05Z")),
    "until 2026-01-02T03:04:05Z (24h00m left)",
  );
  assert.equal(lifetime(longTerm), "long-term keys, no expiration");
});
