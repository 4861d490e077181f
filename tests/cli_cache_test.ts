import assert from "node:assert/strict";
import {
  cliCachePath,
  parseCliTime,
  roleCallOf,
  saveCliCache,
  ssoCliCachePath,
} from "../lib/caches/aws_cli_cache.ts";
import { createLogger } from "../lib/support/log.ts";

const SETTINGS = {
  role_session_name: "dev-session",
  mfa_serial: "arn:aws:iam::111122223333:mfa/alice",
  external_id: "ext-123",
  duration_seconds: "7200",
};

// Computed with CPython 3.11:
// hashlib.sha1(json.dumps(args, sort_keys=True).encode()).hexdigest()
const VECTORS: [string[], string][] = [
  [[], "12ab38ff23076fbf81c6318032953bae97b76a44"],
  [["role_session_name"], "05283b7f9b9526fa267b32c72e55fb7b8e3b50fc"],
  [["mfa_serial"], "4d1a507325ba59655ee5e5f9cd1b6c3a9f2ac5a7"],
  [["external_id"], "0cb9f981ee5a9ef167c3def3598d129c33147889"],
  [["duration_seconds"], "7f792227673151fc81aebec515930c785b0cb5b2"],
  [["role_session_name", "mfa_serial"], "7924f0710027d89388ef3463c77d0e2702766fe2"],
  [["role_session_name", "external_id"], "e72102ccd91fc8779ab25d126e2a712d13e2308c"],
  [["role_session_name", "duration_seconds"], "32820df9bbfa27ce35c3d06f6266c508a30f3f1b"],
  [["mfa_serial", "external_id"], "8349a1d2c95073a407ba611c76311093a2fd7016"],
  [["mfa_serial", "duration_seconds"], "df3dc1b259f647c603bca88acb6a8afeca6c7c81"],
  [["external_id", "duration_seconds"], "8e36a88ad134be35c1b9fb7e0561f6374596e08d"],
  [["role_session_name", "mfa_serial", "external_id"], "b5a41215b91c122f2196194a2a2f4acd32b0c3da"],
  [
    ["role_session_name", "mfa_serial", "duration_seconds"],
    "86a963696515bd32b1287b37905a34f458c8aa50",
  ],
  [
    ["role_session_name", "external_id", "duration_seconds"],
    "e6425516061faa92adcbeeab795fb305287b36d4",
  ],
  [["mfa_serial", "external_id", "duration_seconds"], "c2764ce780749e27747dbb71db7198f6008d6e90"],
  [
    ["role_session_name", "mfa_serial", "external_id", "duration_seconds"],
    "37d163ed75a693742dbcdb88149e3ff80d9fcc8d",
  ],
];

Deno.test("cliCachePath() names the entry as botocore does, for every set of optional fields", async () => {
  for (const [keys, expected] of VECTORS) {
    const settings: Record<string, string> = {
      role_arn: "arn:aws:iam::111122223333:role/admin",
      source_profile: "base",
    };
    for (const key of keys) settings[key] = SETTINGS[key as keyof typeof SETTINGS];
    const call = roleCallOf(settings);
    assert.ok(call);
    assert.equal(
      await cliCachePath(call, { HOME: "/home/u" }),
      `/home/u/.aws/cli/cache/${expected}.json`,
      keys.join(", "),
    );
  }
});

Deno.test("roleCallOf() knows only profiles whose last step is AssumeRole", () => {
  const role = { role_arn: "arn:aws:iam::1:role/r" };
  assert.equal(roleCallOf({ ...role }), undefined);
  assert.equal(roleCallOf({ ...role, web_identity_token_file: "/t" }), undefined);
  assert.equal(roleCallOf({ aws_access_key_id: "A", aws_secret_access_key: "s" }), undefined);
  assert.equal(roleCallOf({ ...role, source_profile: "b", duration_seconds: "1h" }), undefined);
  assert.deepEqual(roleCallOf({ ...role, credential_source: "Environment" }), {
    RoleArn: role.role_arn,
  });
});

Deno.test("parseCliTime() reads botocore's %Z times and ISO 8601", () => {
  assert.equal(parseCliTime("2026-01-02T03:04:05UTC")?.toISOString(), "2026-01-02T03:04:05.000Z");
  assert.equal(parseCliTime("2026-01-02T03:04:05Z")?.toISOString(), "2026-01-02T03:04:05.000Z");
  assert.equal(
    parseCliTime("2026-01-02T03:04:05+01:00")?.toISOString(),
    "2026-01-02T02:04:05.000Z",
  );
  assert.equal(parseCliTime("tomorrow"), undefined);
  assert.equal(parseCliTime("2026-13-02T03:04:05Z"), undefined);
});

Deno.test("ssoCliCachePath() names the SSO role entry as botocore's SSOCredentialFetcher does", async () => {
  // Computed with CPython 3.11: hashlib.sha1(json.dumps(args, sort_keys=True,
  // separators=(",", ":")).encode()).hexdigest()
  const role = { accountId: "111122223333", roleName: "Admin" };
  const vectors: [Parameters<typeof ssoCliCachePath>[0], string][] = [
    [
      { ...role, sessionName: "corp", startUrl: "https://corp.awsapps.com/start" },
      "0cdbf32b99792a73981dd3f142bc63ab50240b44",
    ],
    [
      { ...role, startUrl: "https://legacy.awsapps.com/start#/" },
      "fdfc998f1fb10947c30da78e57d67b3072dd01bf",
    ],
    [
      { ...role, roleName: "R\u00f4le", sessionName: "caf\u00e9", startUrl: "https://x" },
      "a5bd3c9246891c4b8cac1779062624fb31572465",
    ],
  ];
  for (const [sso, expected] of vectors) {
    assert.equal(
      await ssoCliCachePath(sso, { HOME: "/home/u" }),
      `/home/u/.aws/cli/cache/${expected}.json`,
    );
  }
});

Deno.test("saveCliCache() takes the account id from the role ARN when it did not see STS's answer", async () => {
  const directory = await Deno.makeTempDir();
  try {
    const credentials = {
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration: new Date("2099-01-02T03:04:05Z"),
    };
    const log = createLogger(false);
    const path = `${directory}/entry.json`;
    await saveCliCache(path, credentials, {
      roleArn: "arn:aws:iam::111122223333:role/r",
      answer: undefined,
    }, log);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), {
      Credentials: {
        AccessKeyId: "ASIAEXAMPLE",
        SecretAccessKey: "secret",
        SessionToken: "token",
        Expiration: "2099-01-02T03:04:05Z",
        AccountId: "111122223333",
      },
    });
    // No account id is better than a wrong one.
    await saveCliCache(path, credentials, { roleArn: "not-an-arn", answer: undefined }, log);
    assert.equal(JSON.parse(await Deno.readTextFile(path)).Credentials.AccountId, undefined);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
