import assert from "node:assert/strict";
import { credentialEnvironment, userShell } from "../lib/exec/mod.ts";

Deno.test("credentialEnvironment() replaces stale AWS identity variables and an outer AEC_PROFILE", () => {
  const env = credentialEnvironment(
    {
      PATH: "/bin",
      AWS_PROFILE: "old",
      AWS_DEFAULT_PROFILE: "old",
      AWS_ACCESS_KEY_ID: "AKIAOLD",
      AWS_SECRET_ACCESS_KEY: "old-secret",
      AWS_SESSION_TOKEN: "old-token",
      AWS_SECURITY_TOKEN: "old-token",
      AWS_CREDENTIAL_EXPIRATION: "2000-01-01T00:00:00Z",
      AEC_PROFILE: "outer",
    },
    "new",
    { accessKeyId: "AKIANEW", secretAccessKey: "new-secret" },
    undefined,
  );
  assert.deepEqual(env, {
    PATH: "/bin",
    AWS_ACCESS_KEY_ID: "AKIANEW",
    AWS_SECRET_ACCESS_KEY: "new-secret",
    AEC_PROFILE: "new",
    AWS_CLI_AUTO_PROMPT: "off",
  });
});

Deno.test("credentialEnvironment() adds the session token, expiration, region and AEC_PROFILE", () => {
  const env = credentialEnvironment(
    { AWS_REGION: "us-west-2" },
    "dev",
    {
      accessKeyId: "ASIA1",
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration: new Date("2026-01-02T03:04:05.678Z"),
    },
    "eu-central-1",
  );
  assert.deepEqual(env, {
    AWS_ACCESS_KEY_ID: "ASIA1",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_SESSION_TOKEN: "token",
    AWS_CREDENTIAL_EXPIRATION: "2026-01-02T03:04:05Z",
    AEC_PROFILE: "dev",
    AWS_REGION: "eu-central-1",
    AWS_DEFAULT_REGION: "eu-central-1",
    AWS_CLI_AUTO_PROMPT: "off",
  });
});

Deno.test("userShell() takes $SHELL, else /bin/sh, and %ComSpec% on Windows", () => {
  assert.equal(userShell({ SHELL: "/usr/bin/fish" }, "linux"), "/usr/bin/fish");
  assert.equal(userShell({ SHELL: "" }, "darwin"), "/bin/sh");
  assert.equal(userShell({}, "linux"), "/bin/sh");
  assert.equal(
    userShell({ SHELL: "/usr/bin/bash", ComSpec: "C:\\Windows\\system32\\cmd.exe" }, "windows"),
    "C:\\Windows\\system32\\cmd.exe",
  );
  assert.equal(userShell({}, "windows"), "cmd.exe");
});
