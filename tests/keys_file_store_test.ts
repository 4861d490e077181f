/**
 * The `file` store: keys encrypted under a passphrase (Argon2id, AES-256-GCM),
 * a file nobody else may read, and one that aec never writes over when it
 * cannot open it: a wrong passphrase, damage, a changed field.
 */

import assert from "node:assert/strict";
import { createFileStore } from "../lib/keys/file_store.ts";
import { createLogger, CredentialError } from "../lib/support/mod.ts";

const KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const posix = Deno.build.os !== "windows";

async function withHome(body: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "aec-file-store-" });
  try {
    await body(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

/** A store as a new process would open it (the derived key is cached per passphrase and salt). */
function storeIn(home: string, passphrase: string) {
  return createFileStore({
    env: { HOME: home, XDG_CONFIG_HOME: `${home}/config`, AEC_KEY_STORE_PASSPHRASE: passphrase },
    log: createLogger(false),
    os: Deno.build.os,
  });
}

function refusal(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof CredentialError && pattern.test(error.message) &&
    !error.message.includes("\n");
}

Deno.test("the file store keeps keys encrypted, 0600 in a 0700 directory, and gives them back", async () => {
  await withHome(async (home) => {
    const store = storeIn(home, "first passphrase");
    assert.equal(store.location, `${home}/config/aec/keys.json`);
    assert.equal(await store.get("dev"), undefined);
    assert.deepEqual(await store.list(), []);
    await store.put("dev", KEYS);
    await store.put("__proto__", KEYS);
    assert.deepEqual(await storeIn(home, "first passphrase").get("dev"), KEYS);
    assert.deepEqual(await store.list(), [
      { profile: "__proto__", accessKeyId: KEYS.accessKeyId },
      { profile: "dev", accessKeyId: KEYS.accessKeyId },
    ]);
    const text = await Deno.readTextFile(store.location);
    for (const plain of [KEYS.secretAccessKey, KEYS.accessKeyId, "dev"]) {
      assert.ok(!text.includes(plain), plain);
    }
    assert.equal(JSON.parse(text).Kdf.Name, "argon2id");
    if (posix) {
      assert.equal((await Deno.stat(store.location)).mode! & 0o777, 0o600);
      assert.equal((await Deno.stat(`${home}/config/aec`)).mode! & 0o777, 0o700);
    }
    assert.equal(await store.remove("dev"), true);
    assert.equal(await store.remove("dev"), false);
    assert.equal(await store.get("dev"), undefined);
  });
});

Deno.test("the file store refuses a wrong passphrase and leaves the file as it was", async () => {
  await withHome(async (home) => {
    const path = storeIn(home, "right").location;
    await storeIn(home, "right").put("dev", KEYS);
    const before = await Deno.readTextFile(path);
    const wrong = storeIn(home, "wrong");
    await assert.rejects(() => wrong.get("dev"), refusal(/The passphrase does not open/));
    await assert.rejects(() => wrong.put("prod", KEYS), refusal(/The passphrase does not open/));
    assert.equal(await Deno.readTextFile(path), before);
  });
});

Deno.test("the file store refuses a damaged or altered file and never writes over it", async () => {
  await withHome(async (home) => {
    const store = storeIn(home, "pass");
    await store.put("dev", KEYS);
    const good = JSON.parse(await Deno.readTextFile(store.location));
    const variants: [string, RegExp][] = [
      ["garbage\n", /is not an aec key file, or is damaged \(not JSON\)/],
      [JSON.stringify({ ...good, Format: "other" }), /no aec-keys format/],
      [JSON.stringify({ ...good, Kdf: { ...good.Kdf, MemoryKiB: 1 << 30 } }), /out of bounds/],
      // Fields that stay in bounds but differ: the cipher's additional data no longer matches.
      [JSON.stringify({ ...good, Kdf: { ...good.Kdf, Passes: 2 } }), /passphrase does not open/],
      [
        JSON.stringify({
          ...good,
          Data: good.Data.replace(/^./, (c: string) => c === "A" ? "B" : "A"),
        }),
        /passphrase does not open/,
      ],
    ];
    for (const [text, pattern] of variants) {
      await Deno.writeTextFile(store.location, text, { mode: 0o600 });
      const opened = storeIn(home, "pass");
      await assert.rejects(() => opened.get("dev"), refusal(pattern), text.slice(0, 40));
      await assert.rejects(() => opened.put("prod", KEYS), refusal(pattern));
      assert.equal(await Deno.readTextFile(store.location), text);
    }
  });
});

Deno.test({
  name: "the file store refuses a key file other users could read",
  ignore: !posix,
  fn: async () => {
    await withHome(async (home) => {
      const store = storeIn(home, "pass");
      await store.put("dev", KEYS);
      await Deno.chmod(store.location, 0o644);
      await assert.rejects(() => storeIn(home, "pass").get("dev"), refusal(/mode 644.*chmod 600/));
    });
  },
});

Deno.test({
  name: "the file store writes a symlinked key file at its target, the link kept",
  ignore: !posix,
  fn: async () => {
    await withHome(async (home) => {
      const store = storeIn(home, "pass");
      await Deno.mkdir(`${home}/config/aec`, { recursive: true });
      await Deno.mkdir(`${home}/synced`);
      await Deno.symlink(`${home}/synced/keys.json`, store.location);
      await store.put("dev", KEYS);
      await store.put("prod", KEYS);
      assert.ok((await Deno.lstat(store.location)).isSymlink);
      assert.deepEqual(await storeIn(home, "pass").get("prod"), KEYS);
    });
  },
});
