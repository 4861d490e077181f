/** End to end: the credentials cache never fails the command and never answers for another identity. */

import assert from "node:assert/strict";
import { type Sandbox, STATIC_KEY_ID, STATIC_SECRET, withSandbox } from "./support/sandbox.ts";

const FILES = {
  config: "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
    "source_profile = base\nregion = eu-west-1\n" +
    "[profile other]\nrole_arn = arn:aws:iam::111122223333:role/other\nsource_profile = base\n",
  credentials: `[base]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
    `aws_secret_access_key = ${STATIC_SECRET}\n`,
};
const posix = Deno.build.os !== "windows";

async function exportJson(sandbox: Sandbox, args: string[]) {
  const result = await sandbox.run([...args, "--json"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  return JSON.parse(result.stdout) as Record<string, string>;
}

function stsCalls(sandbox: Sandbox) {
  return sandbox.aws.requests.filter((r) => r.action === "AssumeRole").length;
}

Deno.test("aec --cache-file answers a second run from the cache without calling STS", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/cache/admin.json`;
    const first = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    assert.equal(stsCalls(sandbox), 1);
    const second = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    assert.equal(stsCalls(sandbox), 1, "a cache hit called STS");
    assert.deepEqual(second, first);
    if (posix) {
      assert.equal((await Deno.stat(cache)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${sandbox.home}/cache`)).mode! & 0o777, 0o700);
    }
  });
});

Deno.test("a cache hit loads no npm module", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    const first = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    const emptyDenoDir = await Deno.makeTempDir({ dir: sandbox.home });
    const hit = await sandbox.run(["--profile", "admin", "--cache-file", cache, "--json"], {
      env: { DENO_DIR: emptyDenoDir },
      denoFlags: ["--cached-only"],
    });
    assert.equal(hit.code, 0, hit.stderr);
    assert.deepEqual(JSON.parse(hit.stdout), first);
  });
});

Deno.test("aec --refresh resolves anew and saves the new credentials", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    const first = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    const refreshed = await exportJson(sandbox, [
      "--profile",
      "admin",
      "--cache-file",
      cache,
      "--refresh",
    ]);
    assert.equal(stsCalls(sandbox), 2);
    assert.notEqual(refreshed.AccessKeyId, first.AccessKeyId);
    const third = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    assert.equal(stsCalls(sandbox), 2);
    assert.deepEqual(third, refreshed);
  });
});

Deno.test("cached credentials expiring within the buffer are a miss", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    sandbox.aws.lifetimeSeconds = 5 * 60;
    await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    assert.equal(stsCalls(sandbox), 2, "the default 10 minute buffer should miss");
    await exportJson(sandbox, [
      "--profile",
      "admin",
      "--cache-file",
      cache,
      "--cache-expiration-buffer",
      "1",
    ]);
    assert.equal(stsCalls(sandbox), 2, "a 1 minute buffer should hit");
  });
});

Deno.test("another profile's entry in the cache file is a miss", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/shared.json`;
    const admin = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    const other = await exportJson(sandbox, ["--profile", "other", "--cache-file", cache]);
    assert.equal(stsCalls(sandbox), 2);
    assert.notEqual(other.AccessKeyId, admin.AccessKeyId);
    assert.equal(
      sandbox.aws.issued.get(other.AccessKeyId!)?.arn,
      "arn:aws:sts::111122223333:assumed-role/other/" +
        sandbox.aws.requests[1]!.params.RoleSessionName,
    );
  });
});

Deno.test("a changed profile configuration or --ensure-temporary is a miss", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    await Deno.writeTextFile(
      sandbox.configFile,
      FILES.config.replace("role/admin", "role/admin2"),
    );
    const changed = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    assert.equal(stsCalls(sandbox), 2);
    assert.match(sandbox.aws.issued.get(changed.AccessKeyId!)!.arn, /assumed-role\/admin2\//);
    await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache, "--ensure-temporary"]);
    assert.equal(stsCalls(sandbox), 3);
  });
});

Deno.test("a corrupt, truncated or foreign cache file is ignored and left alone", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    const bad = [
      "not json",
      '{"ProviderType":"aec","Version":1,"Profile":"admin","Fingerpr',
      '{"ProviderType":"someone-else","Credentials":{}}',
    ];
    for (const [i, content] of bad.entries()) {
      await Deno.writeTextFile(cache, content, { mode: 0o600 });
      const exported = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
      assert.equal(stsCalls(sandbox), i + 1);
      assert.ok(sandbox.aws.issued.has(exported.AccessKeyId!));
      assert.equal(
        await Deno.readTextFile(cache),
        content,
        "a file that is not aec's was replaced",
      );
    }
  });
});

Deno.test("an aws-export-credentials cache file is never read, but replaced", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    const seed = {
      ProviderType: "aws-export-credentials",
      Credentials: {
        AccessKeyId: "AKIAFOREIGN",
        SecretAccessKey: "foreign-secret",
        SessionToken: "foreign-token",
        Expiration: "2099-01-01T00:00:00Z",
      },
    };
    await Deno.writeTextFile(cache, JSON.stringify(seed), { mode: 0o600 });
    const exported = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    assert.notEqual(exported.AccessKeyId, "AKIAFOREIGN");
    assert.equal(stsCalls(sandbox), 1);
    const saved = JSON.parse(await Deno.readTextFile(cache));
    assert.equal(saved.ProviderType, "aec");
    assert.equal(saved.Credentials.AccessKeyId, exported.AccessKeyId);
  });
});

Deno.test("--cache-file pointed at the credentials file never overwrites it", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    await exportJson(sandbox, ["--profile", "admin", "--cache-file", sandbox.credentialsFile]);
    assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
  });
});

Deno.test("a change under any spelling the SDK reads of a profile's header is a miss", async () => {
  const headers: [string, string][] = [["default", "[profile default]"], ["q", `[profile "q"]`]];
  for (const [profile, header] of headers) {
    await withSandbox({ credentials: FILES.credentials }, async (sandbox) => {
      const write = (role: string) =>
        Deno.writeTextFile(
          sandbox.configFile,
          `${header}\nrole_arn = arn:aws:iam::111122223333:role/${role}\nsource_profile = base\n`,
        );
      const cache = `${sandbox.home}/c.json`;
      await write("alice");
      await exportJson(sandbox, ["--profile", profile, "--cache-file", cache]);
      await write("bob");
      const second = await exportJson(sandbox, ["--profile", profile, "--cache-file", cache]);
      assert.equal(stsCalls(sandbox), 2, `${header}: a changed role was a cache hit`);
      assert.match(sandbox.aws.issued.get(second.AccessKeyId!)!.arn, /assumed-role\/bob\//);
    });
  }
});

Deno.test("--cache without a home directory runs without the cache", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const result = await sandbox.run(["--profile", "admin", "--cache", "--json"], {
      env: { HOME: "", USERPROFILE: "" },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    assert.ok(sandbox.aws.issued.has(JSON.parse(result.stdout).AccessKeyId));
  });
});

Deno.test({
  name: "a cache file other users can read is not trusted",
  ignore: !posix,
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const cache = `${sandbox.home}/admin.json`;
      await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
      await Deno.chmod(cache, 0o644);
      const result = await sandbox.run([
        "--profile",
        "admin",
        "--cache-file",
        cache,
        "--json",
        "--debug",
      ]);
      assert.equal(result.code, 0);
      assert.match(result.stderr, /cache miss .*mode 644 lets other users in; not trusted/);
      assert.equal(stsCalls(sandbox), 2);
      assert.equal((await Deno.stat(cache)).mode! & 0o777, 0o600);
    });
  },
});

Deno.test("credentials that never expire are not cached", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/base.json`;
    const exported = await exportJson(sandbox, ["--profile", "base", "--cache-file", cache]);
    assert.equal(exported.AccessKeyId, STATIC_KEY_ID);
    await assert.rejects(Deno.stat(cache), Deno.errors.NotFound);
  });
});

Deno.test("a cache that cannot be written does not fail the command", async () => {
  await withSandbox(FILES, async (sandbox) => {
    // A path below a regular file can be neither read nor created.
    const blocker = await sandbox.write("blocker", "");
    const exported = await exportJson(sandbox, [
      "--profile",
      "admin",
      "--cache-file",
      `${blocker}/admin.json`,
    ]);
    assert.ok(sandbox.aws.issued.has(exported.AccessKeyId!));
  });
});

Deno.test({
  name: "aec --cache keeps a per-profile file in the user's cache directory",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const xdg = `${sandbox.home}/xdg-cache`;
      const result = await sandbox.run(["--profile", "admin", "--cache", "--json"], {
        env: { XDG_CACHE_HOME: xdg },
      });
      assert.equal(result.code, 0, result.stderr);
      const entry = JSON.parse(await Deno.readTextFile(`${xdg}/aec/admin.json`));
      assert.equal(entry.Credentials.AccessKeyId, JSON.parse(result.stdout).AccessKeyId);
      assert.equal((await Deno.stat(`${xdg}/aec`)).mode! & 0o777, 0o700);
    });
  },
});

Deno.test("a cache hit serves --exec with the cached credentials and region", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    const first = await exportJson(sandbox, ["--profile", "admin", "--cache-file", cache]);
    const result = await sandbox.run([
      "--profile",
      "admin",
      "--cache-file",
      cache,
      "--exec",
      Deno.execPath(),
      "eval",
      "console.log(JSON.stringify(Deno.env.toObject()))",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const env = JSON.parse(result.stdout);
    assert.equal(stsCalls(sandbox), 1);
    assert.equal(env.AWS_ACCESS_KEY_ID, first.AccessKeyId);
    assert.equal(env.AWS_SESSION_TOKEN, first.SessionToken);
    assert.equal(env.AWS_REGION, "eu-west-1");
  });
});
