/**
 * The stores that cannot run here (the macOS Keychain, the Windows Credential
 * Manager, 1Password), built against their tools' documented interfaces:
 * each is run against a stand-in of its program on PATH
 * (tests/support/store_stand_in.ts), which records the exact arguments and
 * stdin it gets. The secret must travel on stdin only. The real programs are
 * exercised by the release workflow's smoke tests on macOS and Windows.
 */

import assert from "node:assert/strict";
import { createLogger, CredentialError } from "../lib/support/mod.ts";
import { createKeychainStore } from "../lib/keys/keychain_store.ts";
import { createOnePasswordStore } from "../lib/keys/onepassword_store.ts";
import type { KeyStore, StoreContext } from "../lib/keys/store.ts";
import { createWincredStore, WINCRED_SCRIPT } from "../lib/keys/wincred_store.ts";
import { REPO_ROOT } from "./support/sandbox.ts";
import { shellQuote } from "./support/terminal.ts";

const KEYS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const NEW_KEYS = {
  accessKeyId: "AKIANEWKEY0000000001",
  secretAccessKey: "newSecret1/K7MDENG/bPxRfiCYNEWKEYEXAMPLE",
};

interface Call {
  program: string;
  args: string[];
  stdin: string;
}

/** Runs `body` with a stand-in named `name` (running `program`) first on PATH. */
async function withStandIn(
  name: string,
  program: string,
  os: typeof Deno.build.os,
  body: (context: StoreContext, calls: () => Promise<Call[]>, dir: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "aec-stand-in-" });
  try {
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(
      `${dir}/bin/${name}`,
      `#!/bin/sh\nexec ${shellQuote(Deno.execPath())} run -A --quiet ` +
        `${shellQuote(`${REPO_ROOT}tests/support/store_stand_in.ts`)} ${program} "$@"\n`,
      { mode: 0o755 },
    );
    const env = {
      PATH: `${dir}/bin:${Deno.env.get("PATH")}`,
      HOME: dir,
      STAND_IN_DB: `${dir}/db.json`,
      STAND_IN_LOG: `${dir}/log`,
    };
    const calls = async () =>
      (await Deno.readTextFile(env.STAND_IN_LOG).catch(() => "")).split("\n").filter(Boolean)
        .map((line) => JSON.parse(line) as Call);
    await body({ env, log: createLogger(false), os }, calls, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every store's contract: put, get, replace, list, remove, and the secret off every argv. */
async function exerciseStore(store: KeyStore, calls: () => Promise<Call[]>) {
  assert.equal(await store.available(), undefined);
  assert.equal(await store.get("dev"), undefined);
  await store.put("dev", KEYS);
  assert.deepEqual(await store.get("dev"), KEYS);
  await store.put("dev", NEW_KEYS);
  assert.deepEqual(await store.get("dev"), NEW_KEYS);
  await store.put("prod", KEYS);
  assert.deepEqual(await store.list(), [
    { profile: "dev", accessKeyId: NEW_KEYS.accessKeyId },
    { profile: "prod", accessKeyId: KEYS.accessKeyId },
  ]);
  assert.equal(await store.remove("dev"), true);
  assert.equal(await store.remove("dev"), false);
  assert.equal(await store.get("dev"), undefined);
  for (const call of await calls()) {
    for (const secret of [KEYS.secretAccessKey, NEW_KEYS.secretAccessKey]) {
      assert.ok(!call.args.join(" ").includes(secret), `${call.program} ${call.args.join(" ")}`);
    }
  }
}

Deno.test({
  name: "the keychain store drives security as documented, the secret as hex on stdin",
  ignore: Deno.build.os === "windows",
  fn: () =>
    withStandIn("security", "security", "darwin", async (context, calls) => {
      const store = createKeychainStore(context);
      await exerciseStore(store, calls);
      const log = await calls();
      assert.deepEqual(log[0]!.args, ["find-generic-password", "-s", "aec", "-a", "dev", "-w"]);
      const hex = Array.from(
        new TextEncoder().encode(
          JSON.stringify({
            Version: 1,
            AccessKeyId: KEYS.accessKeyId,
            SecretAccessKey: KEYS.secretAccessKey,
          }),
        ),
        (byte) => byte.toString(16).padStart(2, "0"),
      ).join("");
      assert.deepEqual(log[1], {
        program: "security",
        args: ["-i"],
        stdin:
          `add-generic-password -U -s aec -a dev -l aec:dev -j ${KEYS.accessKeyId} -X ${hex}\n`,
      });
      assert.ok(log.some((call) => call.args[0] === "dump-keychain"));
      assert.ok(
        log.some((call) => call.args.join(" ") === "delete-generic-password -s aec -a dev"),
      );
    }),
});

Deno.test("the keychain store says it is macOS's on another system", async () => {
  const store = createKeychainStore({ env: {}, log: createLogger(false), os: "linux" });
  assert.match((await store.available())!, /macOS/);
});

Deno.test({
  name: "the wincred store sends the Credential Manager script in argv and the secret on stdin",
  ignore: Deno.build.os === "windows",
  fn: () =>
    withStandIn("powershell.exe", "powershell", "windows", async (context, calls, dir) => {
      // findProgram on "windows" looks for powershell.exe in PATH's ;-separated directories.
      const store = createWincredStore({ ...context, env: { ...context.env, PATH: `${dir}/bin` } });
      await exerciseStore(store, calls);
      const put = (await calls()).find((call) => call.stdin.includes('"put"'))!;
      assert.deepEqual(put.args.slice(0, 3), ["-NoProfile", "-NonInteractive", "-EncodedCommand"]);
      assert.deepEqual(JSON.parse(put.stdin), {
        Action: "put",
        Target: "aec:dev",
        User: KEYS.accessKeyId,
        Secret: JSON.stringify({
          Version: 1,
          AccessKeyId: KEYS.accessKeyId,
          SecretAccessKey: KEYS.secretAccessKey,
        }),
      });
      for (const api of ["CredReadW", "CredWriteW", "CredDeleteW", "CredEnumerateW"]) {
        assert.ok(WINCRED_SCRIPT.includes(api), api);
      }
    }),
});

Deno.test({
  name: "the 1password store creates and edits items through op's stdin, never its arguments",
  ignore: Deno.build.os === "windows",
  fn: () =>
    withStandIn("op", "op", "linux", async (context, calls) => {
      const store = createOnePasswordStore({
        ...context,
        env: { ...context.env, AEC_1PASSWORD_VAULT: "Work" },
      });
      await exerciseStore(store, calls);
      const log = await calls();
      const create = log.find((call) => call.args[1] === "create")!;
      assert.deepEqual(create.args, ["item", "create", "-", "--vault", "Work", "--format", "json"]);
      assert.deepEqual(JSON.parse(create.stdin), {
        title: "aec dev",
        category: "API_CREDENTIAL",
        tags: ["aec"],
        fields: [
          { id: "username", type: "STRING", label: "username", value: KEYS.accessKeyId },
          {
            id: "credential",
            type: "CONCEALED",
            label: "credential",
            value: KEYS.secretAccessKey,
          },
        ],
      });
      const edit = log.find((call) => call.args[1] === "edit")!;
      assert.deepEqual(edit.args, ["item", "edit", "id1", "--vault", "Work", "--format", "json"]);
      assert.equal(JSON.parse(edit.stdin).fields.at(-1).value, NEW_KEYS.secretAccessKey);
      assert.ok(log.some((call) => call.args.join(" ") === "item delete aec dev --vault Work"));
      assert.ok(
        log.some((call) =>
          call.args.join(" ") === "item list --tags aec --vault Work --format json"
        ),
      );
    }),
});

Deno.test({
  name: "a store whose program refuses (locked, a prompt refused) is a CredentialError in one line",
  ignore: Deno.build.os === "windows",
  fn: async () => {
    for (
      const [name, program, os, create] of [
        ["security", "security", "darwin", createKeychainStore],
        ["op", "op", "linux", createOnePasswordStore],
      ] as const
    ) {
      await withStandIn(name, program, os, async (context) => {
        const store = create({ ...context, env: { ...context.env, STAND_IN_FAIL: "1" } });
        await assert.rejects(
          () => store.get("dev"),
          (error: unknown) =>
            error instanceof CredentialError && !error.message.includes("\n") &&
            /User interaction is not allowed/.test(error.message),
        );
      });
    }
  },
});
