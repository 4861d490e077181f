import assert from "node:assert/strict";
import { hostRefusal, isHostName, normalizeHostName } from "../lib/options/host_names.ts";

Deno.test("hostRefusal() allows IP addresses, localhost and allowed names, with any port", () => {
  const allowed = ["host.docker.internal"];
  for (
    const host of [
      "127.0.0.1",
      "127.0.0.1:9911",
      "192.168.1.20:80",
      "[::1]",
      "[::1]:9911",
      "[fe80::1]:1",
      "localhost",
      "LocalHost:9911",
      "localhost.:9911",
      "host.docker.internal:9911",
      "HOST.DOCKER.INTERNAL.",
    ]
  ) {
    assert.equal(hostRefusal(host, allowed), undefined, host);
  }
});

Deno.test("hostRefusal() refuses other names, malformed values and a missing Host", () => {
  const allowed = ["host.docker.internal"];
  for (
    const host of [
      "evil.example",
      "evil.example:9911",
      "localhost.evil.example",
      "127.0.0.1.evil.example",
      "sub.localhost",
      "localhost..",
      "docker.internal",
      "",
      ":9911",
      "[::1",
      "::1",
      "[zz]:1",
      "999.0.0.1",
      "127.0.0.1:99999999",
      "127.0.0.1, evil.example",
    ]
  ) {
    assert.match(
      hostRefusal(host, allowed) ?? "allowed",
      /^refused a request for Host ".*": not an IP address, localhost, or a name given with --allow-host$/,
      host,
    );
  }
  assert.equal(hostRefusal(null, allowed), "refused a request without a Host header");
});

Deno.test("hostRefusal() quotes at most 100 characters of a refused Host", () => {
  const refusal = hostRefusal("a".repeat(5000), []) ?? "";
  assert.ok(refusal.length < 250, refusal);
});

Deno.test("isHostName() takes DNS names only and normalizeHostName() lowers and trims a dot", () => {
  for (const name of ["host.docker.internal", "db", "my_service", "Gateway.", "10.0.0.1"]) {
    assert.ok(isHostName(name), name);
  }
  for (const name of ["", "*", "*.example", "a..b", ".a", "a:1", "[::1]", "a b", "-a", "a/b"]) {
    assert.ok(!isHostName(name), name);
  }
  assert.equal(normalizeHostName("Host.Docker.Internal."), "host.docker.internal");
  assert.equal(normalizeHostName("localhost"), "localhost");
});
