import assert from "node:assert/strict";
import { fromIni } from "@aws-sdk/credential-providers";
import type { Credentials } from "../lib/support/credentials.ts";
import { writeCredentialsProfile } from "../lib/output/credentials_file.ts";
import { CredentialError, UsageError } from "../lib/support/errors.ts";
import { parseIni, readSection } from "../lib/config/ini.ts";
import { botocoreCredentials } from "./support/botocore.ts";
import { botocores, requires } from "./support/clients.ts";
import { credentialsFor } from "./support/write_profile.ts";

const BOTOCORE = await botocores();
const BOTOCORES = BOTOCORE.found ?? [];

const isWindows = Deno.build.os === "windows";
const WRITER = new URL("./support/write_profile.ts", import.meta.url).href;

const temporary: Credentials = {
  accessKeyId: "ASIAEXAMPLE",
  secretAccessKey: "se/cr+et=",
  sessionToken: "tok/en+==",
  expiration: new Date("2030-01-02T03:04:05.678Z"),
};
const longTerm: Credentials = { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "long/term" };

/** Runs `body` in a fresh temporary directory, removed afterwards. */
async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aec-credentials-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function modeOf(info: Deno.FileInfo): number {
  return (info.mode ?? 0) & 0o777;
}

/** The credentials the AWS SDK for JavaScript reads from profile `profile` of `path`. */
async function readBySdk(path: string, profile: string) {
  // An empty config file, so that the real ~/.aws/config plays no part.
  const configFilepath = await Deno.makeTempFile({ prefix: "aec-empty-config-" });
  try {
    const { accessKeyId, secretAccessKey, sessionToken } = await fromIni({
      profile,
      filepath: path,
      configFilepath,
      ignoreCache: true,
    })();
    return { accessKeyId, secretAccessKey, sessionToken };
  } finally {
    await Deno.remove(configFilepath);
  }
}

function expectedBySdk(credentials: Credentials) {
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  return { accessKeyId, secretAccessKey, sessionToken };
}

async function assertSdkReads(path: string, profile: string, credentials: Credentials) {
  assert.deepEqual(await readBySdk(path, profile), expectedBySdk(credentials));
}

/** Every entry of `dir` but the credentials file and its lock: temporary files left behind. */
async function strayFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name !== "credentials" && entry.name !== "credentials.lock") names.push(entry.name);
  }
  return names;
}

/** Asserts that `promise` rejects with a CredentialError (exit code 3) saying `message`. */
async function assertCredentialError(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof CredentialError, String(error));
    assert.equal(error.exitCode, 3);
    assert.equal(error.message, message);
    return true;
  });
}

Deno.test({
  name: "writeCredentialsProfile() creates a 0600 file in a new 0700 directory",
  ignore: isWindows,
  async fn() {
    await withTempDir(async (dir) => {
      const path = `${dir}/new/aws/credentials`;
      await writeCredentialsProfile({ path, profile: "exported", credentials: temporary });

      assert.equal(modeOf(await Deno.stat(path)), 0o600);
      assert.equal(modeOf(await Deno.stat(`${dir}/new/aws`)), 0o700);
      assert.equal(modeOf(await Deno.stat(`${dir}/new`)), 0o700);
      assert.equal(
        await Deno.readTextFile(path),
        "[exported]\n" +
          "aws_access_key_id = ASIAEXAMPLE\n" +
          "aws_secret_access_key = se/cr+et=\n" +
          "aws_session_token = tok/en+==\n" +
          "aws_credential_expiration = 2030-01-02T03:04:05Z\n",
      );
      await assertSdkReads(path, "exported", temporary);
    });
  },
});

Deno.test({
  name: "writeCredentialsProfile() keeps the mode of an existing file",
  ignore: isWindows,
  async fn() {
    await withTempDir(async (dir) => {
      const path = `${dir}/credentials`;
      await Deno.writeTextFile(path, "[other]\nregion = eu-west-1\n");
      await Deno.chmod(path, 0o640);
      await writeCredentialsProfile({ path, profile: "exported", credentials: temporary });

      assert.equal(modeOf(await Deno.stat(path)), 0o640);
      assert.deepEqual(readSection(await Deno.readTextFile(path), "other"), {
        region: "eu-west-1",
      });
      assert.deepEqual(await strayFiles(dir), []);
    });
  },
});

Deno.test("writeCredentialsProfile() edits the profile in place and keeps everything else", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    const before = "# my keys\n" +
      "[default]\n" +
      "aws_access_key_id = AKIADEFAULT\n" +
      "aws_secret_access_key = default-secret\n" +
      "\n" +
      "[exported]   # written by aec\n" +
      "region = eu-west-1\n" +
      "aws_access_key_id=ASIAOLD\n" +
      "aws_session_token=old-token ; expires soon\n" +
      "\n" +
      "; the end\n";
    await Deno.writeTextFile(path, before);
    await writeCredentialsProfile({
      path,
      profile: "exported",
      credentials: temporary,
      sourceProfile: "default",
    });

    assert.equal(
      await Deno.readTextFile(path),
      "# my keys\n" +
        "[default]\n" +
        "aws_access_key_id = AKIADEFAULT\n" +
        "aws_secret_access_key = default-secret\n" +
        "\n" +
        "[exported]   # written by aec\n" +
        "region = eu-west-1\n" +
        "aws_access_key_id = ASIAEXAMPLE\n" +
        "aws_session_token = tok/en+==\n" +
        "aws_secret_access_key = se/cr+et=\n" +
        "aws_credential_expiration = 2030-01-02T03:04:05Z\n" +
        "\n" +
        "; the end\n",
    );
    await assertSdkReads(path, "exported", temporary);
  });
});

Deno.test("writeCredentialsProfile() keeps CRLF line endings", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    await Deno.writeTextFile(path, "[default]\r\naws_access_key_id = AKIADEFAULT\r\n");
    await writeCredentialsProfile({ path, profile: "exported", credentials: temporary });

    assert.equal(
      await Deno.readTextFile(path),
      "[default]\r\n" +
        "aws_access_key_id = AKIADEFAULT\r\n" +
        "\r\n" +
        "[exported]\r\n" +
        "aws_access_key_id = ASIAEXAMPLE\r\n" +
        "aws_secret_access_key = se/cr+et=\r\n" +
        "aws_session_token = tok/en+==\r\n" +
        "aws_credential_expiration = 2030-01-02T03:04:05Z\r\n",
    );
    await assertSdkReads(path, "exported", temporary);
  });
});

Deno.test("writeCredentialsProfile() removes the session token and expiration when there is none", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    await writeCredentialsProfile({ path, profile: "exported", credentials: temporary });
    await writeCredentialsProfile({ path, profile: "exported", credentials: longTerm });

    assert.equal(
      await Deno.readTextFile(path),
      "[exported]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = long/term\n",
    );
    await assertSdkReads(path, "exported", longTerm);
  });
});

Deno.test("writeCredentialsProfile() refuses to overwrite long-term keys and changes nothing", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    const before = new TextEncoder().encode(
      "[keys]\naws_access_key_id = AKIAKEYS\naws_secret_access_key = keep-me\n",
    );
    await Deno.writeFile(path, before);
    await assertCredentialError(
      writeCredentialsProfile({ path, profile: "keys", credentials: temporary }),
      `Refusing to overwrite long-term keys in profile keys of ${path}: they may be the only copy of those keys`,
    );
    assert.deepEqual(await Deno.readFile(path), before);
    assert.deepEqual(await strayFiles(dir), []);
  });
});

Deno.test("writeCredentialsProfile() refuses to write into the profile it exports from", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    const before = new TextEncoder().encode(
      "[base]\naws_access_key_id = ASIABASE\naws_session_token = t\n",
    );
    await Deno.writeFile(path, before);
    await assertCredentialError(
      writeCredentialsProfile({
        path,
        profile: "base",
        credentials: temporary,
        sourceProfile: "base",
      }),
      "Refusing to overwrite profile base with the credentials exported from it",
    );
    assert.deepEqual(await Deno.readFile(path), before);
    assert.deepEqual(await strayFiles(dir), []);
  });
});

Deno.test("writeCredentialsProfile() refuses a profile that appears twice", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    const before = new TextEncoder().encode("[p]\nregion = a\n[q]\n[p]\nregion = b\n");
    await Deno.writeFile(path, before);
    await assertCredentialError(
      writeCredentialsProfile({ path, profile: "p", credentials: temporary }),
      `Refusing to write profile p to ${path}: it appears twice, on lines 1 and 4`,
    );
    assert.deepEqual(await Deno.readFile(path), before);
  });
});

Deno.test("writeCredentialsProfile() refuses a file that is not UTF-8 and changes nothing", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    const before = new Uint8Array([...new TextEncoder().encode("# caf"), 0xe9, 0x0a]);
    await Deno.writeFile(path, before);
    await assertCredentialError(
      writeCredentialsProfile({ path, profile: "p", credentials: temporary }),
      `Refusing to rewrite ${path}: it is not valid UTF-8`,
    );
    assert.deepEqual(await Deno.readFile(path), before);
  });
});

Deno.test("writeCredentialsProfile() keeps a byte order mark", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    await Deno.writeTextFile(path, "\uFEFF[default]\nregion = x\n");
    await writeCredentialsProfile({ path, profile: "default", credentials: longTerm });
    const bytes = await Deno.readFile(path);
    assert.deepEqual([...bytes.subarray(0, 4)], [0xef, 0xbb, 0xbf, "[".charCodeAt(0)]);
    await assertSdkReads(path, "default", longTerm);
  });
});

Deno.test("writeCredentialsProfile() refuses a profile name it cannot write", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    await assert.rejects(
      writeCredentialsProfile({ path, profile: "a #b", credentials: temporary }),
      (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.equal(
          error.message,
          'Profile name "a #b" would not read back as a profile: ' +
            "the AWS SDK for JavaScript would read part of it as a comment",
        );
        return true;
      },
    );
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
  });
});

Deno.test({
  name: "writeCredentialsProfile() updates the target of a symlink and keeps the link",
  ignore: isWindows,
  async fn() {
    await withTempDir(async (dir) => {
      await Deno.mkdir(`${dir}/dotfiles`);
      const target = `${dir}/dotfiles/credentials`;
      const path = `${dir}/credentials`;
      await Deno.writeTextFile(target, "[other]\nregion = x\n");
      await Deno.symlink("dotfiles/credentials", path);
      await writeCredentialsProfile({ path, profile: "exported", credentials: temporary });

      assert.ok((await Deno.lstat(path)).isSymlink);
      assert.equal(await Deno.readLink(path), "dotfiles/credentials");
      const text = await Deno.readTextFile(target);
      assert.deepEqual(readSection(text, "other"), { region: "x" });
      assert.equal(readSection(text, "exported")?.aws_access_key_id, "ASIAEXAMPLE");
      await assertSdkReads(path, "exported", temporary);
      assert.deepEqual(await strayFiles(`${dir}/dotfiles`), []);
    });
  },
});

Deno.test({
  name: "writeCredentialsProfile() refuses a dangling symlink",
  ignore: isWindows,
  async fn() {
    await withTempDir(async (dir) => {
      const path = `${dir}/credentials`;
      await Deno.symlink("missing/credentials", path);
      await assertCredentialError(
        writeCredentialsProfile({ path, profile: "exported", credentials: temporary }),
        `${path} is a symlink to a missing file`,
      );
      assert.ok((await Deno.lstat(path)).isSymlink);
    });
  },
});

Deno.test("writeCredentialsProfile() lets 20 concurrent processes write 20 profiles", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    const before =
      "# shared\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s\n";
    await Deno.writeTextFile(path, before);
    const profiles = Array.from({ length: 20 }, (_, index) => `writer${index}`);
    const children = profiles.map((profile) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", WRITER, path, profile],
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn()
    );
    // Every writer waits on stdin after `ready`, so that all of them race.
    const outputs = children.map(async (child) => {
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let stdout = "";
      while (!stdout.includes("ready\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        stdout += value;
      }
      return { reader, stdout };
    });
    await Promise.all(outputs);
    await Promise.all(children.map(async (child) => {
      const writer = child.stdin.getWriter();
      await writer.write(new TextEncoder().encode("\n"));
      await writer.close();
    }));
    for (const [index, child] of children.entries()) {
      const { reader } = await outputs[index]!;
      while (!(await reader.read()).done);
      const [status, stderr] = await Promise.all([child.status, new Response(child.stderr).text()]);
      assert.equal(status.code, 0, stderr);
    }

    const text = await Deno.readTextFile(path);
    assert.ok(text.startsWith(before));
    assert.deepEqual(
      parseIni(text).map((section) => section.name).sort(),
      ["default", ...profiles].sort(),
    );
    for (const profile of profiles) {
      const credentials = credentialsFor(profile);
      assert.deepEqual(readSection(text, profile), {
        aws_access_key_id: credentials.accessKeyId,
        aws_secret_access_key: credentials.secretAccessKey,
        aws_session_token: credentials.sessionToken,
        aws_credential_expiration: "2030-01-02T03:04:05Z",
      });
    }
    await assertSdkReads(path, "writer7", credentialsFor("writer7"));
    assert.deepEqual(await strayFiles(dir), []);
  });
});

Deno.test("writeCredentialsProfile() gives up with a clear error while the lock is held", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    const before = new TextEncoder().encode("[default]\nregion = x\n");
    await Deno.writeFile(path, before);
    {
      using held = await Deno.open(`${path}.lock`, { write: true, create: true });
      await held.lock(true);
      const started = performance.now();
      await assertCredentialError(
        writeCredentialsProfile({
          path,
          profile: "exported",
          credentials: temporary,
          lockTimeoutMs: 200,
        }),
        `Timed out after 0.2s waiting for another process writing ${path} (lock file ${path}.lock)`,
      );
      assert.ok(performance.now() - started >= 200);
      assert.deepEqual(await Deno.readFile(path), before);
    }
    // Released with the file: the next writer gets the lock.
    await writeCredentialsProfile({
      path,
      profile: "exported",
      credentials: temporary,
      lockTimeoutMs: 200,
    });
    await assertSdkReads(path, "exported", temporary);
  });
});

Deno.test("writeCredentialsProfile() waits for the lock rather than failing at once", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/credentials`;
    const held = await Deno.open(`${path}.lock`, { write: true, create: true });
    await held.lock(true);
    const release = new Promise((resolve) => setTimeout(resolve, 300)).then(() => held.close());
    const started = performance.now();
    await writeCredentialsProfile({ path, profile: "exported", credentials: temporary });
    assert.ok(performance.now() - started >= 300);
    await release;
    await assertSdkReads(path, "exported", temporary);
  });
});

Deno.test({
  ...requires("writeCredentialsProfile() writes what botocore reads back", BOTOCORE),
  async fn() {
    await withTempDir(async (dir) => {
      const path = `${dir}/credentials`;
      await Deno.writeTextFile(path, "# keys\r\n[default]\r\naws_access_key_id = AKIADEFAULT\r\n");
      await Deno.writeTextFile(`${dir}/config`, "");
      await writeCredentialsProfile({ path, profile: "exported", credentials: temporary });
      await writeCredentialsProfile({ path, profile: "plain", credentials: longTerm });

      for (const botocore of BOTOCORES) {
        for (
          const [profile, credentials] of [["exported", temporary], ["plain", longTerm]] as const
        ) {
          assert.deepEqual(
            await botocoreCredentials(
              botocore,
              { credentialsFile: path, configFile: `${dir}/config` },
              profile,
            ),
            { ...expectedBySdk(credentials), sessionToken: credentials.sessionToken ?? null },
          );
        }
      }
    });
  },
});
