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
// These tests are about aec's own cache: the AWS CLI's, which answers role
// profiles too, is left out (tests/cli_cache_e2e_test.ts covers it).

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
    const first = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    assert.equal(stsCalls(sandbox), 1);
    const second = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
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
    const first = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    const emptyDenoDir = await Deno.makeTempDir({ dir: sandbox.home });
    const hit = await sandbox.run([
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
      "--json",
    ], {
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
    const first = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    const refreshed = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
      "--refresh",
    ]);
    assert.equal(stsCalls(sandbox), 2);
    assert.notEqual(refreshed.AccessKeyId, first.AccessKeyId);
    const third = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    assert.equal(stsCalls(sandbox), 2);
    assert.deepEqual(third, refreshed);
  });
});

Deno.test("cached credentials expiring within the buffer are a miss", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    sandbox.aws.lifetimeSeconds = 5 * 60;
    await exportJson(sandbox, ["--no-cli-cache", "--profile", "admin", "--cache-file", cache]);
    await exportJson(sandbox, ["--no-cli-cache", "--profile", "admin", "--cache-file", cache]);
    assert.equal(stsCalls(sandbox), 2, "the default 10 minute buffer should miss");
    await exportJson(sandbox, [
      "--no-cli-cache",
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
    const admin = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    const other = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "other",
      "--cache-file",
      cache,
    ]);
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
    await exportJson(sandbox, ["--no-cli-cache", "--profile", "admin", "--cache-file", cache]);
    await Deno.writeTextFile(
      sandbox.configFile,
      FILES.config.replace("role/admin", "role/admin2"),
    );
    const changed = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    assert.equal(stsCalls(sandbox), 2);
    assert.match(sandbox.aws.issued.get(changed.AccessKeyId!)!.arn, /assumed-role\/admin2\//);
    await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
      "--ensure-temporary",
    ]);
    assert.equal(stsCalls(sandbox), 3);
  });
});

Deno.test("a --cache-file that is not an aec cache is left alone, with a warning each run", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    const foreign = ["not json", '{"ProviderType":"someone-else","Credentials":{}}', "[default]\n"];
    for (const content of foreign) {
      await Deno.writeTextFile(cache, content, { mode: 0o600 });
      for (let run = 0; run < 2; run++) {
        const calls = stsCalls(sandbox);
        const result = await sandbox.run([
          "--no-cli-cache",
          "--profile",
          "admin",
          "--cache-file",
          cache,
          "--json",
        ]);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(
          result.stderr,
          `aec: warning: not caching: ${cache} is not an aec cache file\n`,
        );
        assert.ok(sandbox.aws.issued.has(JSON.parse(result.stdout).AccessKeyId));
        assert.equal(stsCalls(sandbox), calls + 1);
        assert.equal(
          await Deno.readTextFile(cache),
          content,
          "a file that is not aec's was replaced",
        );
      }
    }
  });
});

Deno.test("a truncated aec entry in a --cache-file is replaced by the next save", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    await Deno.writeTextFile(
      cache,
      '{"ProviderType":"aec","Version":1,"Profile":"admin","Fingerpr',
      {
        mode: 0o600,
      },
    );
    const first = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    const second = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    assert.equal(stsCalls(sandbox), 1);
    assert.deepEqual(second, first);
  });
});

Deno.test({
  name: "aec --cache replaces whatever corrupt file is in its own cache directory",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const xdg = `${sandbox.home}/xdg-cache`;
      const cache = `${xdg}/aec/admin.json`;
      await Deno.mkdir(`${xdg}/aec`, { recursive: true, mode: 0o700 });
      const corrupt = [
        "not json",
        '{"ProviderType":"aec","Version":1,"Profile":"admin","Fingerpr',
        "{}",
        " ".repeat(100 * 1024),
      ];
      for (const [i, content] of corrupt.entries()) {
        for (const refresh of [[], ["--refresh"]]) {
          await Deno.writeTextFile(cache, content, { mode: 0o600 });
          const calls = stsCalls(sandbox);
          const args = ["--no-cli-cache", "--profile", "admin", "--cache", ...refresh, "--json"];
          const env = { XDG_CACHE_HOME: xdg };
          const first = await sandbox.run(args, { env });
          assert.equal(first.code, 0, first.stderr);
          assert.equal(first.stderr, "");
          const second = await sandbox.run([
            "--no-cli-cache",
            "--profile",
            "admin",
            "--cache",
            "--json",
          ], { env });
          assert.equal(second.code, 0, second.stderr);
          assert.equal(stsCalls(sandbox), calls + 1, `entry ${i} ${refresh}: not replaced`);
          assert.deepEqual(JSON.parse(second.stdout), JSON.parse(first.stdout));
        }
      }
    });
  },
});

Deno.test("a --cache-file larger than 64 KiB is not a cache file, even holding an entry", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cache = `${sandbox.home}/admin.json`;
    await exportJson(sandbox, ["--no-cli-cache", "--profile", "admin", "--cache-file", cache]);
    const padded = (await Deno.readTextFile(cache)) + " ".repeat(64 * 1024);
    await Deno.writeTextFile(cache, padded);
    const result = await sandbox.run([
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(stsCalls(sandbox), 2, "a file larger than 64 KiB was read as a cache entry");
    assert.equal(result.stderr, `aec: warning: not caching: ${cache} is not an aec cache file\n`);
    assert.equal(await Deno.readTextFile(cache), padded);
  });
});

Deno.test("a cache save removes only stale temporary files of earlier killed saves", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const dir = `${sandbox.home}/cache`;
    await Deno.mkdir(dir, { mode: 0o700 });
    const stale = `${dir}/.admin.json.${crypto.randomUUID()}.tmp`;
    const recent = `${dir}/.admin.json.${crypto.randomUUID()}.tmp`;
    const other = `${dir}/.other.json.${crypto.randomUUID()}.tmp`;
    for (const path of [stale, recent, other]) {
      await Deno.writeTextFile(path, "secret", { mode: 0o600 });
    }
    const old = new Date(Date.now() - 5 * 60_000);
    await Deno.utime(stale, old, old);
    await Deno.utime(other, old, old);
    await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      `${dir}/admin.json`,
    ]);
    await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
    // A save in progress elsewhere may still own it.
    assert.equal(await Deno.readTextFile(recent), "secret");
    assert.equal(await Deno.readTextFile(other), "secret");
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
    const exported = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
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
    const result = await sandbox.run([
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      sandbox.credentialsFile,
      "--json",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^aec: warning: not caching: .* is not an aec cache file\n$/);
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
      await exportJson(sandbox, ["--no-cli-cache", "--profile", profile, "--cache-file", cache]);
      await write("bob");
      const second = await exportJson(sandbox, [
        "--no-cli-cache",
        "--profile",
        profile,
        "--cache-file",
        cache,
      ]);
      assert.equal(stsCalls(sandbox), 2, `${header}: a changed role was a cache hit`);
      assert.match(sandbox.aws.issued.get(second.AccessKeyId!)!.arn, /assumed-role\/bob\//);
    });
  }
});

Deno.test("--cache without a home directory runs without the cache", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const result = await sandbox.run(
      ["--no-cli-cache", "--profile", "admin", "--cache", "--json"],
      {
        env: { HOME: "", USERPROFILE: "" },
      },
    );
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
      await exportJson(sandbox, ["--no-cli-cache", "--profile", "admin", "--cache-file", cache]);
      await Deno.chmod(cache, 0o644);
      const result = await sandbox.run([
        "--no-cli-cache",
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
    const exported = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "base",
      "--cache-file",
      cache,
    ]);
    assert.equal(exported.AccessKeyId, STATIC_KEY_ID);
    await assert.rejects(Deno.stat(cache), Deno.errors.NotFound);
  });
});

Deno.test("a cache that cannot be written does not fail the command", async () => {
  await withSandbox(FILES, async (sandbox) => {
    // A path below a regular file can be neither read nor created.
    const blocker = await sandbox.write("blocker", "");
    const exported = await exportJson(sandbox, [
      "--no-cli-cache",
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
      const result = await sandbox.run([
        "--no-cli-cache",
        "--profile",
        "admin",
        "--cache",
        "--json",
      ], {
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
    const first = await exportJson(sandbox, [
      "--no-cli-cache",
      "--profile",
      "admin",
      "--cache-file",
      cache,
    ]);
    const result = await sandbox.run([
      "--no-cli-cache",
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

Deno.test("a role from credential_source = Environment is a cache miss when the environment's keys change", async () => {
  await withSandbox({
    config: "[profile envrole]\nrole_arn = arn:aws:iam::111122223333:role/env\n" +
      "credential_source = Environment\n",
  }, async (sandbox) => {
    const run = (keyId: string) =>
      sandbox.run(["--profile", "envrole", "--cache", "--json", "--no-cli-cache"], {
        env: { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: "secret" },
      });
    const first = await run("AKIAACCOUNTAAAAAAAAA");
    assert.equal(first.code, 0, first.stderr);
    const second = await run("AKIAACCOUNTBBBBBBBBB");
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      sandbox.aws.requests.filter((r) => r.action === "AssumeRole").map((r) => r.signedBy),
      ["AKIAACCOUNTAAAAAAAAA", "AKIAACCOUNTBBBBBBBBB"],
    );
  });
});
