import assert from "node:assert/strict";
import { CredentialError } from "../lib/support/errors.ts";
import { planCredentials, type Profiles } from "../lib/config/profile_settings.ts";

const ROLE = "arn:aws:iam::111122223333:role/r";
const KEYS = { aws_access_key_id: "AKIA", aws_secret_access_key: "s" };

function refused(profiles: Profiles, name: string, message: RegExp) {
  assert.throws(() => planCredentials(profiles, name, true), (error: unknown) => {
    assert.ok(error instanceof CredentialError);
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("planCredentials() sends only a profile without credential settings to the chain", () => {
  assert.deepEqual(planCredentials({ p: { region: "eu-west-1" } }, "p", true), { kind: "chain" });
  assert.deepEqual(planCredentials({}, "default", false), { kind: "chain" });
  assert.deepEqual(planCredentials({ p: KEYS }, "p", true), {
    kind: "profile",
    source: "static keys",
  });
  for (
    const settings of [
      { credential_process: "x" },
      { credential_process: "x", aws_session_token: "stray" },
      { sso_session: "s" },
      { sso_start_url: "https://x" },
      { login_session: "arn" },
      { role_arn: ROLE, web_identity_token_file: "/t" },
      { role_arn: ROLE, credential_source: "EcsContainer" },
    ]
  ) {
    assert.equal(planCredentials({ p: settings }, "p", true).kind, "profile");
  }
});

Deno.test("planCredentials() follows source_profile chains and allows a self-reference with keys", () => {
  const profiles: Profiles = {
    a: { role_arn: ROLE, source_profile: "b" },
    b: { role_arn: ROLE, source_profile: "c" },
    c: { role_arn: ROLE, source_profile: "c", ...KEYS },
    d: { role_arn: ROLE, source_profile: "e" },
    e: { credential_source: "Environment" },
  };
  assert.deepEqual(planCredentials(profiles, "a", true), { kind: "profile", source: "role_arn" });
  assert.equal(planCredentials(profiles, "d", true).kind, "profile");
});

Deno.test("planCredentials() refuses settings that cannot give credentials", () => {
  refused({}, "missing", /The config profile \(missing\) could not be found/);
  refused({}, "constructor", /could not be found/);
  refused({ p: { aws_secret_access_key: "s" } }, "p", /sets no aws_access_key_id/);
  refused(
    { p: { aws_session_token: "t" } },
    "p",
    /sets aws_session_token but no aws_access_key_id/,
  );
  refused({ p: { source_profile: "q" }, q: KEYS }, "p", /sets source_profile but no role_arn/);
  refused(
    { p: { role_arn: ROLE, source_profile: "q", credential_source: "Environment" }, q: KEYS },
    "p",
    /sets both source_profile and credential_source/,
  );
  refused({ p: { role_arn: ROLE, credential_source: "Bogus" } }, "p", /credential_source "Bogus"/);
  refused({ p: { web_identity_token_file: "/t" } }, "p", /web_identity_token_file but no role_arn/);
  refused(
    { a: { role_arn: ROLE, source_profile: "b" }, b: { role_arn: ROLE, source_profile: "a" } },
    "a",
    /chain of profile "a" has a cycle: a -> b -> a/,
  );
  refused(
    { a: { role_arn: ROLE, source_profile: "b" }, b: { aws_access_key_id: "AKIA" } },
    "a",
    /profile "b" sets aws_access_key_id but no aws_secret_access_key/,
  );
  refused({ p: { Aws_Access_Key_Id: "AKIA" } }, "p", /sets Aws_Access_Key_Id/);
});

Deno.test("planCredentials() refuses a profile with two sources the AWS CLI and the SDK order differently", () => {
  const SSO = { sso_session: "corp", sso_account_id: "111122223333", sso_role_name: "r" };
  const both = /has both .* between which the AWS CLI and the AWS SDK choose differently; keep one/;
  refused({ p: { ...KEYS, credential_process: "x" } }, "p", both);
  refused({ p: { ...KEYS, ...SSO } }, "p", both);
  refused({ p: { credential_process: "x", sso_start_url: "https://x" } }, "p", both);
  // In a source profile too, which botocore resolves in the same order.
  refused({ r: { role_arn: ROLE, source_profile: "p" }, p: { ...KEYS, ...SSO } }, "r", both);
  // A role is assumed first by both, whatever else its profile holds.
  assert.deepEqual(
    planCredentials({ p: { role_arn: ROLE, source_profile: "p", ...KEYS } }, "p", true),
    {
      kind: "profile",
      source: "role_arn",
    },
  );
});
