/**
 * End to end: role sessions shared with the AWS CLI through its assume-role
 * cache, in both directions. The CLI is the first on PATH that honours
 * AWS_ENDPOINT_URL_STS, so that it reaches the local STS; without one, those
 * tests are ignored (tests/support/clients.ts).
 */

import assert from "node:assert/strict";
import { awsCli, botocores, requires } from "./support/clients.ts";
import { type Sandbox, STATIC_CREDENTIALS, withSandbox } from "./support/sandbox.ts";

const CONFIG = "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
  "source_profile = base\nregion = eu-west-1\n";
const FILES = { config: CONFIG, credentials: STATIC_CREDENTIALS };

const AWS_CLI = await awsCli({ endpointUrls: true });

async function aws(sandbox: Sandbox, args: string[]) {
  const output = await new Deno.Command(AWS_CLI.found!.command, {
    args,
    env: sandbox.env,
    clearEnv: true,
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, stderr);
  return new TextDecoder().decode(output.stdout);
}

function count(sandbox: Sandbox, action: string) {
  return sandbox.aws.requests.filter((r) => r.action === action).length;
}

function cacheEntries(sandbox: Sandbox): string[] {
  const directory = `${sandbox.home}/.aws/cli/cache`;
  return [...Deno.readDirSync(directory)].map((entry) => `${directory}/${entry.name}`);
}

Deno.test({
  ...requires(
    "the AWS CLI assumes a role, then aec answers from the CLI's entry without STS",
    AWS_CLI,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      await aws(sandbox, ["sts", "get-caller-identity", "--profile", "admin"]);
      assert.equal(count(sandbox, "AssumeRole"), 1);
      const [entry] = cacheEntries(sandbox);
      const cached = JSON.parse(await Deno.readTextFile(entry!)).Credentials;

      const result = await sandbox.run(["--profile", "admin", "--json", "--debug"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).AccessKeyId, cached.AccessKeyId);
      assert.equal(count(sandbox, "AssumeRole"), 1, "aec called STS");
      assert.match(result.stderr, /AWS CLI cache hit/);
      assert.doesNotMatch(result.stderr, /loaded the AWS SDK/);
    });
  },
});

Deno.test({
  ...requires("aec assumes a role, then the AWS CLI uses aec's entry without AssumeRole", AWS_CLI),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const result = await sandbox.run(["--profile", "admin", "--json"]);
      assert.equal(result.code, 0, result.stderr);
      const exported = JSON.parse(result.stdout);
      const [entry] = cacheEntries(sandbox);
      assert.equal((await Deno.stat(entry!)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${sandbox.home}/.aws/cli/cache`)).mode! & 0o777, 0o700);

      const arn = JSON.parse(
        await aws(sandbox, ["sts", "get-caller-identity", "--profile", "admin"]),
      ).Arn;
      assert.equal(count(sandbox, "AssumeRole"), 1, "the CLI assumed the role again");
      // The CLI signed with aec's credentials: the local STS names their role.
      assert.equal(arn, sandbox.aws.issued.get(exported.AccessKeyId)!.arn);
      assert.equal(sandbox.aws.requests.at(-1)!.signedBy, exported.AccessKeyId);
    });
  },
});

/** Writes a CLI-style entry for profile admin and returns its path. */
async function plantEntry(sandbox: Sandbox, minutesLeft: number, mode = 0o600) {
  const first = await sandbox.run(["--profile", "admin", "--json", "--refresh"]);
  assert.equal(first.code, 0, first.stderr);
  const [entry] = cacheEntries(sandbox);
  const value = JSON.parse(await Deno.readTextFile(entry!));
  value.Credentials.Expiration = new Date(Date.now() + minutesLeft * 60_000).toISOString()
    .replace(/\.\d+Z$/, "UTC");
  await Deno.writeTextFile(entry!, JSON.stringify(value));
  await Deno.chmod(entry!, mode);
  return entry!;
}

Deno.test("aec uses a CLI entry only with more than 15 minutes left and when others cannot write it", async () => {
  await withSandbox(FILES, async (sandbox) => {
    await plantEntry(sandbox, 60);
    const hit = await sandbox.run(["--profile", "admin", "--json"]);
    assert.equal(hit.code, 0, hit.stderr);
    assert.equal(count(sandbox, "AssumeRole"), 1, "a good entry was not used");

    await plantEntry(sandbox, 10);
    await sandbox.run(["--profile", "admin", "--json"]);
    assert.equal(count(sandbox, "AssumeRole"), 3, "an entry within the CLI's window was used");

    await plantEntry(sandbox, 60, 0o666);
    await sandbox.run(["--profile", "admin", "--json"]);
    assert.equal(count(sandbox, "AssumeRole"), 5, "an entry others can write was used");
  });
});

Deno.test("--refresh skips the CLI's entry but writes a new one; --no-cli-cache leaves it alone", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const entry = await plantEntry(sandbox, 60);
    const before = await Deno.readTextFile(entry);
    const refreshed = await sandbox.run(["--profile", "admin", "--json", "--refresh"]);
    assert.equal(refreshed.code, 0, refreshed.stderr);
    assert.equal(count(sandbox, "AssumeRole"), 2);
    const after = await Deno.readTextFile(entry);
    assert.notEqual(after, before);
    assert.equal(
      JSON.parse(after).Credentials.AccessKeyId,
      JSON.parse(refreshed.stdout).AccessKeyId,
    );

    const off = await sandbox.run(["--profile", "admin", "--json", "--no-cli-cache"]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(count(sandbox, "AssumeRole"), 3);
    assert.equal(await Deno.readTextFile(entry), after);
  });
});

Deno.test("a broken profile never answers from the CLI's cache", async () => {
  await withSandbox(FILES, async (sandbox) => {
    await plantEntry(sandbox, 60);
    // The same role arguments (so the same entry), with a source that does not exist.
    await Deno.writeTextFile(
      sandbox.configFile,
      CONFIG.replace("source_profile = base", "source_profile = nosuch"),
    );
    const result = await sandbox.run(["--profile", "admin", "--json"]);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(
      result.stderr,
      /source_profile "nosuch" referenced in profile "admin" does not exist/,
    );
  });
});

/** The entry's fields, with every value replaced by its type (HTTP headers as one object). */
function fieldsOf(value: unknown, key = ""): unknown {
  if (typeof value !== "object" || value === null || key === "HTTPHeaders") return typeof value;
  return Object.fromEntries(
    Object.entries(value).map(([name, item]) => [name, fieldsOf(item, name)]),
  );
}

Deno.test({
  name: "aec writes the role entry with the fields the AWS CLI writes, its account id included",
  ignore: AWS_CLI === undefined,
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      await aws(sandbox, ["sts", "get-caller-identity", "--profile", "admin"]);
      const [entry] = cacheEntries(sandbox);
      const written = JSON.parse(await Deno.readTextFile(entry!));
      await Deno.remove(entry!);

      const result = await sandbox.run(["--profile", "admin", "--json"]);
      assert.equal(result.code, 0, result.stderr);
      const ours = JSON.parse(await Deno.readTextFile(entry!));
      assert.deepEqual(fieldsOf(ours), fieldsOf(written));
      assert.equal(ours.Credentials.AccountId, "111122223333");
      assert.equal(ours.Credentials.AccountId, written.Credentials.AccountId);
      // Who the session is, as STS said when aec assumed the role.
      const issued = sandbox.aws.issued.get(ours.Credentials.AccessKeyId)!;
      assert.equal(ours.AssumedRoleUser.Arn, issued.arn);
      assert.match(ours.AssumedRoleUser.AssumedRoleId, /^AROAFAKE:/);
    });
  },
});

// botocore that keeps an account id with credentials (1.35 and later) and reaches the local STS.
const BOTOCORE_ACCOUNT_ID = await (async () => {
  for (const botocore of (await botocores({ endpointUrls: true })).found ?? []) {
    const check =
      "import botocore.credentials as c; assert 'account_id' in c.ReadOnlyCredentials._fields";
    const { success } = await new Deno.Command(botocore.python, {
      args: ["-c", check],
      stdout: "null",
      stderr: "null",
    }).output();
    if (success) return botocore;
  }
  return undefined;
})();

const BOTOCORE_DYNAMODB = `
import json, os, botocore.session
from botocore.credentials import JSONFileCache
session = botocore.session.Session(profile="admin")
# As the AWS CLI does (awscli/customizations/assumerole.py).
provider = session.get_component("credential_provider").get_provider("assume-role")
provider.cache = JSONFileCache(os.path.expanduser(os.path.join("~", ".aws", "cli", "cache")))
credentials = session.get_credentials().get_frozen_credentials()
class Sent(Exception):
    pass
def stop(request, **kwargs):
    raise Sent(request.url)  # Where the request would go; it never leaves.
client = session.create_client("dynamodb")
client.meta.events.register("before-send", stop)
try:
    client.list_tables()
    url = None
except Sent as sent:
    url = str(sent)
except Exception as error:
    url = type(error).__name__ + ": " + str(error)
print(json.dumps({"accountId": credentials.account_id, "url": url}))
`;

Deno.test({
  name: "botocore reads the account id from aec's entry: DynamoDB works with " +
    "AWS_ACCOUNT_ID_ENDPOINT_MODE=required" +
    (BOTOCORE_ACCOUNT_ID ? "" : " (ignored: no botocore 1.35 or later)"),
  ignore: BOTOCORE_ACCOUNT_ID === undefined,
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const result = await sandbox.run(["--profile", "admin", "--json"]);
      assert.equal(result.code, 0, result.stderr);
      const output = await new Deno.Command(BOTOCORE_ACCOUNT_ID!.python, {
        args: ["-c", BOTOCORE_DYNAMODB],
        env: { ...sandbox.env, AWS_ACCOUNT_ID_ENDPOINT_MODE: "required" },
        clearEnv: true,
      }).output();
      assert.ok(output.success, new TextDecoder().decode(output.stderr));
      const read = JSON.parse(new TextDecoder().decode(output.stdout));
      assert.equal(count(sandbox, "AssumeRole"), 1, "botocore did not use aec's entry");
      assert.deepEqual(read, {
        accountId: "111122223333",
        url: "https://111122223333.ddb.eu-west-1.amazonaws.com/",
      });
    });
  },
});
