import assert from "node:assert/strict";
import { redact, registerSecret } from "../lib/support/redact.ts";

Deno.test("redact() masks registered secrets wherever they appear", () => {
  registerSecret("s3cr3t-value-registered");
  assert.deepEqual(
    redact("got s3cr3t-value-registered twice: s3cr3t-value-registered"),
    "got <redacted> twice: <redacted>",
  );
});

Deno.test("redact() masks secret-looking fields by name in JSON, INI and env forms", () => {
  assert.deepEqual(
    redact(`{"SecretAccessKey":"abc/def+ghi","AccessKeyId":"AKIA1"}`),
    `{"SecretAccessKey":"<redacted>","AccessKeyId":"AKIA1"}`,
  );
  assert.deepEqual(redact("aws_session_token = IQoJb3Jp"), "aws_session_token = <redacted>");
  assert.deepEqual(redact("AWS_SECRET_ACCESS_KEY=abcdef"), "AWS_SECRET_ACCESS_KEY=<redacted>");
  assert.deepEqual(redact(`"accessToken": "eyJhbGciOi"`), `"accessToken": "<redacted>"`);
});

Deno.test("redact() leaves ordinary text alone", () => {
  assert.deepEqual(
    redact("profile dev (from --profile), region eu-west-1"),
    "profile dev (from --profile), region eu-west-1",
  );
});
