/**
 * End to end, `aec keys` attacked: a store that is locked, refuses or is
 * missing is exit 3 in one line and never another identity; add and migrate
 * refuse AWS files they could not edit before anything is stored, and a
 * refused add keeps the keys stored before it; migrate edits a symlink's
 * target, and keeps the keys somewhere however early it is killed;
 * concurrent adds all land; secrets stay off the screen, argv and --debug;
 * a cached session is answered without any npm module.
 */

import assert from "node:assert/strict";
import {
  aecOnPath,
  lockSecretService,
  PASS,
  SECRET_SERVICE,
  setUpPass,
  setUpSecretService,
  testPath,
} from "./support/key_stores.ts";
import {
  REPO_ROOT,
  runAec,
  type Sandbox,
  STATIC_KEY_ID,
  STATIC_SECRET,
  withSandbox,
} from "./support/sandbox.ts";
import { requires } from "./support/clients.ts";
import { aecCommand, startOnTerminal, TERMINAL } from "./support/terminal.ts";

const CONFIG = "[profile base]\nregion = eu-west-1\n";
const CREDENTIALS = `[base]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
  `aws_secret_access_key = ${STATIC_SECRET}\n`;
const FILES = { config: CONFIG, credentials: CREDENTIALS };
const PASSPHRASE = "correct horse battery staple";
/** Another identity in the environment, which a failing profile must never fall back to. */
const OTHER_IDENTITY = {
  AWS_ACCESS_KEY_ID: "AKIAENVIRONMENT00001",
  AWS_SECRET_ACCESS_KEY: "environmentSecret/K7MDENG/bPxRfiCYEXAMPLE",
};

function fileStore(sandbox: Sandbox): Record<string, string> {
  return { ...sandbox.env, AEC_KEY_STORE: "file", AEC_KEY_STORE_PASSPHRASE: PASSPHRASE };
}

/** One line on stderr, exit 3, nothing on stdout, no call signed by the environment's key. */
function assertRefused(
  sandbox: Sandbox,
  result: { code: number; stdout: string; stderr: string },
  pattern: RegExp,
) {
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stdout, "");
  assert.match(result.stderr, /^aec: [^\n]*\n$/);
  assert.match(result.stderr, pattern);
  assert.ok(
    !sandbox.aws.requests.some((request) => request.signedBy === OTHER_IDENTITY.AWS_ACCESS_KEY_ID),
  );
}

Deno.test("a wrong passphrase or a damaged key file is exit 3 in one line, never the environment's keys", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const env = fileStore(sandbox);
    assert.equal((await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env })).code, 0);
    const wrong = { ...env, ...OTHER_IDENTITY, AEC_KEY_STORE_PASSPHRASE: "wrong" };
    assertRefused(
      sandbox,
      await sandbox.run(["--profile", "base", "--json"], { env: wrong }),
      /The passphrase does not open .*keys\.json/,
    );
    assertRefused(
      sandbox,
      await sandbox.run(["keys", "credential-process", "--store", "file", "base"], { env: wrong }),
      /The passphrase does not open/,
    );
    // No passphrase and no terminal to ask on.
    const none: Record<string, string> = { ...env, ...OTHER_IDENTITY };
    delete none.AEC_KEY_STORE_PASSPHRASE;
    assertRefused(
      sandbox,
      await sandbox.run(["--profile", "base", "--json"], { env: none }),
      /no terminal to ask on: set AEC_KEY_STORE_PASSPHRASE/,
    );
    const keyFile = `${sandbox.home}/.config/aec/keys.json`;
    await Deno.writeTextFile(keyFile, "{ damaged", { mode: 0o600 });
    assertRefused(
      sandbox,
      await sandbox.run(["--profile", "base", "--json"], { env: { ...env, ...OTHER_IDENTITY } }),
      /is not an aec key file, or is damaged/,
    );
    assert.equal(await Deno.readTextFile(keyFile), "{ damaged");
  });
});

Deno.test({
  ...requires(
    "a locked Secret Service is exit 3 in one line, for aec and the AWS CLI alike",
    SECRET_SERVICE,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const store = await setUpSecretService(sandbox);
      try {
        await aecOnPath(sandbox);
        const env = { ...sandbox.env, ...store.env, PATH: testPath(sandbox) };
        const migrated = await sandbox.run(
          ["keys", "migrate", "base", "--store", "secret-service", "--no-verify"],
          { env },
        );
        assert.equal(migrated.code, 0, migrated.stderr);
        await lockSecretService(store, sandbox);
        const locked = { ...env, ...OTHER_IDENTITY };
        assertRefused(
          sandbox,
          await sandbox.run(["--profile", "base", "--json", "--refresh"], { env: locked }),
          /The secret-service store could not read the keys of profile base: its collection is locked/,
        );
        assertRefused(
          sandbox,
          await sandbox.run(
            ["keys", "credential-process", "--store", "secret-service", "--no-session", "base"],
            { env: locked },
          ),
          /is locked/,
        );
        // botocore with --profile leaves out the environment's keys: it fails, as aec does.
        const aws = await new Deno.Command("aws", {
          args: ["sts", "get-caller-identity", "--profile", "base"],
          env: locked,
          clearEnv: true,
        }).output().catch(() => undefined);
        if (aws) {
          assert.notEqual(aws.code, 0);
          assert.match(new TextDecoder().decode(aws.stderr), /is locked/);
        }
        assert.equal(sandbox.aws.requests.length, 0);
      } finally {
        await store.tearDown();
      }
    });
  },
});

Deno.test({
  ...requires("pass refusing to decrypt is exit 3 with gpg's verdict in one line", PASS),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const store = await setUpPass(sandbox);
      try {
        const env = { ...sandbox.env, ...store.env };
        const migrated = await sandbox.run(
          ["keys", "migrate", "base", "--store", "pass", "--no-verify"],
          { env },
        );
        assert.equal(migrated.code, 0, migrated.stderr);
        const elsewhere = `${sandbox.home}/.other-gnupg`;
        await Deno.mkdir(elsewhere, { mode: 0o700 });
        assertRefused(
          sandbox,
          await sandbox.run(["--profile", "base", "--json"], {
            env: { ...env, ...OTHER_IDENTITY, GNUPGHOME: elsewhere },
          }),
          /The pass store could not read aec\/base: gpg: decryption failed: No secret key/,
        );
      } finally {
        await store.tearDown();
      }
    });
  },
});

Deno.test("a store that is not installed or not reachable says what to do, in one line", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { AEC_KEY_STORE: "pass", PATH: "/nonexistent" },
        /The pass store is not available: pass is not installed: install it/,
      ],
      [
        { AEC_KEY_STORE: "secret-service", PATH: "/nonexistent" },
        /The secret-service store is not available: secret-tool is not installed: install libsecret-tools/,
      ],
      [
        { AEC_KEY_STORE: "1password", PATH: "/nonexistent" },
        /The 1password store is not available: op \(the 1Password CLI\) is not installed/,
      ],
    ];
    if (Deno.build.os === "linux") {
      cases.push([{ AEC_KEY_STORE: "keychain" }, /The keychain store is not available: .*macOS/]);
    }
    for (const [vars, pattern] of cases) {
      const result = await sandbox.run(["keys", "migrate", "base", "--no-verify"], {
        env: { ...vars },
      });
      assertRefused(sandbox, result, pattern);
      assert.equal(await Deno.readTextFile(sandbox.credentialsFile), CREDENTIALS);
    }
  });
});

Deno.test({
  name: "aec keys migrate refuses a read-only credentials file before anything moves",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      await Deno.chmod(sandbox.credentialsFile, 0o444);
      const env = fileStore(sandbox);
      const result = await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env });
      assertRefused(sandbox, result, /Refusing to rewrite .*credentials: it is read-only/);
      assert.equal(await Deno.readTextFile(sandbox.configFile), CONFIG);
      assert.equal(await Deno.readTextFile(sandbox.credentialsFile), CREDENTIALS);
      const listed = await sandbox.run(["keys", "list", "--json"], { env });
      assert.deepEqual(JSON.parse(listed.stdout), []);
    });
  },
});

Deno.test({
  name: "aec keys migrate edits a symlinked credentials file at its target, the link kept",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withSandbox({ config: CONFIG }, async (sandbox) => {
      const target = await sandbox.write("dotfiles/aws-credentials", `# kept\n${CREDENTIALS}`);
      await Deno.symlink(target, sandbox.credentialsFile);
      await aecOnPath(sandbox);
      const env = { ...fileStore(sandbox), PATH: testPath(sandbox) };
      const result = await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env });
      assert.equal(result.code, 0, result.stderr);
      assert.ok((await Deno.lstat(sandbox.credentialsFile)).isSymlink);
      assert.equal(await Deno.readTextFile(target), "# kept\n[base]\n");
    });
  },
});

Deno.test({
  name: "a refused aec keys add leaves the keys stored before it, read-only or ambiguous config",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withSandbox({ config: CONFIG }, async (sandbox) => {
      await aecOnPath(sandbox);
      const env = { ...fileStore(sandbox), PATH: testPath(sandbox) };
      const add = (i: number) =>
        sandbox.run(["keys", "add", "p", "--stdin", "--no-verify"], {
          env,
          stdin: `AKIAREFUSEDADD00000${i}\nsecret${i}/K7MDENG/bPxRfiCYEXAMPLEKEY\n`,
        });
      const storedKeyIds = async () =>
        JSON.parse((await sandbox.run(["keys", "list", "--json"], { env })).stdout)
          .map((row: { accessKeyId: string }) => row.accessKeyId);
      assert.equal((await add(1)).code, 0);
      const config = await Deno.readTextFile(sandbox.configFile);

      await Deno.chmod(sandbox.configFile, 0o444);
      assertRefused(sandbox, await add(2), /Refusing to rewrite .*config: it is read-only/);
      assert.deepEqual(await storedKeyIds(), ["AKIAREFUSEDADD000001"]);

      // The line twice: which one the readers take is not aec's to guess.
      await Deno.chmod(sandbox.configFile, 0o600);
      const line = /^credential_process = .*$/m.exec(config)![0];
      await Deno.writeTextFile(sandbox.configFile, `${config}${line}\n`);
      assertRefused(sandbox, await add(3), /Refusing to edit profile p in .*config/);
      assert.deepEqual(await storedKeyIds(), ["AKIAREFUSEDADD000001"]);
      assert.equal(await Deno.readTextFile(sandbox.configFile), `${config}${line}\n`);

      // A failure only the edit itself meets, the new keys stored by then: the old ones go back.
      await Deno.writeTextFile(sandbox.configFile, config);
      await Deno.remove(`${sandbox.configFile}.lock`);
      await Deno.mkdir(`${sandbox.configFile}.lock`);
      assertRefused(sandbox, await add(4), /config\.lock is not a regular file/);
      assert.deepEqual(await storedKeyIds(), ["AKIAREFUSEDADD000001"]);
    });
  },
});

Deno.test({
  name:
    "aec keys migrate refuses a credentials file it may not write through before anything moves",
  ignore: Deno.build.os === "windows" || Deno.uid() !== 0,
  fn: async () => {
    await withSandbox({ config: CONFIG }, async (sandbox) => {
      // The user's link to a file of another user's: -c refuses to write through it.
      const target = await sandbox.write("other/credentials", CREDENTIALS);
      await Deno.chown(target, 12345, 12345);
      await Deno.symlink(target, sandbox.credentialsFile);
      await aecOnPath(sandbox);
      const env = { ...fileStore(sandbox), PATH: testPath(sandbox) };
      const result = await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env });
      assertRefused(sandbox, result, /is a symlink owned by uid 0 to a file owned by uid 12345/);
      assert.equal(await Deno.readTextFile(sandbox.configFile), CONFIG);
      assert.equal(await Deno.readTextFile(target), CREDENTIALS);
      const listed = await sandbox.run(["keys", "list", "--json"], { env });
      assert.deepEqual(JSON.parse(listed.stdout), []);
    });
  },
});

Deno.test({
  name: "a stored profile whose session cache cannot be made is exit 3 in one line naming it",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const env = fileStore(sandbox);
      assert.equal(
        (await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env })).code,
        0,
      );
      const cache = await sandbox.write(".cache/aec/keys", "not a directory\n");
      assertRefused(
        sandbox,
        await sandbox.run(["--profile", "base", "--json"], { env: { ...env, ...OTHER_IDENTITY } }),
        new RegExp(`Could not lock .*${cache.replaceAll(".", "\\.")}`),
      );
    });
  },
});

Deno.test("aec keys migrate refuses a profile with keys in its config section too", async () => {
  await withSandbox({
    config: `${CONFIG}aws_access_key_id = AKIACONFIGEXAMPLE001\n` +
      "aws_secret_access_key = configSecret/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    credentials: CREDENTIALS,
  }, async (sandbox) => {
    const result = await sandbox.run(["keys", "migrate", "base", "--no-verify"], {
      env: fileStore(sandbox),
    });
    assertRefused(sandbox, result, /Profile base has keys in .*config too/);
    assert.equal(await Deno.readTextFile(sandbox.credentialsFile), CREDENTIALS);
  });
});

Deno.test("killed at any moment of aec keys migrate, the keys are in the credentials file or the store", async () => {
  /** Runs migrate, killed after `killAfterMs` or once it says it is writing the line. */
  const migrate = async (killAfterMs: number | "at the line" | undefined) => {
    let outcome = "";
    await withSandbox(FILES, async (sandbox) => {
      const env = fileStore(sandbox);
      const [program, ...args] = aecCommand(["keys", "migrate", "base", "--no-verify", "--debug"]);
      const started = performance.now();
      const child = new Deno.Command(program!, {
        args,
        cwd: REPO_ROOT,
        env,
        clearEnv: true,
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const kill = () => {
        try {
          child.kill("SIGKILL");
        } catch {
          // It has ended.
        }
      };
      const timer = typeof killAfterMs === "number" ? setTimeout(kill, killAfterMs) : undefined;
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        // After the keys are in the store, before the AWS files change.
        if (killAfterMs === "at the line" && chunk.includes("credential_process = ")) kill();
      }
      const status = await child.status;
      clearTimeout(timer);
      const inFile = (await Deno.readTextFile(sandbox.credentialsFile)).includes(STATIC_SECRET);
      const stored = await runAec(
        ["keys", "credential-process", "--store", "file", "--no-session", "base"],
        env,
      );
      const inStore = stored.code === 0 &&
        JSON.parse(stored.stdout).SecretAccessKey === STATIC_SECRET;
      assert.ok(inFile || inStore, `killed after ${killAfterMs}ms: the keys are nowhere`);
      // Without keys in the file, the profile must read the store.
      if (!inFile) assert.match(await Deno.readTextFile(sandbox.configFile), /credential_process/);
      outcome = status.success
        ? `done in ${Math.round(performance.now() - started)}ms`
        : inStore
        ? "killed, stored"
        : "killed, not stored";
    });
    return outcome;
  };
  assert.equal(await migrate("at the line"), "killed, stored");
  // Kills spread over a whole run's length on this machine, as it is now.
  const whole = Number((await migrate(undefined)).match(/\d+/)![0]);
  const outcomes = new Set<string>();
  for (let fifth = 1; fifth <= 6; fifth++) {
    outcomes.add((await migrate(Math.round(whole * fifth / 5))).replace(/ in \d+ms/, ""));
  }
  assert.ok(outcomes.has("killed, not stored"), [...outcomes].join(", "));
});

Deno.test("concurrent aec keys add to the file store all land", async () => {
  await withSandbox({ config: CONFIG }, async (sandbox) => {
    const env = fileStore(sandbox);
    const profiles = ["p1", "p2", "p3", "p4"];
    const results = await Promise.all(
      profiles.map((profile, i) =>
        sandbox.run(["keys", "add", profile, "--stdin", "--no-verify"], {
          env,
          stdin: `AKIACONCURRENT00000${i}\nsecret${i}/K7MDENG/bPxRfiCYEXAMPLEKEY\n`,
        })
      ),
    );
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const listed = await sandbox.run(["keys", "list", "--json"], { env });
    assert.deepEqual(
      JSON.parse(listed.stdout).map((row: { profile: string }) => row.profile),
      profiles,
    );
    const config = await Deno.readTextFile(sandbox.configFile);
    for (const profile of profiles) {
      assert.match(config, new RegExp(`\\[profile ${profile}\\]\\ncredential_process = `));
    }
  });
});

Deno.test("aec keys remove asks first, and without a terminal needs --force (exit 2)", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const env = fileStore(sandbox);
    assert.equal((await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env })).code, 0);
    const refused = await sandbox.run(["keys", "remove", "base"], { env });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /without a terminal, add --force/);
    const stored = await sandbox.run(
      ["keys", "credential-process", "--store", "file", "--no-session", "base"],
      { env },
    );
    assert.equal(JSON.parse(stored.stdout).AccessKeyId, STATIC_KEY_ID);
  });
});

Deno.test("--debug shows where the keys come from, never a secret or the passphrase", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const env = fileStore(sandbox);
    const migrated = await sandbox.run(["keys", "migrate", "base", "--debug"], { env });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(
      migrated.stderr,
      /credential_process = .* keys credential-process --store file base/,
    );
    const own = await sandbox.run(["--profile", "base", "--json", "--debug"], { env });
    assert.equal(own.code, 0, own.stderr);
    assert.match(own.stderr, /reads aec's key store, with no child process/);
    assert.match(own.stderr, /a new session, from the keys in the file store/);
    const session = JSON.parse(own.stdout);
    for (
      const secret of [STATIC_SECRET, PASSPHRASE, session.SecretAccessKey, session.SessionToken]
    ) {
      assert.ok(!migrated.stderr.includes(secret) && !own.stderr.includes(secret), secret);
    }
  });
});

Deno.test("a stored profile's cached session is handed out without loading any npm module", async () => {
  await withSandbox(FILES, async (sandbox) => {
    const env = fileStore(sandbox);
    assert.equal((await sandbox.run(["keys", "migrate", "base", "--no-verify"], { env })).code, 0);
    const args = ["keys", "credential-process", "--store", "file", "base"];
    const first = await sandbox.run(args, { env });
    assert.equal(first.code, 0, first.stderr);
    const emptyCache = await Deno.makeTempDir({ prefix: "aec-empty-deno-dir-" });
    try {
      const hit = await runAec(args, { ...env, DENO_DIR: emptyCache }, {
        denoFlags: ["--cached-only"],
      });
      assert.equal(hit.code, 0, hit.stderr);
      assert.equal(hit.stdout, first.stdout);
      // aec itself, through its pipeline's key store source: the SDK is never loaded either.
      const own = await runAec(["--profile", "base", "--json"], {
        ...env,
        DENO_DIR: emptyCache,
      }, { denoFlags: ["--cached-only"] });
      assert.equal(own.code, 0, own.stderr);
      assert.equal(JSON.parse(own.stdout).SessionToken, JSON.parse(first.stdout).SessionToken);
    } finally {
      await Deno.remove(emptyCache, { recursive: true });
    }
  });
});

Deno.test({
  ...requires(
    "aec keys add on a terminal shows the key id, never the secret or the new passphrase",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox({ config: CONFIG }, async (sandbox) => {
      const env = { ...sandbox.env, AEC_KEY_STORE: "file" };
      const secret = "typedSecret/K7MDENG/bPxRfiCYEXAMPLEKEY";
      const session = startOnTerminal(aecCommand(["keys", "add", "dev"]), env);
      await session.waitFor("Access key id for profile dev: ");
      await session.type("AKIATYPEDEXAMPLE0001\r");
      await session.waitFor("Secret access key (not shown): ");
      await session.type(`${secret}\r`);
      await session.waitFor("New passphrase for ");
      await session.type(`${PASSPHRASE}\r`);
      await session.waitFor("The same passphrase again: ");
      await session.type(`${PASSPHRASE}\r`);
      assert.equal(await session.exit(), 0, session.screen());
      const screen = session.screen();
      assert.match(screen, /AKIATYPEDEXAMPLE0001/);
      assert.ok(!screen.includes(secret) && !screen.includes(PASSPHRASE), screen);
      assert.match(screen, /stored the keys of profile dev \(AKIATYPEDEXAMPLE0001, arn:aws:iam::/);
      const stored = await sandbox.run(
        ["keys", "credential-process", "--store", "file", "--no-session", "dev"],
        { env: { ...env, AEC_KEY_STORE_PASSPHRASE: PASSPHRASE } },
      );
      assert.equal(JSON.parse(stored.stdout).SecretAccessKey, secret);
    });
  },
});
