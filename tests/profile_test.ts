import assert from "node:assert/strict";
import { chooseProfile } from "../lib/support/profile.ts";

Deno.test("chooseProfile() prefers --profile, then AWS_PROFILE, then AWS_DEFAULT_PROFILE", () => {
  const env = { AWS_PROFILE: "from-env", AWS_DEFAULT_PROFILE: "from-default" };
  assert.deepEqual(chooseProfile("flag", env), {
    name: "flag",
    explicit: true,
    origin: "--profile",
  });
  assert.deepEqual(chooseProfile(undefined, env), {
    name: "from-env",
    explicit: true,
    origin: "AWS_PROFILE",
  });
  assert.deepEqual(chooseProfile(undefined, { AWS_DEFAULT_PROFILE: "from-default" }), {
    name: "from-default",
    explicit: true,
    origin: "AWS_DEFAULT_PROFILE",
  });
});

Deno.test("chooseProfile() falls back to an implicit default and ignores empty variables", () => {
  assert.deepEqual(chooseProfile(undefined, { AWS_PROFILE: "" }), {
    name: "default",
    explicit: false,
    origin: "default",
  });
});
