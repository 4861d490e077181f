import assert from "node:assert/strict";
import { parseDuration } from "../lib/cli/parse.ts";
import {
  defaultDestination,
  federationName,
  partitionOf,
  signinBase,
} from "../lib/console/sign_in.ts";
import { UsageError } from "../lib/support/errors.ts";

Deno.test("signinBase() picks the partition's sign-in host, or AWS_ENDPOINT_URL_SIGNIN", () => {
  assert.equal(signinBase(undefined, {}), "https://signin.aws.amazon.com");
  assert.equal(signinBase("eu-west-1", {}), "https://signin.aws.amazon.com");
  assert.equal(signinBase("cn-northwest-1", {}), "https://signin.amazonaws.cn");
  assert.equal(signinBase("us-gov-west-1", {}), "https://signin.amazonaws-us-gov.com");
  assert.equal(
    signinBase("eu-west-1", { AWS_ENDPOINT_URL_SIGNIN: "http://127.0.0.1:8080/" }),
    "http://127.0.0.1:8080",
  );
  assert.equal(partitionOf("us-gov-east-1"), "aws-us-gov");
});

Deno.test("defaultDestination() opens the region's console home on the partition's host", () => {
  assert.equal(defaultDestination(undefined), "https://console.aws.amazon.com/");
  assert.equal(
    defaultDestination("us-gov-west-1"),
    "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1",
  );
  assert.equal(
    defaultDestination("cn-north-1"),
    "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1",
  );
});

Deno.test("federationName() keeps at most 32 characters STS allows", () => {
  assert.equal(federationName("alice"), "alice");
  assert.equal(federationName("a".repeat(40)), "a".repeat(32));
  assert.equal(federationName("j o/hn!"), "john");
  assert.equal(federationName("!"), "aec");
});

Deno.test("parseDuration() reads seconds, hours and minutes within 15m to 12h", () => {
  assert.equal(parseDuration("3600"), 3600);
  assert.equal(parseDuration("90m"), 5400);
  assert.equal(parseDuration("12h"), 43200);
  assert.equal(parseDuration("1h30m"), 5400);
  assert.equal(parseDuration("15m"), 900);
  for (const bad of ["899", "14m", "12h1s", "1d", "", "h", "-1h"]) {
    assert.throws(() => parseDuration(bad), UsageError, bad);
  }
});
