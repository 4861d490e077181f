import assert from "node:assert/strict";
import { parseDuration } from "../lib/cli/parse.ts";
import {
  defaultDestination,
  federationName,
  partitionOf,
  signinBase,
} from "../lib/console/sign_in.ts";
import { UsageError } from "../lib/support/errors.ts";
import {
  CONSOLE_SERVICES,
  CONTAINER_COLORS,
  containerColor,
  firefoxContainerLink,
  portalLink,
  serviceDestination,
  serviceProblem,
} from "../lib/console/links.ts";
import { browserCommand } from "../lib/console/browsers.ts";

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

Deno.test("serviceDestination() opens a service's page in the region, as a console URL", () => {
  const ec2 = new URL(serviceDestination("ec2", "console.aws.amazon.com", "eu-west-1"));
  assert.equal(ec2.href, "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1");
  const logs = new URL(serviceDestination("Logs", "console.amazonaws.cn", "cn-north-1"));
  assert.equal(logs.host, "cn-north-1.console.amazonaws.cn");
  assert.equal(logs.pathname, "/cloudwatch/home");
  assert.equal(logs.searchParams.get("region"), "cn-north-1");
  assert.equal(logs.hash, "#logsV2:log-groups");
  // Any console path; a region it names already stays.
  assert.equal(
    serviceDestination(
      "/lambda/home?region=us-east-1#/functions",
      "console.aws.amazon.com",
      "eu-west-1",
    ),
    "https://eu-west-1.console.aws.amazon.com/lambda/home?region=us-east-1#/functions",
  );
  assert.equal(
    serviceDestination("iam", "console.aws.amazon.com", undefined),
    "https://console.aws.amazon.com/iam/home",
  );
  for (const [name, path] of Object.entries(CONSOLE_SERVICES)) {
    const url = new URL(serviceDestination(name, "console.aws.amazon.com", "us-east-1"));
    assert.equal(url.protocol, "https:", name);
    assert.ok(`${url.pathname}${url.hash}`.startsWith(`/${path.split("#")[0]}`), name);
  }
});

Deno.test("serviceProblem() takes a known name or a console path, and suggests the closest", () => {
  for (const good of ["ec2", "S3", "ec2/home#Instances", "/cloudwatch/home?region=x"]) {
    assert.equal(serviceProblem(good), undefined, good);
  }
  assert.match(serviceProblem("ec3")!, /got 'ec3'; did you mean ec2\?$/);
  for (const bad of ["nosuchservice", "https://evil.example/x", "ec2 home/x", "/"]) {
    assert.match(serviceProblem(bad)!, /^--service takes a service name/, bad);
  }
});

Deno.test("portalLink() is the access portal's shortcut for the account and role", () => {
  for (const start of ["https://corp.awsapps.com/start", "https://corp.awsapps.com/start/#/"]) {
    const link = portalLink(start, "111122223333", "Admin");
    assert.equal(
      link,
      "https://corp.awsapps.com/start/#/console?account_id=111122223333&role_name=Admin",
    );
  }
  const url = new URL(
    portalLink("https://corp.awsapps.com/start", "1", "Read Only", "https://x.example/a?b=1&c=2"),
  );
  const query = new URLSearchParams(url.hash.slice("#/console?".length));
  assert.equal(query.get("role_name"), "Read Only");
  assert.equal(query.get("destination"), "https://x.example/a?b=1&c=2");
});

Deno.test("firefoxContainerLink() is read back whole by the extension, with a colour stable per profile", () => {
  const signin = "https://signin.aws.amazon.com/federation?Action=login&SigninToken=a%2Bb&x=1";
  const link = firefoxContainerLink(signin, "prod admin");
  assert.match(link, /^ext\+container:/);
  // As the extension reads it: the link percent-encoded into its page's hash, then decoded.
  const hash = `#${encodeURIComponent(link)}`;
  const params = new URLSearchParams(
    decodeURIComponent(hash.slice(1)).slice("ext+container:".length),
  );
  assert.equal(params.get("url"), signin);
  assert.equal(params.get("name"), "prod admin");
  assert.equal(params.get("color"), containerColor("prod admin"));
  assert.ok(CONTAINER_COLORS.includes(containerColor("x")));
  assert.equal(containerColor("prod"), containerColor("prod"));
  const colours = new Set(
    ["dev", "prod", "staging", "audit", "sandbox", "ops"].map(containerColor),
  );
  assert.ok(colours.size > 1, "every profile the same colour");
});

Deno.test({
  name: "browserCommand() finds a named browser and passes its profile the browser's way",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      for (const name of ["firefox", "google-chrome-stable", "my-browser"]) {
        await Deno.writeTextFile(`${dir}/${name}`, "#!/bin/sh\n");
        await Deno.chmod(`${dir}/${name}`, 0o755);
      }
      const env = { PATH: `/nonexistent:${dir}` };
      assert.deepEqual(browserCommand({ browser: "firefox", profile: "work" }, env, "linux"), [
        `${dir}/firefox`,
        "-P",
        "work",
      ]);
      assert.deepEqual(browserCommand({ browser: "chrome", profile: "Profile 1" }, env, "linux"), [
        `${dir}/google-chrome-stable`,
        "--profile-directory=Profile 1",
      ]);
      assert.deepEqual(browserCommand({ browser: "my-browser" }, env, "linux"), ["my-browser"]);
      assert.deepEqual(
        browserCommand({ browser: "/opt/firefox/firefox", profile: "p" }, env, "linux"),
        ["/opt/firefox/firefox", "-P", "p"],
      );
      assert.throws(
        () => browserCommand({ browser: "my-browser", profile: "p" }, env, "linux"),
        UsageError,
      );
      assert.throws(() => browserCommand({ browser: "edge" }, env, "linux"), /edge was not found/);
      assert.throws(
        () => browserCommand({ browser: "firefx" }, env, "linux"),
        /No browser program firefx was found on PATH/,
      );
      assert.throws(() => browserCommand({ browser: "safari" }, env, "linux"), UsageError);
      assert.deepEqual(browserCommand({ browser: "Safari" }, env, "darwin"), [
        "open",
        "-a",
        "Safari",
      ]);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
