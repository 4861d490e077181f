/** End to end: `aec profiles` lists every profile from the files alone, without a secret. */

import assert from "node:assert/strict";
import { type Sandbox, STATIC_CREDENTIALS, STATIC_SECRET, withSandbox } from "./support/sandbox.ts";
import { tokenTime, writeSsoToken } from "./support/sso_token.ts";

const CONFIG = `[default]
region = us-east-1

[profile admin]
role_arn = arn:aws:iam::111122223333:role/admin
source_profile = base
region = eu-west-1

[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1

[profile broken]
role_arn = arn:aws:iam::111122223333:role/x
source_profile = nosuch
`;

async function profilesJson(sandbox: Sandbox, extra: string[] = []) {
  const result = await sandbox.run(["profiles", "--json", ...extra]);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, new RegExp(STATIC_SECRET.replaceAll("/", "\\/")));
  return JSON.parse(result.stdout) as Record<string, unknown>[];
}

Deno.test("aec profiles lists kind, region, source chain and state of every profile", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const byName = Object.fromEntries((await profilesJson(sandbox)).map((p) => [p.name, p]));
    assert.deepEqual(Object.keys(byName), ["default", "admin", "sso", "broken", "base"]);
    assert.deepEqual(byName.admin, {
      name: "admin",
      kind: "role",
      region: "eu-west-1",
      accountName: null,
      source: ["admin", "base"],
      state: "resolved when used",
      validUntil: null,
      asksForMfa: false,
      problem: null,
    });
    assert.equal(byName.base!.kind, "static keys");
    assert.equal(byName.default!.kind, "none");
    assert.deepEqual(byName.sso!.source, ["sso", "sso-session corp"]);
    assert.equal(byName.sso!.state, "signed out (aec login)");
    assert.equal(byName.broken!.state, "broken");
    assert.match(String(byName.broken!.problem), /source_profile "nosuch" .* does not exist/);

    // The table: aligned columns, one line a profile, no colour.
    const table = await sandbox.run(["profiles"]);
    assert.equal(table.code, 0, table.stderr);
    const [profiles, signIns] = table.stdout.trimEnd().split("\n\n");
    const lines = profiles!.split("\n");
    assert.equal(lines.length, 6);
    assert.match(lines[0]!, /^PROFILE +KIND +REGION +SOURCE +STATE$/);
    const stateColumn = lines[0]!.indexOf("STATE");
    assert.ok(lines.every((line) => line.length >= stateColumn), table.stdout);
    assert.match(lines[2]!, /^admin +role +eu-west-1 +admin -> base +resolved when used$/);
    assert.ok(!table.stdout.includes("\x1b["), "colour in the table");
    // Then every IAM Identity Center sign-in, and until when it lasts.
    assert.deepEqual(signIns!.split("\n").map((line) => line.split(/ {2,}/)), [
      ["SSO SESSION", "START URL", "SIGNED IN"],
      ["corp", "https://corp.awsapps.com/start", "no (aec login --sso-session corp)"],
    ]);
  });
});

Deno.test("aec profiles tells the SSO token's state and the cached credentials' end", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const inAnHour = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, "Z");
    await writeSsoToken(sandbox, { expiresAt: inAnHour });
    let sso = (await profilesJson(sandbox)).find((p) => p.name === "sso")!;
    assert.equal(sso.state, "signed in");
    assert.equal(sso.validUntil, inAnHour);
    let table = await sandbox.run(["profiles"]);
    assert.match(
      table.stdout,
      new RegExp(`\\ncorp +https://corp\\.awsapps\\.com/start +yes, until ${inAnHour}\\n`),
    );

    await writeSsoToken(sandbox, { expiresAt: "2020-01-01T00:00:00.000Z" });
    sso = (await profilesJson(sandbox)).find((p) => p.name === "sso")!;
    assert.equal(sso.state, "signed out: the session expired at 2020-01-01T00:00:00Z (aec login)");
    // An end that has passed is no "valid until".
    assert.equal(sso.validUntil, null);
    table = await sandbox.run(["profiles"]);
    assert.doesNotMatch(table.stdout, /until 2020/);
    assert.match(
      table.stdout,
      /\ncorp +https:\/\/corp\.awsapps\.com\/start +no: ended 2020-01-01T00:00:00Z \(aec login/,
    );

    await writeSsoToken(sandbox, {
      expiresAt: "2020-01-01T00:00:00Z",
      refreshToken: "r",
      clientId: "c",
      clientSecret: "s",
      registrationExpiresAt: "2099-01-01T00:00:00Z",
    });
    sso = (await profilesJson(sandbox)).find((p) => p.name === "sso")!;
    assert.match(String(sso.state), /refreshed/);

    // After an export with --cache, the role shows aec's cached credentials.
    const cached = await sandbox.run(["--profile", "admin", "--json", "--cache"]);
    assert.equal(cached.code, 0, cached.stderr);
    const admin = (await profilesJson(sandbox)).find((p) => p.name === "admin")!;
    assert.equal(admin.state, "cached by aec");
    assert.match(String(admin.validUntil), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

Deno.test("aec profiles tells session keys, as -c writes them, from long-term keys", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const written = await sandbox.run(["--profile", "admin", "-c", "written"]);
    assert.equal(written.code, 0, written.stderr);
    const issued = [...sandbox.aws.issued.values()][0]!;
    await Deno.writeTextFile(
      sandbox.credentialsFile,
      "[old]\naws_access_key_id = ASIAOLD\naws_secret_access_key = s\naws_session_token = t\n" +
        "aws_credential_expiration = 2020-01-01T00:00:00Z\n" +
        "[endless]\naws_access_key_id = ASIAENDLESS\naws_secret_access_key = s\n" +
        "aws_session_token = t\n",
      { append: true },
    );
    const byName = Object.fromEntries((await profilesJson(sandbox)).map((p) => [p.name, p]));
    assert.equal(byName.base!.state, "long-term keys");
    assert.equal(byName.written!.kind, "static keys");
    assert.equal(byName.written!.state, "session keys");
    assert.equal(byName.written!.validUntil, tokenTime(issued.expiration));
    assert.equal(byName.old!.state, "session keys, expired at 2020-01-01T00:00:00Z");
    assert.equal(byName.old!.validUntil, null);
    // A session token without its end: session keys all the same.
    assert.equal(byName.endless!.state, "session keys");
    assert.equal(byName.endless!.validUntil, null);

    const table = await sandbox.run(["profiles"]);
    assert.match(
      table.stdout,
      new RegExp(
        `\nwritten +static keys +- +written +session keys, until ${tokenTime(issued.expiration)}\n`,
      ),
    );
  });
});

Deno.test("aec profiles marks the profiles that ask for an MFA code, directly or through their source", async () => {
  const config = CONFIG + "[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/mfa\n" +
    "source_profile = base\nmfa_serial = arn:aws:iam::111122223333:mfa/me\n" +
    "[profile via-mfa]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = mfa\n" +
    // mfa_serial modifies a role only: on keys the SDK ignores it.
    "[profile keys-with-serial]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = s\n" +
    "mfa_serial = arn:aws:iam::111122223333:mfa/me\n";
  await withSandbox({ config, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const profiles = await profilesJson(sandbox);
    assert.deepEqual(
      profiles.filter((p) => p.asksForMfa).map((p) => p.name),
      ["mfa", "via-mfa"],
    );
    const table = await sandbox.run(["profiles"]);
    assert.match(table.stdout, /\nmfa +role +- +mfa -> base +resolved when used; asks for MFA\n/);
    assert.match(table.stdout, /\nvia-mfa +role .* +resolved when used; asks for MFA\n/);
    assert.match(table.stdout, /\nadmin +role .* +resolved when used\n/);
  });
});

Deno.test("aec profiles loads no npm module", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const emptyCache = await Deno.makeTempDir({ prefix: "aec-empty-deno-dir-" });
    try {
      const result = await sandbox.run(["profiles"], {
        env: { DENO_DIR: emptyCache },
        denoFlags: ["--cached-only"],
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^PROFILE/);
    } finally {
      await Deno.remove(emptyCache, { recursive: true });
    }
  });
});
