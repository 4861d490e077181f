import assert from "node:assert/strict";
import { awsCli, requires } from "./support/clients.ts";
import { REPO_ROOT } from "./support/sandbox.ts";
import type { Credentials } from "../lib/support/credentials.ts";
import { type AecError, CredentialError } from "../lib/support/errors.ts";
import type { Logger } from "../lib/support/log.ts";
import {
  createContainerHandler,
  createImdsHandler,
  type CredentialSource,
  generateToken,
  type Handler,
  isLoopback,
  type RunningServer,
  startServer,
} from "../lib/serve/servers.ts";

const CONSUMER = `${REPO_ROOT}tests/support/sdk_consumer.ts`;
const decoder = new TextDecoder();

// --- helpers ---------------------------------------------------------------

function thrownBy(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail("expected an exception");
}

function randomText(length: number): string {
  return generateToken().repeat(4).slice(0, length);
}

/** Temporary credentials with a whole-second expiration an hour ahead. */
function sampleCredentials(): Required<Credentials> {
  const expiration = new Date(Math.floor(Date.now() / 1000) * 1000 + 3600_000);
  return {
    accessKeyId: `ASIA${randomText(16).toUpperCase().replace(/[^A-Z0-9]/g, "X")}`,
    secretAccessKey: randomText(40),
    sessionToken: randomText(300),
    expiration,
  };
}

interface FakeSource {
  source: CredentialSource;
  calls: number;
  /** Thrown by the next call instead of returning credentials, once. */
  failNext: unknown;
  credentials: Credentials;
}

function fakeSource(credentials: Credentials = sampleCredentials()): FakeSource {
  const fake: FakeSource = {
    calls: 0,
    failNext: undefined,
    credentials,
    source: () => {
      fake.calls++;
      const failure = fake.failNext;
      fake.failNext = undefined;
      return failure === undefined ? Promise.resolve(fake.credentials) : Promise.reject(failure);
    },
  };
  return fake;
}

function imdsRequest(path: string, init: RequestInit = {}): Request {
  return new Request(`http://169.254.169.254${path}`, init);
}

async function imdsToken(handler: Handler, ttl = "21600"): Promise<string> {
  const response = await handler(
    imdsRequest("/latest/api/token", {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": ttl },
    }),
  );
  assert.deepEqual(response.status, 200);
  return await response.text();
}

async function imdsGet(handler: Handler, path: string, token: string): Promise<Response> {
  return await handler(imdsRequest(path, { headers: { "x-aws-ec2-metadata-token": token } }));
}

async function errorBody(response: Response): Promise<{ Code: string; Message: string }> {
  assert.deepEqual(response.headers.get("content-type"), "application/json");
  return await response.json();
}

async function withServer(
  handler: Handler,
  body: (server: RunningServer) => Promise<void>,
  log?: Logger,
): Promise<void> {
  const server = startServer({
    hostname: "127.0.0.1",
    port: 0,
    handler,
    ...(log === undefined ? {} : { log }),
  });
  try {
    await body(server);
  } finally {
    await server.shutdown();
  }
}

/** Sends `bytes` on a fresh connection and returns what the server answers until it closes. */
async function rawExchange(port: number, bytes: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(bytes).catch(() => {}); // the server may hang up mid-write
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(4096);
    while (true) {
      const n = await conn.read(buffer).catch(() => null);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
      // One response is enough; the server keeps healthy connections open.
      if (decoder.decode(chunks.at(-1)).includes("\r\n\r\n")) break;
    }
    return chunks.map((chunk) => decoder.decode(chunk)).join("");
  } finally {
    conn.close();
  }
}

let denoDir: string | undefined;

/** Deno's cache directory, so that a child with another HOME reuses the downloaded SDK. */
async function realDenoDir(): Promise<string> {
  if (denoDir === undefined) {
    denoDir = Deno.env.get("DENO_DIR");
    if (!denoDir) {
      const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
        .output();
      denoDir = JSON.parse(decoder.decode(stdout)).denoDir as string;
    }
  }
  return denoDir;
}

interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `command` with a clean environment: a temporary HOME with empty AWS
 * config files, never the real ~/.aws, plus `env`.
 */
async function runIsolated(
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<ChildResult> {
  const home = await Deno.makeTempDir({ prefix: "aec-servers-test-" });
  try {
    await Deno.writeTextFile(`${home}/config`, "");
    await Deno.writeTextFile(`${home}/credentials`, "");
    const output = await new Deno.Command(command, {
      args,
      cwd: REPO_ROOT,
      clearEnv: true,
      env: {
        HOME: home,
        PATH: Deno.env.get("PATH") ?? "",
        DENO_DIR: await realDenoDir(),
        NO_COLOR: "1",
        AWS_CONFIG_FILE: `${home}/config`,
        AWS_SHARED_CREDENTIALS_FILE: `${home}/credentials`,
        ...env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function sdkConsumer(mode: string, env: Record<string, string>): Promise<unknown> {
  const result = await runIsolated(
    Deno.execPath(),
    ["run", "-A", "--quiet", CONSUMER, mode],
    env,
  );
  assert.deepEqual(result.code, 0, `sdk_consumer ${mode} failed:\n${result.stderr}`);
  return JSON.parse(result.stdout);
}

function expectedSdkCredentials(credentials: Credentials) {
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration?.toISOString(),
  };
}

// The CLI gets credentials from the endpoint under test: it calls no AWS endpoint.
const AWS_CLI_V2 = await awsCli({ v2: true });

// Unrelated to the servers but where a child's own IMDS probes would go: nowhere.
const NO_IMDS = { AWS_EC2_METADATA_DISABLED: "true" };

// --- real SDK clients --------------------------------------------------------

for (const mode of ["container", "http", "chain"]) {
  Deno.test(`container server serves ${mode} SDK credentials exactly`, async () => {
    const fake = fakeSource();
    const token = generateToken();
    const handler = createContainerHandler({ source: fake.source, token });
    await withServer(handler, async (server) => {
      const got = await sdkConsumer(mode, {
        ...NO_IMDS,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
      });
      assert.deepEqual(got, expectedSdkCredentials(fake.credentials));
      assert.ok(fake.calls >= 1);
    });
  });
}

Deno.test("container server refuses an SDK client with the wrong token", async () => {
  const fake = fakeSource();
  const handler = createContainerHandler({ source: fake.source, token: generateToken() });
  await withServer(handler, async (server) => {
    const result = await runIsolated(
      Deno.execPath(),
      ["run", "-A", "--quiet", CONSUMER, "container"],
      {
        ...NO_IMDS,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds`,
        AWS_CONTAINER_AUTHORIZATION_TOKEN: generateToken(),
      },
    );
    assert.notEqual(result.code, 0);
    assert.deepEqual(result.stdout, "");
    assert.deepEqual(fake.calls, 0);
  });
});

for (const mode of ["instance", "chain"]) {
  Deno.test(`imds server serves ${mode} SDK credentials exactly`, async () => {
    const fake = fakeSource();
    const handler = createImdsHandler({ source: fake.source, roleName: "aec-role" });
    await withServer(handler, async (server) => {
      const got = await sdkConsumer(mode, {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: `${server.url}/`,
        AWS_EC2_METADATA_V1_DISABLED: "true",
      });
      assert.deepEqual(got, expectedSdkCredentials(fake.credentials));
    });
  });
}

Deno.test("imds server gives the SDK its region", async () => {
  const handler = createImdsHandler({
    source: fakeSource().source,
    roleName: "aec-role",
    region: "eu-west-3",
  });
  await withServer(handler, async (server) => {
    const got = await sdkConsumer("region", {
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `${server.url}/`,
    });
    assert.deepEqual(got, { region: "eu-west-3" });
  });
});

Deno.test({
  ...requires("container server serves aws configure export-credentials", AWS_CLI_V2),
  fn: async () => {
    const fake = fakeSource();
    const token = generateToken();
    const handler = createContainerHandler({ source: fake.source, token });
    await withServer(handler, async (server) => {
      const result = await runIsolated(
        AWS_CLI_V2.found!.command,
        ["configure", "export-credentials", "--format", "process"],
        {
          ...NO_IMDS,
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url}/creds`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
        },
      );
      assert.deepEqual(result.code, 0, result.stderr);
      const exported = JSON.parse(result.stdout);
      assert.deepEqual(exported.AccessKeyId, fake.credentials.accessKeyId);
      assert.deepEqual(exported.SecretAccessKey, fake.credentials.secretAccessKey);
      assert.deepEqual(exported.SessionToken, fake.credentials.sessionToken);
      assert.deepEqual(
        new Date(exported.Expiration).getTime(),
        fake.credentials.expiration!.getTime(),
      );
    });
  },
});

Deno.test({
  ...requires("imds server serves aws configure export-credentials", AWS_CLI_V2),
  fn: async () => {
    const fake = fakeSource();
    const handler = createImdsHandler({ source: fake.source, roleName: "aec-role" });
    await withServer(handler, async (server) => {
      const result = await runIsolated(
        AWS_CLI_V2.found!.command,
        ["configure", "export-credentials", "--format", "process"],
        { AWS_EC2_METADATA_SERVICE_ENDPOINT: `${server.url}/` },
      );
      assert.deepEqual(result.code, 0, result.stderr);
      const exported = JSON.parse(result.stdout);
      assert.deepEqual(exported.AccessKeyId, fake.credentials.accessKeyId);
      assert.deepEqual(exported.SecretAccessKey, fake.credentials.secretAccessKey);
      assert.deepEqual(exported.SessionToken, fake.credentials.sessionToken);
    });
  },
});

Deno.test({
  ...requires("imds server gives aws its region", AWS_CLI_V2),
  fn: async () => {
    const handler = createImdsHandler({
      source: fakeSource().source,
      roleName: "aec-role",
      region: "eu-west-3",
    });
    await withServer(handler, async (server) => {
      const result = await runIsolated(AWS_CLI_V2.found!.command, ["configure", "list"], {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: `${server.url}/`,
      });
      assert.equal(result.code, 0, result.stderr);
      // botocore asks for the availability zone and drops its last letter.
      assert.match(result.stdout, /^\s*region\s+eu-west-3\s+imds\b/m);
    });
  },
});

// --- IMDS protocol -----------------------------------------------------------

Deno.test("imds server issues a token for a PUT and echoes its ttl", async () => {
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "r" });
  for (const ttl of ["1", "21600"]) {
    const response = await handler(
      imdsRequest("/latest/api/token", {
        method: "PUT",
        headers: { "x-aws-ec2-metadata-token-ttl-seconds": ttl },
      }),
    );
    assert.deepEqual(response.status, 200);
    assert.deepEqual(response.headers.get("x-aws-ec2-metadata-token-ttl-seconds"), ttl);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    assert.match(await response.text(), /^[A-Za-z0-9_-]{43}$/);
  }
});

for (
  const [label, ttl] of [
    ["ttl 0", "0"],
    ["ttl 21601", "21601"],
    ["a negative ttl", "-5"],
    ["a fractional ttl", "1.5"],
    ["a non-numeric ttl", "abc"],
    ["an exponent ttl", "1e3"],
    ["an empty ttl", ""],
    ["no ttl", undefined],
  ] as const
) {
  Deno.test(`imds server rejects a token PUT with ${label}`, async () => {
    const handler = createImdsHandler({ source: fakeSource().source, roleName: "r" });
    const headers: Record<string, string> = ttl === undefined
      ? {}
      : { "x-aws-ec2-metadata-token-ttl-seconds": ttl };
    const response = await handler(imdsRequest("/latest/api/token", { method: "PUT", headers }));
    assert.deepEqual(response.status, 400);
    assert.deepEqual((await errorBody(response)).Code, "BadRequest");
  });
}

Deno.test("imds server rejects a PUT with X-Forwarded-For", async () => {
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "r" });
  const response = await handler(
    imdsRequest("/latest/api/token", {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60", "x-forwarded-for": "10.0.0.1" },
    }),
  );
  assert.deepEqual(response.status, 403);
  assert.deepEqual((await errorBody(response)).Code, "Forbidden");
});

Deno.test("imds server rejects a GET without a token", async () => {
  const fake = fakeSource();
  const handler = createImdsHandler({ source: fake.source, roleName: "r" });
  for (const path of ["/latest/meta-data/iam/security-credentials/", "/latest/meta-data/"]) {
    const response = await handler(imdsRequest(path));
    assert.deepEqual(response.status, 401);
    assert.deepEqual((await errorBody(response)).Code, "Unauthorized");
  }
  assert.deepEqual(fake.calls, 0);
});

Deno.test("imds server rejects a GET with a token it did not issue", async () => {
  const fake = fakeSource();
  const handler = createImdsHandler({ source: fake.source, roleName: "r" });
  await imdsToken(handler);
  for (const token of [generateToken(), ""]) {
    const response = await imdsGet(handler, "/latest/meta-data/iam/security-credentials/r", token);
    assert.deepEqual(response.status, 401);
    await response.body?.cancel();
  }
  assert.deepEqual(fake.calls, 0);
});

Deno.test("imds server rejects a GET with an expired token", async () => {
  let now = 1_000_000;
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "r", now: () => now });
  const token = await imdsToken(handler, "2");
  const path = "/latest/meta-data/iam/security-credentials/";
  now += 1999;
  assert.deepEqual(await (await imdsGet(handler, path, token)).text(), "r");
  now += 1;
  const response = await imdsGet(handler, path, token);
  assert.deepEqual(response.status, 401);
  await response.body?.cancel();
});

Deno.test("imds server keeps every token it issued valid, however many it issues", async () => {
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "r" });
  const first = await imdsToken(handler);
  let last = first;
  for (let i = 0; i < 10_001; i++) last = await imdsToken(handler);
  const path = "/latest/meta-data/iam/security-credentials/";
  for (const token of [first, last]) {
    assert.deepEqual(await (await imdsGet(handler, path, token)).text(), "r");
  }
});

Deno.test("imds server rejects a token from another server or with a forged expiry", async () => {
  let now = 1_000_000;
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "r", now: () => now });
  const other = createImdsHandler({ source: fakeSource().source, roleName: "r", now: () => now });
  const path = "/latest/meta-data/iam/security-credentials/";
  const foreign = await imdsGet(handler, path, await imdsToken(other));
  assert.deepEqual(foreign.status, 401);
  await foreign.body?.cancel();

  // The token's first 8 bytes are its expiry: pushing it back must not work.
  const token = await imdsToken(handler, "1");
  const bytes = Uint8Array.from(
    atob(`${token.replaceAll("-", "+").replaceAll("_", "/")}=`),
    (char) => char.charCodeAt(0),
  );
  new DataView(bytes.buffer).setBigUint64(0, BigInt(now + 3600_000));
  const forged = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  now += 1000;
  for (const candidate of [token, forged]) {
    const response = await imdsGet(handler, path, candidate);
    assert.deepEqual(response.status, 401);
    await response.body?.cancel();
  }
});

Deno.test("imds server collapses repeated slashes before routing", async () => {
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "aec-role" });
  const issued = await handler(
    imdsRequest("//latest/api/token", {
      method: "PUT",
      headers: { "x-aws-ec2-metadata-token-ttl-seconds": "60" },
    }),
  );
  assert.deepEqual(issued.status, 200);
  const token = await issued.text();
  for (
    const path of [
      "//latest/meta-data/iam/security-credentials/",
      "/latest//meta-data/iam/security-credentials//",
      "///latest/meta-data/iam///security-credentials",
    ]
  ) {
    assert.deepEqual(await (await imdsGet(handler, path, token)).text(), "aec-role", path);
  }
  const credentials = await imdsGet(
    handler,
    "//latest/meta-data/iam/security-credentials/aec-role",
    token,
  );
  assert.deepEqual((await credentials.json()).Code, "Success");
});

Deno.test("imds server names its role with or without a trailing slash", async () => {
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "aec-role" });
  const token = await imdsToken(handler);
  for (
    const path of [
      "/latest/meta-data/iam/security-credentials/",
      "/latest/meta-data/iam/security-credentials",
    ]
  ) {
    const response = await imdsGet(handler, path, token);
    assert.deepEqual(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
    assert.deepEqual(await response.text(), "aec-role");
  }
});

Deno.test("imds server serves the role's credentials in the IMDS format", async () => {
  const fake = fakeSource();
  const now = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  fake.credentials.expiration = new Date(now + 3600_000);
  const handler = createImdsHandler({ source: fake.source, roleName: "aec-role", now: () => now });
  const token = await imdsToken(handler);
  const response = await imdsGet(
    handler,
    "/latest/meta-data/iam/security-credentials/aec-role",
    token,
  );
  assert.deepEqual(response.status, 200);
  assert.deepEqual(response.headers.get("content-type"), "application/json");
  assert.deepEqual(response.headers.get("cache-control"), "no-store");
  assert.deepEqual(await response.json(), {
    Code: "Success",
    LastUpdated: "2026-01-02T03:04:05Z",
    Type: "AWS-HMAC",
    AccessKeyId: fake.credentials.accessKeyId,
    SecretAccessKey: fake.credentials.secretAccessKey,
    Token: fake.credentials.sessionToken,
    Expiration: "2026-01-02T04:04:05Z",
  });
});

Deno.test("imds server asks the source on every credentials request", async () => {
  const fake = fakeSource();
  const handler = createImdsHandler({ source: fake.source, roleName: "r" });
  const token = await imdsToken(handler);
  const path = "/latest/meta-data/iam/security-credentials/r";
  const first = await (await imdsGet(handler, path, token)).json();
  fake.credentials = sampleCredentials();
  const second = await (await imdsGet(handler, path, token)).json();
  assert.deepEqual(fake.calls, 2);
  assert.notEqual(first.AccessKeyId, second.AccessKeyId);
  assert.deepEqual(second.AccessKeyId, fake.credentials.accessKeyId);
});

Deno.test("imds server answers 404 for a wrong role name", async () => {
  const fake = fakeSource();
  const handler = createImdsHandler({ source: fake.source, roleName: "aec-role" });
  const token = await imdsToken(handler);
  for (const name of ["other", "aec-role2", "AEC-ROLE", "aec-role/x"]) {
    const response = await imdsGet(
      handler,
      `/latest/meta-data/iam/security-credentials/${name}`,
      token,
    );
    assert.deepEqual(response.status, 404, name);
    assert.deepEqual((await errorBody(response)).Code, "NotFound");
  }
  assert.deepEqual(fake.calls, 0);
});

Deno.test("imds server answers 404 for unknown and extended-API paths", async () => {
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "r" });
  const token = await imdsToken(handler);
  for (
    const path of [
      "/",
      "/latest/meta-data/",
      "/latest/meta-data/instance-id",
      "/latest/user-data",
      // SDKs fall back to the classic path on a 404 here.
      "/latest/meta-data/iam/security-credentials-extended/",
      "/latest/meta-data/iam/security-credentials-extended/r",
    ]
  ) {
    const response = await imdsGet(handler, path, token);
    assert.deepEqual(response.status, 404, path);
    await response.body?.cancel();
  }
});

Deno.test("imds server serves the region paths only when it knows the region", async () => {
  const paths = [
    "/latest/meta-data/placement/region",
    "/latest/meta-data/placement/availability-zone",
    "/latest/meta-data/placement/availability-zone/",
    "/latest/dynamic/instance-identity/document",
  ];
  const without = createImdsHandler({ source: fakeSource().source, roleName: "r" });
  const withoutToken = await imdsToken(without);
  for (const path of paths) {
    const response = await imdsGet(without, path, withoutToken);
    assert.deepEqual(response.status, 404, path);
    await response.body?.cancel();
  }

  const handler = createImdsHandler({
    source: fakeSource().source,
    roleName: "r",
    region: "ap-south-2",
  });
  const token = await imdsToken(handler);
  assert.deepEqual(await (await imdsGet(handler, paths[0]!, token)).text(), "ap-south-2");
  assert.deepEqual(await (await imdsGet(handler, paths[1]!, token)).text(), "ap-south-2a");
  assert.deepEqual(await (await imdsGet(handler, paths[2]!, token)).text(), "ap-south-2a");
  assert.deepEqual(await (await imdsGet(handler, paths[3]!, token)).json(), {
    availabilityZone: "ap-south-2a",
    region: "ap-south-2",
  });
  const unauthorized = await handler(imdsRequest(paths[0]!));
  assert.deepEqual(unauthorized.status, 401);
  await unauthorized.body?.cancel();
});

Deno.test("imds server answers 405 for unknown methods", async () => {
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "r" });
  const token = await imdsToken(handler);
  const cases: [string, string, string][] = [
    ["GET", "/latest/api/token", "PUT"],
    ["POST", "/latest/api/token", "PUT"],
    ["DELETE", "/latest/meta-data/iam/security-credentials/", "GET"],
    ["PUT", "/latest/meta-data/iam/security-credentials/r", "GET"],
    ["PATCH", "/latest/meta-data/iam/security-credentials/r", "GET"],
    ["HEAD", "/latest/meta-data/iam/security-credentials/", "GET"],
  ];
  for (const [method, path, allow] of cases) {
    const response = await handler(
      imdsRequest(path, {
        method,
        headers: {
          "x-aws-ec2-metadata-token": token,
          "x-aws-ec2-metadata-token-ttl-seconds": "60",
        },
      }),
    );
    assert.deepEqual(response.status, 405, `${method} ${path}`);
    assert.deepEqual(response.headers.get("allow"), allow);
    await response.body?.cancel();
  }
});

Deno.test("imds server rejects a token PUT with a body", async () => {
  const handler = createImdsHandler({ source: fakeSource().source, roleName: "r" });
  await withServer(handler, async (server) => {
    const url = `${server.url}/latest/api/token`;
    const headers = { "x-aws-ec2-metadata-token-ttl-seconds": "60" };
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([120]));
        controller.close();
      },
    });
    for (const body of ["x", chunked]) {
      const response = await fetch(url, { method: "PUT", headers, body });
      assert.equal(response.status, 400);
      assert.equal((await errorBody(response)).Message, "Request bodies are not accepted");
    }
    // An empty body is no body: SDKs send `Content-Length: 0`.
    const empty = await fetch(url, { method: "PUT", headers, body: "" });
    assert.equal(empty.status, 200);
    await empty.body?.cancel();
  });
});

// --- container protocol --------------------------------------------------------

function containerRequest(path: string, authorization?: string, method = "GET"): Request {
  return new Request(`http://127.0.0.1${path}`, {
    method,
    headers: authorization === undefined ? {} : { authorization },
  });
}

Deno.test("container server serves credentials at / and /creds, with repeated slashes too", async () => {
  const fake = fakeSource();
  const token = generateToken();
  const handler = createContainerHandler({ source: fake.source, token });
  for (const path of ["/", "/creds", "/creds?x=1", "//", "//creds", "///creds"]) {
    const response = await handler(containerRequest(path, token));
    assert.deepEqual(response.status, 200, path);
    assert.deepEqual(response.headers.get("cache-control"), "no-store");
    assert.deepEqual(await response.json(), {
      AccessKeyId: fake.credentials.accessKeyId,
      SecretAccessKey: fake.credentials.secretAccessKey,
      Token: fake.credentials.sessionToken,
      Expiration: fake.credentials.expiration!.toISOString().replace(".000Z", "Z"),
    });
  }
});

Deno.test("container server includes the role ARN when it knows it", async () => {
  const token = generateToken();
  const roleArn = "arn:aws:iam::123456789012:role/aec";
  const handler = createContainerHandler({ source: fakeSource().source, token, roleArn });
  const body = await (await handler(containerRequest("/creds", token))).json();
  assert.deepEqual(body.RoleArn, roleArn);
});

Deno.test("container server rejects a missing or wrong token", async () => {
  const fake = fakeSource();
  const token = generateToken();
  const handler = createContainerHandler({ source: fake.source, token });
  const wrong = [
    undefined,
    "",
    generateToken(),
    token.slice(0, -1),
    `${token}x`,
    `Bearer ${token}`,
  ];
  for (const authorization of wrong) {
    const response = await handler(containerRequest("/creds", authorization));
    assert.deepEqual(response.status, 401, String(authorization));
    assert.deepEqual((await errorBody(response)).Code, "Unauthorized");
  }
  assert.deepEqual(fake.calls, 0);
});

Deno.test("container server answers 404 for other paths and 405 for other methods", async () => {
  const token = generateToken();
  const handler = createContainerHandler({ source: fakeSource().source, token });
  for (const path of ["/credentials", "/creds/", "/latest/api/token"]) {
    const response = await handler(containerRequest(path, token));
    assert.deepEqual(response.status, 404, path);
    await response.body?.cancel();
  }
  for (const method of ["POST", "PUT", "DELETE", "HEAD", "OPTIONS"]) {
    const response = await handler(containerRequest("/creds", token, method));
    assert.deepEqual(response.status, 405, method);
    assert.deepEqual(response.headers.get("allow"), "GET");
    await response.body?.cancel();
  }
});

Deno.test("container server refuses an empty token", () => {
  const error = thrownBy(() => createContainerHandler({ source: fakeSource().source, token: "" }));
  assert.ok(error instanceof TypeError);
  assert.match(error.message, /must not be empty/);
});

// --- credential source failures ------------------------------------------------

Deno.test("container server answers 500 without the secret when the source fails, then recovers", async () => {
  const fake = fakeSource();
  const token = generateToken();
  const handler = createContainerHandler({ source: fake.source, token });
  fake.failNext = new Error(`signing failed for ${fake.credentials.secretAccessKey}`);
  const failed = await handler(containerRequest("/creds", token));
  assert.deepEqual(failed.status, 500);
  const text = await failed.text();
  assert.deepEqual(JSON.parse(text), {
    Code: "CredentialError",
    Message: "Could not get credentials",
  });
  assert.ok(!text.includes(fake.credentials.secretAccessKey));

  const recovered = await handler(containerRequest("/creds", token));
  assert.deepEqual(recovered.status, 200);
  assert.deepEqual((await recovered.json()).SecretAccessKey, fake.credentials.secretAccessKey);
});

Deno.test("imds server answers 500 without the secret when the source fails, then recovers", async () => {
  const fake = fakeSource();
  const handler = createImdsHandler({ source: fake.source, roleName: "r" });
  const token = await imdsToken(handler);
  const path = "/latest/meta-data/iam/security-credentials/r";
  fake.failNext = new Error(`aws_secret_access_key = ${fake.credentials.secretAccessKey}`);
  const failed = await imdsGet(handler, path, token);
  assert.deepEqual(failed.status, 500);
  const text = await failed.text();
  assert.deepEqual(JSON.parse(text).Code, "CredentialError");
  assert.ok(!text.includes(fake.credentials.secretAccessKey));

  const recovered = await imdsGet(handler, path, token);
  assert.deepEqual(recovered.status, 200);
  assert.deepEqual((await recovered.json()).SecretAccessKey, fake.credentials.secretAccessKey);
});

Deno.test("credential servers pass on aec's own error messages, redacted", async () => {
  const fake = fakeSource();
  const token = generateToken();
  const handler = createContainerHandler({ source: fake.source, token });
  fake.failNext = new CredentialError("The SSO session for profile 'dev' has expired");
  const expired = await handler(containerRequest("/creds", token));
  assert.deepEqual(await expired.json(), {
    Code: "CredentialError",
    Message: "The SSO session for profile 'dev' has expired",
  });

  fake.failNext = new CredentialError(
    `Bad config: aws_session_token = ${fake.credentials.sessionToken}`,
  );
  const text = await (await handler(containerRequest("/creds", token))).text();
  assert.ok(!text.includes(fake.credentials.sessionToken!), text);
  assert.match(JSON.parse(text).Message, /^Bad config: aws_session_token = <redacted>$/);
});

Deno.test("credential servers refuse credentials without a session token or expiration", async () => {
  const token = generateToken();
  for (const missing of ["sessionToken", "expiration"] as const) {
    const credentials: Credentials = sampleCredentials();
    delete credentials[missing];
    const handler = createContainerHandler({ source: fakeSource(credentials).source, token });
    const response = await handler(containerRequest("/creds", token));
    assert.deepEqual(response.status, 500, missing);
    const text = await response.text();
    assert.match(JSON.parse(text).Message, /not temporary/);
    assert.ok(!text.includes(credentials.secretAccessKey));
  }
});

Deno.test("credential servers answer 500 for a source that returns garbage", async () => {
  const token = generateToken();
  const garbage = [undefined, { ...sampleCredentials(), expiration: "2030-01-01T00:00:00Z" }];
  for (const value of garbage) {
    const source = () => Promise.resolve(value as unknown as Credentials);
    const container = createContainerHandler({ source, token });
    const response = await container(containerRequest("/creds", token));
    assert.equal(response.status, 500);
    assert.deepEqual(await response.json(), {
      Code: "InternalError",
      Message: "Internal server error",
    });
    const imds = createImdsHandler({ source, roleName: "r" });
    const failed = await imdsGet(
      imds,
      "/latest/meta-data/iam/security-credentials/r",
      await imdsToken(imds),
    );
    assert.equal(failed.status, 500);
    await failed.body?.cancel();
  }
});

Deno.test("credential servers refuse expired credentials", async () => {
  const fake = fakeSource();
  let now = fake.credentials.expiration!.getTime() - 1;
  const token = generateToken();
  const handler = createContainerHandler({ source: fake.source, token, now: () => now });
  assert.deepEqual((await handler(containerRequest("/", token))).status, 200);
  now += 1;
  const response = await handler(containerRequest("/", token));
  assert.deepEqual(response.status, 500);
  assert.match((await response.json()).Message, /^The credentials expired at \d{4}-.*Z$/);
});

// --- the server ----------------------------------------------------------------

Deno.test("server picks a free port for port 0 and stops on shutdown", async () => {
  const token = generateToken();
  const server = startServer({
    hostname: "127.0.0.1",
    port: 0,
    handler: createContainerHandler({ source: fakeSource().source, token }),
  });
  assert.ok(server.port > 0);
  assert.deepEqual(server.url, `http://127.0.0.1:${server.port}`);
  const response = await fetch(`${server.url}/creds`, { headers: { authorization: token } });
  assert.deepEqual(response.status, 200);
  await response.body?.cancel();
  await server.shutdown();
  await within(server.finished, 5000, "the server to finish");
  await assertRejectsConnection(server.port);
});

/** `promise`, or a failure if it takes longer than `ms`, so that a broken shutdown fails instead of hanging. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function assertRejectsConnection(port: number): Promise<void> {
  let connected = false;
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    connected = true;
  } catch {
    // Refused, as expected.
  }
  assert.ok(!connected, `port ${port} still accepts connections`);
}

Deno.test("server stops when its signal aborts", async () => {
  const controller = new AbortController();
  const server = startServer({
    hostname: "127.0.0.1",
    port: 0,
    handler: () => Promise.resolve(new Response("ok")),
    signal: controller.signal,
  });
  assert.deepEqual(await (await fetch(server.url)).text(), "ok");
  controller.abort();
  await within(server.finished, 5000, "the server to finish");
  await assertRejectsConnection(server.port);
});

Deno.test({
  name: "server brackets an IPv6 host in its URL",
  ignore: !hasIpv6Loopback(), // some containers have no ::1
  fn: async () => {
    const server = startServer({
      hostname: "::1",
      port: 0,
      handler: () => Promise.resolve(new Response("ok")),
    });
    try {
      assert.equal(server.url, `http://[::1]:${server.port}`);
      assert.equal(await (await fetch(server.url)).text(), "ok");
    } finally {
      await server.shutdown();
    }
  },
});

function hasIpv6Loopback(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

Deno.test("server explains a port that is taken, with exit code 3", async () => {
  await withServer(() => Promise.resolve(new Response("ok")), (server) => {
    const error = thrownBy(() =>
      startServer({
        hostname: "127.0.0.1",
        port: server.port,
        handler: () => Promise.resolve(new Response("ok")),
      })
    );
    assert.equal(
      error.message,
      `Could not listen on 127.0.0.1:${server.port}: Address already in use`,
    );
    assert.equal((error as AecError).exitCode, 3);
    return Promise.resolve();
  });
});

Deno.test("server prints nothing on stdout or stderr when it starts", async () => {
  const code = `
    import { startServer } from ${
    JSON.stringify(new URL("../lib/serve/servers.ts", import.meta.url).href)
  };
    const server = startServer({
      hostname: "127.0.0.1",
      port: 0,
      handler: () => Promise.resolve(new Response("ok")),
    });
    await (await fetch(server.url)).text();
    await server.shutdown();
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    cwd: REPO_ROOT,
    stdin: "null",
  }).output();
  assert.equal(decoder.decode(output.stderr), "");
  assert.equal(decoder.decode(output.stdout), "");
  assert.equal(output.code, 0);
});

Deno.test("server turns a throwing handler into a 500 and keeps serving", async () => {
  let calls = 0;
  const handler: Handler = () => {
    calls++;
    if (calls === 1) throw new Error("boom");
    return Promise.resolve(new Response("ok"));
  };
  await withServer(handler, async (server) => {
    const failed = await fetch(server.url);
    assert.deepEqual(failed.status, 500);
    assert.deepEqual(await failed.json(), {
      Code: "InternalError",
      Message: "Internal server error",
    });
    assert.deepEqual(await (await fetch(server.url)).text(), "ok");
  });
});

Deno.test("server survives a large body and keeps serving", async () => {
  const token = generateToken();
  const fake = fakeSource();
  await withServer(createContainerHandler({ source: fake.source, token }), async (server) => {
    const big = await fetch(`${server.url}/creds`, {
      method: "POST",
      headers: { authorization: token },
      body: new Uint8Array(32 * 1024 * 1024),
    }).catch((error) => error as Error);
    // Either a 400 or a hang-up mid-upload; both leave the server healthy.
    if (big instanceof Response) {
      assert.deepEqual(big.status, 400);
      await big.body?.cancel();
    }
    const next = await fetch(`${server.url}/creds`, { headers: { authorization: token } });
    assert.deepEqual(next.status, 200);
    assert.deepEqual((await next.json()).AccessKeyId, fake.credentials.accessKeyId);
    assert.deepEqual(fake.calls, 1);
  });
});

Deno.test("server survives huge headers and malformed requests and keeps serving", async () => {
  const token = generateToken();
  const encoder = new TextEncoder();
  await withServer(
    createContainerHandler({ source: fakeSource().source, token }),
    async (server) => {
      const requests = [
        `GET /creds HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${token}\r\nX-Big: ${
          "a".repeat(1_000_000)
        }\r\n\r\n`,
        `GET /creds HTTP/1.1\r\nHost: localhost\r\n${"X-Many: v\r\n".repeat(5_000)}\r\n`,
        "GARBAGE\r\n\r\n",
        "GET /creds HTTP/9.9\r\n\r\n",
        "\x00\x01\x02\xff\r\n\r\n",
        `GET /creds HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${token}\r\nContent-Length: 99999999999\r\n\r\nabc`,
      ];
      for (const request of requests) {
        const answer = await rawExchange(server.port, encoder.encode(request));
        // A 4xx, or nothing when the server hangs up; never a 200 or a 5xx.
        assert.ok(answer === "" || /^HTTP\/1\.1 4\d\d /.test(answer), answer.slice(0, 100));
      }
      const next = await fetch(`${server.url}/creds`, { headers: { authorization: token } });
      assert.deepEqual(next.status, 200);
      await next.body?.cancel();
    },
  );
});

Deno.test("server keeps serving while a slow client dawdles", async () => {
  const token = generateToken();
  await withServer(
    createContainerHandler({ source: fakeSource().source, token }),
    async (server) => {
      const slow = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
      try {
        await slow.write(new TextEncoder().encode("GET /creds HTTP/1.1\r\nHost: localhost\r\n"));
        const started = performance.now();
        const response = await fetch(`${server.url}/creds`, { headers: { authorization: token } });
        assert.deepEqual(response.status, 200);
        await response.body?.cancel();
        assert.ok(performance.now() - started < 2000);
      } finally {
        slow.close();
      }
    },
  );
});

Deno.test("server logs requests without tokens or secrets", async () => {
  const lines: string[] = [];
  const log: Logger = { enabled: true, debug: (message) => lines.push(message) };
  const fake = fakeSource();
  const token = generateToken();
  const handler = createContainerHandler({ source: fake.source, token, log });
  await withServer(handler, async (server) => {
    const ok = await fetch(`${server.url}/creds`, { headers: { authorization: token } });
    await ok.body?.cancel();
    const denied = await fetch(`${server.url}/creds`, { headers: { authorization: "nope" } });
    await denied.body?.cancel();
  }, log);
  assert.ok(lines.some((line) => /^GET \/creds 200 \(\d+ms\)$/.test(line)), lines.join("\n"));
  assert.ok(lines.some((line) => /^GET \/creds 401 /.test(line)), lines.join("\n"));
  const all = lines.join("\n");
  for (const secret of [token, fake.credentials.secretAccessKey, fake.credentials.sessionToken!]) {
    assert.ok(!all.includes(secret));
  }
});

// --- connection limits -----------------------------------------------------------

/** Resolves when the server closes `conn`, with the bytes it sent before. */
async function closedBy(conn: Deno.Conn): Promise<string> {
  const chunks: string[] = [];
  const buffer = new Uint8Array(4096);
  for (;;) {
    const n = await conn.read(buffer).catch(() => null);
    if (n === null) return chunks.join("");
    chunks.push(decoder.decode(buffer.subarray(0, n)));
  }
}

const OK_HANDLER: Handler = () => Promise.resolve(new Response("ok"));

async function withLimitedServer(
  limits: { maxConnections?: number; headTimeoutMs?: number; keepAliveTimeoutMs?: number },
  handler: Handler,
  body: (server: RunningServer) => Promise<void>,
): Promise<void> {
  const server = startServer({ hostname: "127.0.0.1", port: 0, handler, ...limits });
  try {
    await body(server);
  } finally {
    await server.shutdown();
  }
}

Deno.test("server closes a connection that sends no request within its head timeout", async () => {
  await withLimitedServer({ headTimeoutMs: 100 }, OK_HANDLER, async (server) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    try {
      assert.equal(await within(closedBy(conn), 5000, "the server to close"), "");
    } finally {
      conn.close();
    }
  });
});

Deno.test("server closes a client that drips its request head past the head timeout", async () => {
  await withLimitedServer({ headTimeoutMs: 200 }, OK_HANDLER, async (server) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    let dripping = true;
    const drip = (async () => {
      for (let i = 0; dripping; i++) {
        await conn.write(new TextEncoder().encode(i === 0 ? "GET / HTTP/1.1\r\n" : "X: y\r\n"))
          .catch(() => dripping = false);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      assert.equal(await within(closedBy(conn), 5000, "the server to close"), "");
    } finally {
      dripping = false;
      await drip;
      conn.close();
    }
  });
});

Deno.test("server closes a kept-alive connection after its keep-alive timeout", async () => {
  await withLimitedServer({ keepAliveTimeoutMs: 100 }, OK_HANDLER, async (server) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    try {
      await conn.write(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
      const answer = await within(closedBy(conn), 5000, "the server to close");
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(answer, /\r\nconnection: keep-alive\r\n/);
      assert.ok(answer.endsWith("\r\n\r\nok"), answer);
    } finally {
      conn.close();
    }
  });
});

Deno.test("server closes its least recently active idle connection beyond its cap", async () => {
  await withLimitedServer({ maxConnections: 3 }, OK_HANDLER, async (server) => {
    const idle: Deno.Conn[] = [];
    for (let i = 0; i < 3; i++) {
      idle.push(await Deno.connect({ hostname: "127.0.0.1", port: server.port }));
    }
    try {
      // The oldest idle connection makes room for each new one; requests keep succeeding.
      for (let i = 0; i < 3; i++) {
        const response = await fetch(server.url);
        assert.equal(await response.text(), "ok");
      }
      assert.equal(await within(closedBy(idle[0]!), 5000, "the oldest to close"), "");
    } finally {
      for (const conn of idle) conn.close();
    }
  });
});

Deno.test("server closes silent connections before a client's kept-alive one", async () => {
  await withLimitedServer({ maxConnections: 3 }, OK_HANDLER, async (server) => {
    const request = new TextEncoder().encode("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const connect = () => Deno.connect({ hostname: "127.0.0.1", port: server.port });
    const kept = await connect();
    const silent: Deno.Conn[] = [];
    const clients: Deno.Conn[] = [];
    try {
      // The first client's connection is the oldest, yet the silent ones go first.
      assert.match(await exchangeOn(kept, request), /^HTTP\/1\.1 200 /);
      for (let i = 0; i < 2; i++) silent.push(await connect());
      for (let i = 0; i < 2; i++) {
        clients.push(await connect());
        assert.match(await exchangeOn(clients[i]!, request), /^HTTP\/1\.1 200 /);
      }
      for (const conn of silent) assert.equal(await within(closedBy(conn), 5000, "a close"), "");
      assert.match(await exchangeOn(kept, request), /^HTTP\/1\.1 200 /);
    } finally {
      for (const conn of [kept, ...silent, ...clients]) conn.close();
    }
  });
});

/** Writes `bytes` on `conn` and reads one response head and body (a 2-byte "ok"). */
async function exchangeOn(conn: Deno.Conn, bytes: Uint8Array): Promise<string> {
  await conn.write(bytes);
  let answer = "";
  const buffer = new Uint8Array(4096);
  while (!answer.endsWith("\r\n\r\nok")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    answer += decoder.decode(buffer.subarray(0, n));
  }
  return answer;
}

Deno.test("server answers 503 when every connection it may keep is busy", async () => {
  const gate = Promise.withResolvers<void>();
  const bothBusy = Promise.withResolvers<void>();
  let busy = 0;
  const handler: Handler = async () => {
    if (++busy === 2) bothBusy.resolve();
    await gate.promise;
    return new Response("ok");
  };
  await withLimitedServer({ maxConnections: 2 }, handler, async (server) => {
    const requests = [fetch(server.url), fetch(server.url)];
    await bothBusy.promise;
    const refused = await rawExchange(
      server.port,
      new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"),
    );
    assert.match(refused, /^HTTP\/1\.1 503 /);
    assert.match(refused, /"Code":"ServiceUnavailable"/);
    gate.resolve();
    for (const response of await Promise.all(requests)) assert.equal(await response.text(), "ok");
  });
});

Deno.test("server answers pipelined requests in order and HTTP/1.0 ones with a close", async () => {
  let count = 0;
  const handler: Handler = (request) =>
    Promise.resolve(new Response(`${++count} ${new URL(request.url).pathname}`));
  await withServer(handler, async (server) => {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
    try {
      // Two requests in one write, the second with bare line feeds, then HTTP/1.0.
      await conn.write(
        new TextEncoder().encode(
          "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\nGET /b HTTP/1.1\nHost: localhost\n\nGET /c HTTP/1.0\r\nHost: localhost\r\n\r\n",
        ),
      );
      const answer = await within(closedBy(conn), 5000, "the server to close");
      const bodies = answer.split(/\r\n\r\n/).slice(1).map((part) =>
        part.replace(/HTTP\/1\.1.*$/s, "")
      );
      assert.deepEqual(bodies, ["1 /a", "2 /b", "3 /c"]);
      assert.match(answer, /connection: close\r\n\r\n3 \/c$/);
    } finally {
      conn.close();
    }
  });
});

Deno.test("server answers HEAD without a body", async () => {
  await withServer(OK_HANDLER, async (server) => {
    const answer = await rawExchange(
      server.port,
      new TextEncoder().encode("HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(answer, /\r\ncontent-length: 2\r\n/);
    assert.ok(answer.endsWith("\r\n\r\n"), answer);
  });
});

// --- Host rules (DNS rebinding) --------------------------------------------------

/** The status line and body of a GET of the container endpoint with `hostLine` as its Host line. */
async function containerGetWithHost(
  server: RunningServer,
  token: string,
  hostLine: string,
): Promise<string> {
  return await rawExchange(
    server.port,
    new TextEncoder().encode(
      `GET /creds HTTP/1.1\r\n${hostLine}Authorization: ${token}\r\nConnection: close\r\n\r\n`,
    ),
  );
}

Deno.test("server refuses a Host that is not an IP address, localhost or an allowed name", async () => {
  const lines: string[] = [];
  const log: Logger = { enabled: true, debug: (message) => lines.push(message) };
  const fake = fakeSource();
  const token = generateToken();
  const handler = createContainerHandler({ source: fake.source, token });
  const server = startServer({
    hostname: "127.0.0.1",
    port: 0,
    handler,
    log,
    allowedHosts: ["host.docker.internal"],
  });
  try {
    for (
      const host of [
        "evil.example",
        `evil.example:${server.port}`,
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "host.docker.internal.evil.example",
        "",
      ]
    ) {
      const answer = await containerGetWithHost(server, token, `Host: ${host}\r\n`);
      assert.match(answer, /^HTTP\/1\.1 403 Forbidden\r\n/, host);
      assert.ok(!answer.includes(fake.credentials.secretAccessKey), host);
      assert.match(answer, /"Code":"Forbidden"/);
    }
    const missing = await containerGetWithHost(server, token, "");
    assert.match(missing, /^HTTP\/1\.1 403 /);
    assert.deepEqual(fake.calls, 0, "a refused request reached the credential source");
    assert.ok(
      lines.includes(
        'refused a request for Host "evil.example": not an IP address, localhost, ' +
          "or a name given with --allow-host",
      ),
      lines.join("\n"),
    );
    assert.ok(lines.includes("refused a request without a Host header"), lines.join("\n"));

    for (
      const host of [
        `127.0.0.1:${server.port}`,
        "127.0.0.1",
        "0.0.0.0:1",
        "10.1.2.3",
        `[::1]:${server.port}`,
        "[::ffff:127.0.0.1]",
        `localhost:${server.port}`,
        "LOCALHOST",
        "localhost.",
        `Host.Docker.Internal:${server.port}`,
        "host.docker.internal.",
      ]
    ) {
      const answer = await containerGetWithHost(server, token, `Host: ${host}\r\n`);
      assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/, host);
      assert.ok(answer.includes(fake.credentials.secretAccessKey), host);
    }
  } finally {
    await server.shutdown();
  }
});

Deno.test("server answers the JS SDK at a localhost endpoint, which it sends as Host", async () => {
  const fake = fakeSource();
  const token = generateToken();
  await withServer(createContainerHandler({ source: fake.source, token }), async (server) => {
    const credentials = await sdkConsumer("container", {
      ...NO_IMDS,
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `${server.url.replace("127.0.0.1", "localhost")}/creds`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
    });
    assert.deepEqual(credentials, expectedSdkCredentials(fake.credentials));
  });
});

Deno.test({
  name: "server answers the JS SDK at an IPv6 endpoint, which it sends as Host",
  ignore: !hasIpv6Loopback(),
  fn: async () => {
    const fake = fakeSource();
    const server = startServer({
      hostname: "::1",
      port: 0,
      handler: createImdsHandler({ source: fake.source, roleName: "aec-role" }),
    });
    try {
      const credentials = await sdkConsumer("instance", {
        AWS_EC2_METADATA_SERVICE_ENDPOINT: `${server.url}/`,
        AWS_EC2_METADATA_V1_DISABLED: "true",
      });
      assert.deepEqual(credentials, expectedSdkCredentials(fake.credentials));
    } finally {
      await server.shutdown();
    }
  },
});

// --- helpers of the CLI ----------------------------------------------------------

Deno.test("generateToken() returns distinct 32-byte base64url tokens", () => {
  const tokens = new Set(Array.from({ length: 100 }, generateToken));
  assert.deepEqual(tokens.size, 100);
  for (const token of tokens) assert.match(token, /^[A-Za-z0-9_-]{43}$/);
});

Deno.test("generateToken() never starts a token with '-', which would read as a flag", () => {
  // About one random base64url token in 64 starts with '-'; 2,000 would show it.
  for (let i = 0; i < 2_000; i++) assert.ok(!generateToken().startsWith("-"));
});

Deno.test("isLoopback() accepts only loopback hosts", () => {
  for (
    const host of [
      "localhost",
      "LocalHost",
      "127.0.0.1",
      "127.1.2.3",
      "::1",
      "[::1]",
      "0:0:0:0:0:0:0:1",
    ]
  ) {
    assert.ok(isLoopback(host), host);
  }
  for (
    const host of [
      "0.0.0.0",
      "::",
      "192.168.1.10",
      "128.0.0.1",
      "127.0.0.256",
      "::2",
      "fe80::1",
      "example.com",
      "localhost.example.com",
      "127.0.0.1.example.com",
    ]
  ) {
    assert.ok(!isLoopback(host), host);
  }
});
