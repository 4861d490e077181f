/**
 * End to end: `--imds`, `--container` and `--serve --exec` serve refreshing
 * credentials to real SDK clients, resolved through the local AWS-shaped server.
 */

import assert from "node:assert/strict";
import { REPO_ROOT, type Sandbox, STATIC_CREDENTIALS, withSandbox } from "./support/sandbox.ts";

const FILES = {
  config: "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
    "source_profile = base\nregion = eu-west-1\n",
  credentials: STATIC_CREDENTIALS,
};
const CONSUMER = `${REPO_ROOT}tests/support/sdk_consumer.ts`;
const decoder = new TextDecoder();

interface Served {
  /** The `NAME=value` lines aec printed for clients. */
  env: Record<string, string>;
  stderr: string;
  stop(): Promise<{ code: number; stderr: string }>;
}

/**
 * Starts a long-running aec and waits for the environment lines it prints on
 * stderr. With `fileLimit`, aec runs under `ulimit -n fileLimit`.
 */
async function startAec(
  sandbox: Sandbox,
  args: string[],
  lineCount: number,
  fileLimit?: number,
): Promise<Served> {
  const aec = [Deno.execPath(), "run", "-A", "--quiet", `${REPO_ROOT}main.ts`, ...args];
  const [command, ...commandArgs] = fileLimit === undefined
    ? aec
    : ["sh", "-c", `ulimit -n ${fileLimit} && exec "$@"`, "sh", ...aec];
  const child = new Deno.Command(command!, {
    args: commandArgs,
    cwd: REPO_ROOT,
    env: sandbox.env,
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let stderr = "";
  const env: Record<string, string> = {};
  while (Object.keys(env).length < lineCount) {
    const { value, done } = await reader.read();
    if (done) {
      const status = await child.status;
      throw new Error(`aec exited with ${status.code} before serving: ${stderr}`);
    }
    stderr += value;
    for (const line of stderr.split("\n")) {
      const match = /^(AWS_[A-Z0-9_]+)=(.+)$/.exec(line);
      if (match) env[match[1]!] = match[2]!;
    }
  }
  return {
    env,
    stderr,
    async stop() {
      child.kill("SIGTERM");
      let rest = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        rest += value;
      }
      return { code: (await child.status).code, stderr: stderr + rest };
    },
  };
}

/** Runs a real JS SDK client (tests/support/sdk_consumer.ts) with only `env` to go on. */
async function consume(sandbox: Sandbox, args: string[], env: Record<string, string>) {
  const emptyConfig = await sandbox.write("client/config", "");
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CONSUMER, ...args],
    cwd: REPO_ROOT,
    env: {
      HOME: `${sandbox.home}/client`,
      PATH: sandbox.env.PATH!,
      DENO_DIR: sandbox.env.DENO_DIR!,
      AWS_CONFIG_FILE: emptyConfig,
      AWS_SHARED_CREDENTIALS_FILE: emptyConfig,
      ...env,
    },
    clearEnv: true,
  }).output();
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  return JSON.parse(decoder.decode(output.stdout));
}

/** Waits until `done()` holds, checking every 50 ms; fails after 5 s (a hang, not slowness). */
async function eventually(done: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; !(await done()); waited += 50) {
    if (waited >= 5_000) assert.fail(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function assumeRoleCalls(sandbox: Sandbox) {
  return sandbox.aws.requests.filter((r) => r.action === "AssumeRole").length;
}

Deno.test("aec --imds serves the role's credentials and region to the JS SDK", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const served = await startAec(sandbox, ["--profile", "admin", "--imds", "0"], 1);
    try {
      const endpoint = served.env.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
      assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const env = { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint };
      const credentials = await consume(sandbox, ["instance"], env);
      const issued = [...sandbox.aws.issued.values()];
      assert.equal(issued.length, 1);
      assert.equal(credentials.accessKeyId, issued[0]!.accessKeyId);
      assert.equal(credentials.sessionToken, issued[0]!.sessionToken);
      assert.deepEqual(await consume(sandbox, ["region"], env), { region: "eu-west-1" });

      const token = await (await fetch(`${endpoint}latest/api/token`, {
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
      })).text();
      const roles = await fetch(`${endpoint}latest/meta-data/iam/security-credentials/`, {
        headers: { "x-aws-ec2-metadata-token": token },
      });
      assert.equal(await roles.text(), "admin");
      assert.equal(assumeRoleCalls(sandbox), 1, "STS was called per request");
    } finally {
      const { code } = await served.stop();
      // Windows has no SIGTERM to catch: there the process is simply ended.
      if (Deno.build.os !== "windows") assert.equal(code, 0);
    }
  });
});

Deno.test("aec --container makes long-term keys temporary and generates a token", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const served = await startAec(sandbox, ["--profile", "base", "--container", "0"], 2);
    try {
      const uri = served.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!;
      const token = served.env.AWS_CONTAINER_AUTHORIZATION_TOKEN!;
      assert.match(uri, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      assert.ok(token.length >= 40, "the generated token is too short to be strong");
      const credentials = await consume(sandbox, ["chain"], {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: uri,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
      });
      const session = sandbox.aws.requests.filter((r) => r.action === "GetSessionToken");
      assert.equal(session.length, 1);
      assert.ok(sandbox.aws.issued.has(credentials.accessKeyId));
      const wrong = await fetch(uri, { headers: { authorization: "wrong" } });
      assert.equal(wrong.status, 401);
      await wrong.body?.cancel();
      const body = await (await fetch(uri, { headers: { authorization: token } })).json();
      assert.equal(body.RoleArn, "arn:aws:iam::123456789012:user/AKIAIOSFODNN7EXAMPLE");
    } finally {
      await served.stop();
    }
  });
});

Deno.test("served credentials refresh near expiry and outlast a failed refresh", async () => {
  await withSandbox(FILES, async (sandbox) => {
    // 305 s is 5 s outside the SDK's 5-minute refresh window.
    sandbox.aws.lifetimeSeconds = 305;
    const served = await startAec(
      sandbox,
      ["--profile", "admin", "--container", "127.0.0.1:0", "test-token-0123456789"],
      2,
    );
    const uri = served.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!;
    const get = async () => {
      const response = await fetch(uri, { headers: { authorization: "test-token-0123456789" } });
      assert.equal(response.status, 200);
      return (await response.json()).AccessKeyId as string;
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    try {
      const first = await get();
      assert.equal(await get(), first);
      assert.equal(assumeRoleCalls(sandbox), 1);

      // Within the refresh window, with STS failing: the still-valid ones are
      // served, and refreshed in the background.
      await sleep(5_500);
      sandbox.aws.denyAll = true;
      assert.equal(await get(), first);
      await eventually(() => assumeRoleCalls(sandbox) === 2, "the refresh to be attempted");
      assert.equal(await get(), first);

      // STS is back: the next attempt (after aec's 5 s gap) brings new credentials,
      // served once it has finished.
      sandbox.aws.denyAll = false;
      sandbox.aws.lifetimeSeconds = 3600;
      await sleep(5_500);
      let refreshed = first;
      await eventually(async () => (refreshed = await get()) !== first, "new credentials");
      const calls = assumeRoleCalls(sandbox);
      assert.equal(await get(), refreshed);
      assert.equal(assumeRoleCalls(sandbox), calls, "STS was called per request");
    } finally {
      await served.stop();
    }
  });
});

Deno.test("aec answers at once with the credentials it holds while STS hangs on a refresh", async () => {
  await withSandbox(FILES, async (sandbox) => {
    // Inside the SDK's 5-minute refresh window from the start, and valid for minutes.
    sandbox.aws.lifetimeSeconds = 240;
    const served = await startAec(
      sandbox,
      ["--profile", "admin", "--container", "0", "test-token-0123456789"],
      2,
    );
    try {
      const held = [...sandbox.aws.issued.keys()].at(-1);
      const attempts = assumeRoleCalls(sandbox);
      sandbox.aws.hang = true;
      for (let i = 0; i < 3; i++) {
        // A bound on correctness, not a benchmark: a request that waited for the
        // refresh would wait for STS's 5-second timeout at least.
        const response = await fetch(served.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!, {
          headers: { authorization: "test-token-0123456789" },
          signal: AbortSignal.timeout(2_000),
        });
        assert.equal(response.status, 200);
        assert.equal((await response.json()).AccessKeyId, held);
      }
      await eventually(() => assumeRoleCalls(sandbox) > attempts, "a refresh to be attempted");
    } finally {
      await served.stop();
    }
  });
});

Deno.test("aec refuses to serve credentials that have no expiration", async () => {
  await withSandbox({
    credentials: "[fixed]\naws_access_key_id = ASIAFIXEDEXAMPLE\n" +
      "aws_secret_access_key = fixed-secret-value\naws_session_token = fixed-token-value\n",
  }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "fixed", "--imds", "0"]);
    assert.equal(result.code, 3);
    assert.equal(
      result.stderr,
      "aec: Profile fixed gives credentials without an expiration, which cannot be served\n",
    );
  });
});

Deno.test("aec --container on a wildcard address announces a loopback URL SDKs accept", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const served = await startAec(sandbox, ["--profile", "admin", "--container", "0.0.0.0:0"], 2);
    await served.stop();
    assert.match(served.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.match(served.stderr, /^aec: warning: serving credentials on 0\.0\.0\.0/m);
  });
});

Deno.test("aec --serve --exec gives the command a refreshing endpoint instead of keys", async () => {
  await withSandbox(FILES, async (sandbox) => {
    sandbox.aws.lifetimeSeconds = 305;
    const result = await sandbox.run([
      "--profile",
      "admin",
      "--serve",
      "--exec",
      Deno.execPath(),
      "run",
      "-A",
      "--quiet",
      CONSUMER,
      "twice",
      "5500",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const [first, second] = JSON.parse(result.stdout);
    assert.ok(sandbox.aws.issued.has(first), "the command did not get the served credentials");
    assert.ok(sandbox.aws.issued.has(second));
    assert.notEqual(second, first, "the command did not see refreshed credentials");
  });
});

Deno.test("aec --serve --exec sets the endpoint and region, no keys, and passes the exit code", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const result = await sandbox.run(
      [
        "--profile",
        "admin",
        "--serve",
        "--exec",
        Deno.execPath(),
        "eval",
        "console.log(JSON.stringify(Deno.env.toObject())); Deno.exit(5)",
      ],
      { env: { AWS_ACCESS_KEY_ID: "AKIASTALE", AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/x" } },
    );
    assert.equal(result.code, 5, result.stderr);
    const env = JSON.parse(result.stdout);
    assert.match(env.AWS_CONTAINER_CREDENTIALS_FULL_URI, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    assert.ok(env.AWS_CONTAINER_AUTHORIZATION_TOKEN.length >= 40);
    assert.equal(env.AWS_REGION, "eu-west-1");
    for (const gone of ["AWS_ACCESS_KEY_ID", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
      assert.equal(env[gone], undefined, gone);
    }
  });
});

Deno.test("aec warns when it serves on a non-loopback address", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const served = await startAec(sandbox, ["--profile", "admin", "--imds", "0.0.0.0:0"], 1);
    await served.stop();
    assert.match(served.stderr, /^aec: warning: serving credentials on 0\.0\.0\.0/m);
  });
});

Deno.test("aec refuses to serve a profile that does not resolve, before listening", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const result = await sandbox.run(["--profile", "missing", "--imds", "0"]);
    assert.equal(result.code, 3);
    assert.match(
      result.stderr,
      /^aec: The config profile \(missing\) could not be found in [^\n]*\n$/,
    );
  });
});

/** curl, the client that sends any Host it is told, as a DNS-rebinding page's browser does. */
const CURL_IGNORED = await new Deno.Command("curl", { args: ["--version"], stdout: "null" })
  .output()
  .then((output) => output.success ? "" : " (ignored: curl --version failed)")
  .catch(() => " (ignored: no curl on PATH)");

/** Runs curl with `args` and returns what it printed on stdout. */
async function curl(...args: string[]): Promise<string> {
  const output = await new Deno.Command("curl", { args: ["-sS", ...args], stdin: "null" })
    .output();
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  return decoder.decode(output.stdout);
}

Deno.test({
  name: `aec --imds refuses the Host a DNS-rebinding page sends, and says why${CURL_IGNORED}`,
  ignore: CURL_IGNORED !== "",
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const served = await startAec(
        sandbox,
        ["--profile", "admin", "--imds", "0", "--allow-host", "host.docker.internal", "--debug"],
        1,
      );
      let stderr = "";
      try {
        const endpoint = served.env.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
        const tokenRequest = (host: string) =>
          curl(
            "-X",
            "PUT",
            "-H",
            `Host: ${host}`,
            "-H",
            "x-aws-ec2-metadata-token-ttl-seconds: 60",
            "-w",
            "\n%{http_code}",
            `${endpoint}latest/api/token`,
          );
        assert.match(await tokenRequest("evil.example"), /\n403$/);
        assert.match(await tokenRequest(`evil.example:${new URL(endpoint).port}`), /\n403$/);

        // A token got properly does not open the credentials to a foreign Host either.
        const [token] = (await tokenRequest("host.docker.internal")).split("\n");
        const credentials = (host: string) =>
          curl(
            "-H",
            `Host: ${host}`,
            "-H",
            `x-aws-ec2-metadata-token: ${token}`,
            "-w",
            "\n%{http_code}",
            `${endpoint}latest/meta-data/iam/security-credentials/admin`,
          );
        const refused = await credentials("evil.example");
        assert.match(refused, /\n403$/);
        const issued = [...sandbox.aws.issued.values()];
        for (const { secretAccessKey } of issued) assert.ok(!refused.includes(secretAccessKey));
        assert.match(await credentials("localhost"), /"AccessKeyId".*\n200$/s);

        // Real clients, which send the endpoint's own host, keep working.
        const sdk = await consume(sandbox, ["instance"], {
          AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint,
        });
        assert.ok(sandbox.aws.issued.has(sdk.accessKeyId));
      } finally {
        ({ stderr } = await served.stop());
      }
      assert.match(
        stderr,
        /^aec: \[\d+ms\] refused a request for Host "evil\.example": not an IP address, localhost, or a name given with --allow-host$/m,
      );
    });
  },
});

Deno.test({
  name: `aec --serve --exec's private endpoint refuses a foreign Host${CURL_IGNORED}`,
  ignore: CURL_IGNORED !== "" || Deno.build.os === "windows",
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const ask = (host: string) =>
        `curl -sS -o /dev/null -w '%{http_code} ' -H 'Host: ${host}' ` +
        `-H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "$AWS_CONTAINER_CREDENTIALS_FULL_URI"`;
      const result = await sandbox.run([
        "--profile",
        "admin",
        "--serve",
        "--exec",
        "sh",
        "-c",
        `${ask("evil.example")}; ${ask("127.0.0.1")}`,
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "403 200 ");
    });
  },
});

/** Opens `count` connections to `port` that never send a byte. */
async function idleConnections(port: number, count: number): Promise<Deno.Conn[]> {
  const conns: Deno.Conn[] = [];
  for (let i = 0; i < count; i++) conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
  return conns;
}

Deno.test({
  name:
    "aec --imds keeps serving SDKs while more idle connections are open than it has descriptors",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const served = await startAec(sandbox, ["--profile", "admin", "--imds", "0"], 1, 64);
      const endpoint = served.env.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
      const idle = await idleConnections(Number(new URL(endpoint).port), 200);
      try {
        const credentials = await consume(sandbox, ["instance"], {
          AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint,
        });
        assert.ok(sandbox.aws.issued.has(credentials.accessKeyId));
      } finally {
        for (const conn of idle) conn.close();
        const { code, stderr } = await served.stop();
        assert.equal(code, 0, stderr);
        // Trouble is reported, but once, not per connection.
        assert.ok((stderr.match(/could not accept/g) ?? []).length <= 1, stderr);
      }
    });
  },
});

Deno.test({
  name: "aec --serve --exec keeps its command and endpoint alive through a connection flood",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const aec = [Deno.execPath(), "run", "-A", "--quiet", `${REPO_ROOT}main.ts`];
      const child = new Deno.Command("sh", {
        args: [
          "-c",
          `ulimit -n 64 && exec "$@"`,
          "sh",
          ...aec,
          "--profile",
          "admin",
          "--serve",
          "--exec",
          "sh",
          "-c",
          // Tells the test its endpoint, waits for the flood, then asks as an SDK does.
          `echo "$AWS_CONTAINER_CREDENTIALS_FULL_URI"; read -r _; exec "$@"`,
          "sh",
          ...aec.slice(0, 4),
          CONSUMER,
          "container",
        ],
        cwd: REPO_ROOT,
        env: sandbox.env,
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let stdout = "";
      while (!stdout.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += value;
      }
      const uri = new URL(stdout.trim());
      const idle = await idleConnections(Number(uri.port), 200);
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("go\n"));
      await writer.close();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += value;
      }
      for (const conn of idle) conn.close();
      const { code } = await child.status;
      const stderr = decoder.decode(await new Response(child.stderr).arrayBuffer());
      assert.equal(code, 0, stderr);
      const credentials = JSON.parse(stdout.slice(stdout.indexOf("\n") + 1));
      assert.ok(sandbox.aws.issued.has(credentials.accessKeyId), stdout);
    });
  },
});

Deno.test("aec --imds and --container route paths with repeated slashes, as SDKs send them", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const imds = await startAec(sandbox, ["--profile", "admin", "--imds", "0"], 1);
    const container = await startAec(sandbox, ["--profile", "admin", "--container", "0"], 2);
    try {
      // The JS SDK v2 appends `/latest/...` to the endpoint, which ends in `/`.
      const endpoint = imds.env.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
      const tokenResponse = await fetch(`${endpoint}/latest/api/token`, {
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
      });
      assert.equal(tokenResponse.status, 200);
      const token = await tokenResponse.text();
      const headers = { "x-aws-ec2-metadata-token": token };
      const roles = await fetch(`${endpoint}/latest/meta-data//iam/security-credentials/`, {
        headers,
      });
      assert.equal(await roles.text(), "admin");
      const served = await fetch(`${endpoint}/latest/meta-data/iam/security-credentials/admin`, {
        headers,
      });
      assert.equal(served.status, 200);
      assert.ok(sandbox.aws.issued.has((await served.json()).AccessKeyId));

      const uri = container.env.AWS_CONTAINER_CREDENTIALS_FULL_URI!;
      const authorization = container.env.AWS_CONTAINER_AUTHORIZATION_TOKEN!;
      for (const path of ["/", "//creds"]) {
        const response = await fetch(`${uri}${path}`, { headers: { authorization } });
        assert.equal(response.status, 200, path);
        assert.ok(sandbox.aws.issued.has((await response.json()).AccessKeyId));
      }
    } finally {
      await imds.stop();
      await container.stop();
    }
  });
});

Deno.test("aec --imds keeps earlier tokens valid through a flood of token requests", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const served = await startAec(sandbox, ["--profile", "admin", "--imds", "0"], 1);
    try {
      const endpoint = served.env.AWS_EC2_METADATA_SERVICE_ENDPOINT!;
      const newToken = async () => {
        const response = await fetch(`${endpoint}latest/api/token`, {
          method: "PUT",
          headers: { "x-aws-ec2-metadata-token-ttl-seconds": "21600" },
        });
        assert.equal(response.status, 200);
        return await response.text();
      };
      const token = await newToken();
      let flooded = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (flooded < 10_001) {
          flooded++;
          await newToken();
        }
      }));
      const roles = await fetch(`${endpoint}latest/meta-data/iam/security-credentials/`, {
        headers: { "x-aws-ec2-metadata-token": token },
      });
      assert.equal(roles.status, 200);
      assert.equal(await roles.text(), "admin");
    } finally {
      await served.stop();
    }
  });
});

for (
  const [label, host] of [
    ["a loopback address", "127.0.0.1"],
    ["a wildcard address", "0.0.0.0"],
  ] as const
) {
  Deno.test(`aec explains in one line, exit 3, that ${label}'s port is in use`, async () => {
    await withSandbox(FILES, async (sandbox) => {
      const taken = Deno.listen({ hostname: host, port: 0 });
      try {
        const { port } = taken.addr;
        for (const mode of ["--imds", "--container"]) {
          const result = await sandbox.run(["--profile", "admin", mode, `${host}:${port}`]);
          assert.equal(result.code, 3, result.stderr);
          assert.equal(
            result.stderr,
            `aec: Could not listen on ${host}:${port}: Address already in use\n`,
          );
        }
      } finally {
        taken.close();
      }
    });
  });
}

Deno.test("aec explains in one line, exit 3, an address that is not this machine's", async () => {
  await withSandbox(FILES, async (sandbox) => {
    // TEST-NET-1: never assigned to a machine.
    const result = await sandbox.run(["--profile", "admin", "--imds", "192.0.2.1:9911"]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /^aec: Could not listen on 192\.0\.2\.1:9911: [^\n]+\n$/);
  });
});
