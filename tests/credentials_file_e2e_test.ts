/** End to end: `-c NAME` writes the exported credentials into the shared credentials file. */

import assert from "node:assert/strict";
import { botocoreCredentials } from "./support/botocore.ts";
import { botocores, command, POSIX, requires } from "./support/clients.ts";
import {
  REPO_ROOT,
  type Sandbox,
  STATIC_KEY_ID,
  STATIC_SECRET,
  withSandbox,
} from "./support/sandbox.ts";

const BOTOCORE = await botocores();
const BOTOCORES = BOTOCORE.found ?? [];

const CONFIG = "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
  "source_profile = base\n";
const CREDENTIALS = `# my keys\r\n[base]\r\naws_access_key_id = ${STATIC_KEY_ID}\r\n` +
  `aws_secret_access_key = ${STATIC_SECRET}\r\n`;
// Keys in the config file, for tests in which the credentials file holds none.
const KEYS_CONFIG = `[profile base]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
  `aws_secret_access_key = ${STATIC_SECRET}\n`;

Deno.test("aec -c writes a profile that the SDK reads back as the same credentials", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const written = await sandbox.run(["--profile", "admin", "-c", "exported"]);
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout, "");
    assert.equal(written.stderr, "");
    const text = await Deno.readTextFile(sandbox.credentialsFile);
    assert.ok(text.startsWith(CREDENTIALS), "the existing bytes changed");
    assert.match(text, /\r\n\[exported\]\r\naws_access_key_id = ASIA/);

    const issued = [...sandbox.aws.issued.values()][0]!;
    const readBack = await sandbox.run(["--profile", "exported", "--json"]);
    assert.equal(readBack.code, 0, readBack.stderr);
    const exported = JSON.parse(readBack.stdout);
    assert.equal(exported.AccessKeyId, issued.accessKeyId);
    assert.equal(exported.SecretAccessKey, issued.secretAccessKey);
    assert.equal(exported.SessionToken, issued.sessionToken);
  });
});

Deno.test("aec -c refuses to overwrite long-term keys and leaves the file as it was", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    for (
      const args of [["--profile", "admin", "-c", "base"], [
        "--profile",
        "admin",
        "--credentials-file-profile",
        "admin",
      ]]
    ) {
      const result = await sandbox.run(args);
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stdout, "");
      // The source profile (base) or a config profile with settings of its own (admin).
      assert.match(result.stderr, /^aec: Refusing to (overwrite|write profile admin)/);
      assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
    }
  });
});

Deno.test("aec rejects -c together with another output mode", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(["--json", "-c", "exported"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--json and -c cannot be used together/);
  });
});

Deno.test("aec -c refuses a profile name the SDK would not read back", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    for (const name of ["__proto__", "profile x", "sso-session 'y'"]) {
      const result = await sandbox.run(["--profile", "admin", "-c", name]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /would not read back as a profile/);
      assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
    }
  });
});

const posix = Deno.build.os !== "windows";
const isRoot = Deno.uid() === 0;
// Another user and group, for the tests run as root.
const USER = 12345;
const GROUP = 12346;

function modeOf(info: Deno.FileInfo): number {
  return (info.mode ?? 0) & 0o777;
}

Deno.test({
  name: "aec -c refuses a device as the credentials file and leaves it in place" +
    (isRoot ? "" : " (ignored: mknod needs root)"),
  ignore: !posix || !isRoot,
  fn: async () => {
    await withSandbox({ config: KEYS_CONFIG }, async (sandbox) => {
      // A null device of the sandbox's own: were it replaced, /dev/null would be safe.
      const device = `${sandbox.home}/null`;
      const made = await new Deno.Command("mknod", { args: ["-m", "666", device, "c", "1", "3"] })
        .output();
      assert.ok(made.success, "mknod failed");
      const result = await sandbox.run(["--profile", "base", "-c", "exported"], {
        env: { AWS_SHARED_CREDENTIALS_FILE: device },
      });
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stderr, `aec: ${device} is a character device, not a regular file\n`);
      assert.ok((await Deno.lstat(device)).isCharDevice, "the device was replaced");
      await assert.rejects(Deno.lstat(`${device}.lock`), Deno.errors.NotFound);
    });
  },
});

Deno.test({
  name: "aec -c refuses a read-only credentials file and leaves it unchanged",
  ignore: !posix,
  fn: async () => {
    await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
      const before = await Deno.readFile(sandbox.credentialsFile);
      for (const mode of [0o400, 0o444, 0o500]) {
        await Deno.chmod(sandbox.credentialsFile, mode);
        const result = await sandbox.run(["--profile", "admin", "-c", "exported"]);
        assert.equal(result.code, 3, result.stderr);
        assert.equal(
          result.stderr,
          `aec: Refusing to rewrite ${sandbox.credentialsFile}: it is read-only ` +
            `(mode ${mode.toString(8)})\n`,
        );
        assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
        assert.equal(modeOf(await Deno.stat(sandbox.credentialsFile)), mode);
      }
    });
  },
});

Deno.test({
  name: "aec -c run as root keeps the owner, group and mode of another user's file" +
    (isRoot ? "" : " (ignored: needs root)"),
  ignore: !posix || !isRoot,
  fn: async () => {
    await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
      await Deno.chown(sandbox.credentialsFile, USER, GROUP);
      await Deno.chmod(sandbox.credentialsFile, 0o640);
      const result = await sandbox.run(["--profile", "admin", "-c", "exported"]);
      assert.equal(result.code, 0, result.stderr);
      const info = await Deno.stat(sandbox.credentialsFile);
      assert.deepEqual([info.uid, info.gid, modeOf(info)], [USER, GROUP, 0o640]);
      assert.match(await Deno.readTextFile(sandbox.credentialsFile), /\[exported\]/);
      // The user can take the lock next time.
      const lock = await Deno.stat(`${sandbox.credentialsFile}.lock`);
      assert.deepEqual([lock.uid, lock.gid], [USER, GROUP]);
    });
  },
});

Deno.test({
  name: "aec -c run as root never follows a symlink a user planted" +
    (isRoot ? "" : " (ignored: needs root)"),
  ignore: !posix || !isRoot,
  fn: async () => {
    await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
      const aws = `${sandbox.home}/.aws`;
      await Deno.chown(aws, USER, GROUP);
      await Deno.chown(sandbox.credentialsFile, USER, GROUP);
      // A root file the user may not touch, and a lock name pointing at it.
      const victim = `${sandbox.home}/victim`;
      await Deno.writeTextFile(victim, "root's\n");
      await Deno.symlink(victim, `${sandbox.credentialsFile}.lock`);
      const { promises } = await import("node:fs");
      await promises.lchown(`${sandbox.credentialsFile}.lock`, USER, GROUP);
      const planted = await sandbox.run(["--profile", "admin", "-c", "exported"]);
      assert.equal(planted.code, 3, planted.stderr);
      assert.match(planted.stderr, /credentials\.lock is not a regular file/);
      const info = await Deno.stat(victim);
      assert.deepEqual([info.uid, info.gid], [0, 0], "the victim was given away");

      // A dangling lock link: nothing is created where it points.
      await Deno.remove(`${sandbox.credentialsFile}.lock`);
      await Deno.symlink(`${sandbox.home}/created`, `${sandbox.credentialsFile}.lock`);
      const dangling = await sandbox.run(["--profile", "admin", "-c", "exported"]);
      assert.equal(dangling.code, 3, dangling.stderr);
      await assert.rejects(Deno.lstat(`${sandbox.home}/created`), Deno.errors.NotFound);
      await Deno.remove(`${sandbox.credentialsFile}.lock`);

      // The credentials file itself as the user's link to a root file.
      await Deno.writeTextFile(sandbox.configFile, CONFIG + KEYS_CONFIG);
      await Deno.remove(sandbox.credentialsFile);
      await Deno.symlink(victim, sandbox.credentialsFile);
      await promises.lchown(sandbox.credentialsFile, USER, GROUP);
      const linked = await sandbox.run(["--profile", "admin", "-c", "exported"]);
      assert.equal(linked.code, 3, linked.stderr);
      assert.match(linked.stderr, /is a symlink owned by uid 12345 to a file owned by uid 0/);
      assert.equal(await Deno.readTextFile(victim), "root's\n");
    });
  },
});

Deno.test({
  name: "aec -c refuses a file whose owner it cannot keep" +
    (isRoot ? "" : " (ignored: needs root)"),
  ignore: !posix || !isRoot,
  fn: async () => {
    await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
      // Answered from a cache that root fills, aec as USER loads no npm module from
      // root's Deno cache.
      const cache = `${sandbox.home}/cache.json`;
      const filled = await sandbox.run(["--profile", "admin", "--cache-file", cache, "--json"]);
      assert.equal(filled.code, 0, filled.stderr);
      await Deno.chown(cache, USER, USER);
      // A file of GROUP's that USER may write, in a directory USER may write.
      await Deno.chmod(sandbox.home, 0o755);
      await Deno.chmod(`${sandbox.home}/.aws`, 0o777);
      await Deno.chown(sandbox.credentialsFile, GROUP, GROUP);
      await Deno.chmod(sandbox.credentialsFile, 0o666);
      const before = await Deno.readFile(sandbox.credentialsFile);
      const denoDir = await Deno.makeTempDir({ dir: sandbox.home });
      await Deno.chown(denoDir, USER, USER);

      const result = await sandbox.run(
        ["--profile", "admin", "--cache-file", cache, "-c", "exported"],
        { uid: USER, gid: USER, env: { DENO_DIR: denoDir }, denoFlags: ["--cached-only"] },
      );
      assert.equal(result.code, 3, result.stderr);
      assert.match(
        result.stderr,
        new RegExp(
          `^aec: Could not write profile exported to ${sandbox.credentialsFile}: ` +
            `cannot keep its owner \\(uid ${GROUP}, gid ${GROUP}\\): .+\\n$`,
        ),
      );
      assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
      const info = await Deno.stat(sandbox.credentialsFile);
      assert.deepEqual([info.uid, info.gid, modeOf(info)], [GROUP, GROUP, 0o666]);
      assert.deepEqual(await leftovers(`${sandbox.home}/.aws`), []);
    });
  },
});

/** The temporary files of writes to the credentials file in `dir`. */
async function leftovers(dir: string): Promise<string[]> {
  const names = [];
  for await (const { name } of Deno.readDir(dir)) {
    if (/^\.credentials\..*\.tmp$/.test(name)) names.push(name);
  }
  return names.sort();
}

Deno.test({
  name: "a write killed by SIGKILL leaves a 0600 temporary file that the next -c removes",
  ignore: !posix,
  fn: async () => {
    // A large file (a long comment, under aec's 16 MiB limit), so that the write is
    // slow enough to be caught.
    const comment = `# ${"x".repeat(1 << 20)}\n`.repeat(15);
    await withSandbox({ config: CONFIG, credentials: CREDENTIALS + comment }, async (sandbox) => {
      const dir = `${sandbox.home}/.aws`;
      await Deno.chmod(sandbox.credentialsFile, 0o644);
      let leftover: string | undefined;
      for (let attempt = 0; attempt < 20 && leftover === undefined; attempt++) {
        const child = new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", "--quiet", `${REPO_ROOT}main.ts`, "--profile", "base", "-c", "x"],
          cwd: REPO_ROOT,
          env: sandbox.env,
          clearEnv: true,
          stdout: "null",
          stderr: "null",
        }).spawn();
        let exited = false;
        const status = child.status.finally(() => exited = true);
        while (!exited && leftover === undefined) {
          leftover = (await leftovers(dir))[0];
          if (leftover === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
        }
        if (!exited) child.kill("SIGKILL");
        await status;
      }
      assert.ok(leftover !== undefined, "no write was caught in 20 attempts");
      const path = `${dir}/${leftover}`;
      // The secret was never readable by others, even mid-write.
      assert.equal(modeOf(await Deno.stat(path)), 0o600);

      // Only the leftovers of aec's own writes to this file go.
      const uuid = crypto.randomUUID();
      const kept = [
        `.credentials.${uuid}.tmp.bak`,
        `.credentials.not-a-uuid.tmp`,
        `.config.${uuid}.tmp`,
        `credentials.${uuid}.tmp`,
      ];
      for (const name of kept) await Deno.writeTextFile(`${dir}/${name}`, "keep");
      await Deno.mkdir(`${dir}/.credentials.${crypto.randomUUID()}.tmp`);
      const before = await leftovers(dir);
      const result = await sandbox.run(["--profile", "base", "-c", "y"]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(await leftovers(dir), before.filter((name) => name !== leftover));
      for (const name of kept) assert.equal(await Deno.readTextFile(`${dir}/${name}`), "keep");
      assert.equal(modeOf(await Deno.stat(sandbox.credentialsFile)), 0o644);
    });
  },
});

const STRACE = await command("strace", ["-V"]);

Deno.test({
  ...requires("aec -c flushes the directory after the rename", POSIX, STRACE),
  fn: async () => {
    await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
      const log = `${sandbox.home}/strace.log`;
      const dir = `${sandbox.home}/.aws`;
      const { code, stderr } = await new Deno.Command("strace", {
        args: [
          "-f",
          "-qq",
          "-o",
          log,
          "-e",
          "trace=openat,fcntl,dup,dup2,dup3,fsync,rename,renameat,renameat2",
          Deno.execPath(),
          ...["run", "-A", "--quiet", `${REPO_ROOT}main.ts`, "--profile", "base", "-c", "x"],
        ],
        cwd: REPO_ROOT,
        env: sandbox.env,
        clearEnv: true,
      }).output();
      assert.equal(code, 0, new TextDecoder().decode(stderr));
      const calls = (await Deno.readTextFile(log)).split("\n");
      const rename = calls.findIndex((call) =>
        /rename/.test(call) && call.includes(`"${dir}/credentials"`)
      );
      assert.ok(rename !== -1, "no rename over the credentials file");
      // The directory's descriptor after the rename, and the duplicates Deno makes of it.
      const aliases = new Set<string>();
      let flushed = false;
      for (const call of calls.slice(rename)) {
        const opened = call.match(new RegExp(`openat\\(AT_FDCWD, "${dir}", .*\\)\\s+= (\\d+)$`));
        if (opened) aliases.add(opened[1]!);
        const duplicated = call.match(
          /(?:fcntl\((\d+), F_DUPFD\w*|dup[23]?\((\d+)).*\)\s+= (\d+)$/,
        );
        if (duplicated && aliases.has(duplicated[1] ?? duplicated[2]!)) aliases.add(duplicated[3]!);
        const synced = call.match(/fsync\((\d+)\)\s+= 0$/);
        if (synced && aliases.has(synced[1]!)) flushed = true;
      }
      assert.ok(aliases.size > 0, "the directory was not opened after the rename");
      assert.ok(flushed, "the directory was not flushed after the rename");
    });
  },
});

/** The credentials every botocore here reads for `profile` of the sandbox's files. */
async function assertBotocoreReads(
  sandbox: Sandbox,
  profile: string,
  expected: { accessKeyId: string; secretAccessKey: string; sessionToken: string | null },
) {
  for (const botocore of BOTOCORES) {
    assert.deepEqual(
      await botocoreCredentials(botocore, sandbox, profile),
      expected,
      `botocore ${botocore.version}, profile ${profile}`,
    );
  }
}

// Keys the way botocore also reads them: any case, `:` as well as `=`.
const UPPER_LONG_TERM = "[upper]\r\nAWS_ACCESS_KEY_ID = AKIAUPPEREXAMPLE\r\n" +
  "Aws_Secret_Access_Key: upper-secret\r\n";
const UPPER_TEMPORARY =
  "[exported]\r\nregion = eu-west-1\r\nAWS_ACCESS_KEY_ID: ASIAOLDEXAMPLE\r\n" +
  "AWS_SECRET_ACCESS_KEY=old-secret\r\nAws_Session_Token = old-token ; from yesterday\r\n" +
  "  continued\r\n# end of exported\r\n";

Deno.test({
  ...requires(
    "aec -c sees long-term keys in upper case or with a colon, and leaves the file as it was",
    BOTOCORE,
  ),
  async fn() {
    await withSandbox(
      { config: CONFIG, credentials: CREDENTIALS + UPPER_LONG_TERM },
      async (sandbox) => {
        const before = await Deno.readFile(sandbox.credentialsFile);
        const result = await sandbox.run(["--profile", "admin", "-c", "upper"]);
        assert.equal(result.code, 3, result.stderr);
        assert.equal(
          result.stderr,
          `aec: Refusing to overwrite long-term keys in profile upper of ${sandbox.credentialsFile}: ` +
            "they may be the only copy of those keys (write to another profile name; to export " +
            "long-term keys as a session, add --ensure-temporary)\n",
        );
        assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
        await assertBotocoreReads(sandbox, "upper", {
          accessKeyId: "AKIAUPPEREXAMPLE",
          secretAccessKey: "upper-secret",
          sessionToken: null,
        });
      },
    );
  },
});

Deno.test({
  ...requires(
    "aec -c replaces keys written in any case in place, and botocore reads every profile",
    BOTOCORE,
  ),
  async fn() {
    await withSandbox(
      { config: CONFIG, credentials: CREDENTIALS + UPPER_TEMPORARY + UPPER_LONG_TERM },
      async (sandbox) => {
        const written = await sandbox.run(["--profile", "admin", "-c", "exported"]);
        assert.equal(written.code, 0, written.stderr);
        assert.equal(written.stderr, "");
        const issued = [...sandbox.aws.issued.values()][0]!;
        const text = await Deno.readTextFile(sandbox.credentialsFile);
        assert.equal(
          text,
          CREDENTIALS +
            "[exported]\r\nregion = eu-west-1\r\n" +
            `aws_access_key_id = ${issued.accessKeyId}\r\n` +
            `aws_secret_access_key = ${issued.secretAccessKey}\r\n` +
            `aws_session_token = ${issued.sessionToken}\r\n` +
            `aws_credential_expiration = ${
              issued.expiration.toISOString().replace(/\.\d{3}Z$/, "Z")
            }\r\n` +
            "# end of exported\r\n" + UPPER_LONG_TERM,
        );
        await assertBotocoreReads(sandbox, "exported", {
          accessKeyId: issued.accessKeyId,
          secretAccessKey: issued.secretAccessKey,
          sessionToken: issued.sessionToken,
        });
        await assertBotocoreReads(sandbox, "base", {
          accessKeyId: STATIC_KEY_ID,
          secretAccessKey: STATIC_SECRET,
          sessionToken: null,
        });
        const readBack = await sandbox.run(["--profile", "exported", "--json"]);
        assert.equal(readBack.code, 0, readBack.stderr);
        assert.equal(JSON.parse(readBack.stdout).SessionToken, issued.sessionToken);
      },
    );
  },
});

Deno.test("aec -c refuses a profile with a key written twice, as an older aec left it", async () => {
  // Long-term keys in upper case, then the lower-case copies an older aec appended.
  const damaged = UPPER_LONG_TERM.replace("[upper]", "[twice]") +
    "aws_access_key_id = ASIAOLDEXAMPLE\r\naws_session_token = old-token\r\n";
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS + damaged }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    const result = await sandbox.run(["--profile", "admin", "-c", "twice"]);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(
      result.stderr,
      // The AWS CLI cannot read such a file either: aec warns of that first.
      `aec: warning: botocore (the AWS CLI) cannot parse ${sandbox.credentialsFile}: section ` +
        "[twice] sets aws_access_key_id again on line 8; keep one\n" +
        `aec: Refusing to write profile twice to ${sandbox.credentialsFile}: ` +
        "aws_access_key_id appears twice in it, on lines 6 and 8\n",
    );
    assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
  });
});

Deno.test("aec -c refuses a name no reader would read back as that profile, at once, in one line", async () => {
  await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    for (const name of ["a b", "a\nb", "x\ry", "DEFAULT", "constructor", "k #note"]) {
      for (const flag of ["-c", "--credentials-file-profile"]) {
        const result = await sandbox.run(["--profile", "admin", flag, name]);
        assert.equal(result.code, 2, `${JSON.stringify(name)}: ${result.stderr}`);
        assert.equal(result.stdout, "");
        assert.match(
          result.stderr,
          new RegExp(
            `^aec: Profile name ${
              RegExp.escape(JSON.stringify(name))
            } would not read back as a profile: [^\\n]+\\n$`,
          ),
        );
      }
    }
    assert.deepEqual(sandbox.aws.requests, [], "aec resolved credentials before checking the name");
    assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
  });
});

Deno.test({
  ...requires("aec -c writes a name with spaces that both readers read back", BOTOCORE),
  async fn() {
    await withSandbox({ config: CONFIG, credentials: CREDENTIALS }, async (sandbox) => {
      // Two words would read as `prefix name` in the JS SDK; three do not.
      const name = "team a b";
      const written = await sandbox.run(["--profile", "admin", "-c", name]);
      assert.equal(written.code, 0, written.stderr);
      const issued = [...sandbox.aws.issued.values()][0]!;
      const readBack = await sandbox.run(["--profile", name, "--json"]);
      assert.equal(readBack.code, 0, readBack.stderr);
      assert.equal(JSON.parse(readBack.stdout).AccessKeyId, issued.accessKeyId);
      await assertBotocoreReads(sandbox, name, {
        accessKeyId: issued.accessKeyId,
        secretAccessKey: issued.secretAccessKey,
        sessionToken: issued.sessionToken,
      });
    });
  },
});

Deno.test("aec -c refuses a name whose config-file profile has credentials of its own", async () => {
  await withSandbox({
    config: CONFIG + KEYS_CONFIG.replace("[profile base]", "[profile keys]") +
      "[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n",
    credentials: CREDENTIALS,
  }, async (sandbox) => {
    const before = await Deno.readFile(sandbox.credentialsFile);
    for (
      const [name, settings] of [["keys", "aws_access_key_id, aws_secret_access_key"], [
        "sso",
        "sso_session",
      ]]
    ) {
      const result = await sandbox.run(["--profile", "admin", "-c", name!]);
      assert.equal(result.code, 3, result.stderr);
      assert.equal(result.stderr.split("\n").length, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`has credential settings of its own \\(${settings}`));
      assert.deepEqual(await Deno.readFile(sandbox.credentialsFile), before);
    }
    // Refused before anything was resolved.
    assert.equal(sandbox.aws.requests.length, 0);
  });
});
