/**
 * tests/support/clients.ts: the probes that decide which cross-checks run.
 * Each case runs the probes in a fresh Deno whose PATH holds stand-in
 * programs that print what a real one's `--version` prints, since a probe
 * answers once per process.
 */

import assert from "node:assert/strict";
import { POSIX, type Probe, requires } from "./support/clients.ts";

const CLIENTS = new URL("./support/clients.ts", import.meta.url).href;

/** Runs `code` (which imports clients.ts as `clients`) with PATH `path`; its JSON output. */
async function probe(path: string, code: string): Promise<unknown> {
  const { success, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", `import * as clients from "${CLIENTS}";\n${code}`],
    clearEnv: true,
    env: { PATH: path, HOME: Deno.env.get("HOME") ?? "", NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  assert.ok(success, decoder.decode(stderr));
  return JSON.parse(decoder.decode(stdout));
}

/** A folder holding `name`, a script that prints `text` and exits 0. */
async function standIn(name: string, text: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "aec-clients-test-" });
  await Deno.writeTextFile(`${dir}/${name}`, `#!/bin/sh\necho '${text}'\n`, { mode: 0o755 });
  return dir;
}

Deno.test("requires() ignores a test when a probe found nothing, naming every reason", () => {
  const found: Probe<string> = { found: "x" };
  assert.deepEqual(requires("t", found, {}), { name: "t", ignore: false });
  assert.deepEqual(requires("t", { missing: "a is not installed" }, {}, { missing: "b" }), {
    name: "t (ignored: a is not installed; b)",
    ignore: true,
  });
});

Deno.test({
  ...requires("awsCli() takes an AWS CLI only where it honours AWS_ENDPOINT_URL_*", POSIX),
  async fn() {
    const debian = await standIn("aws", "aws-cli/2.9.19 Python/3.11.2 Linux/6 source/x86_64");
    const oldV1 = await standIn("aws", "aws-cli/1.27.0 Python/3.11 Linux/6 botocore/1.29.0");
    const newV1 = await standIn("aws", "aws-cli/1.29.0 Python/3.11 Linux/6 botocore/1.31.0");
    const newV2 = await standIn("aws", "aws-cli/2.13.0 Python/3.11.4 Linux/6 exe/x86_64");
    const empty = await Deno.makeTempDir({ prefix: "aec-clients-test-" });
    const code = "console.log(JSON.stringify([await clients.awsCli({ endpointUrls: true }), " +
      "await clients.awsCli({ v2: true })]))";
    try {
      const [old, oldV2] = await probe(`${debian}:${oldV1}`, code) as Record<string, unknown>[];
      assert.deepEqual(old, {
        missing: "aws-cli/2.9.19 and aws-cli/1.27.0 ignore AWS_ENDPOINT_URL_*, which AWS CLI " +
          "v2 2.13 and later honour, and v1 on botocore 1.31 and later",
      });
      // Where no local endpoint is called, an older CLI does.
      assert.deepEqual(oldV2, {
        found: {
          command: `${debian}/aws`,
          version: "aws-cli/2.9.19",
          major: 2,
          honoursEndpointUrls: false,
        },
      });
      for (const current of [newV1, newV2]) {
        const [fit] = await probe(`${debian}:${current}`, code) as { found: { command: string } }[];
        assert.equal(fit!.found.command, `${current}/aws`);
      }
      assert.deepEqual(await probe(empty, code), [
        { missing: "no AWS CLI on PATH" },
        { missing: "no AWS CLI on PATH" },
      ]);
    } finally {
      for (const dir of [debian, oldV1, newV1, newV2, empty]) {
        await Deno.remove(dir, { recursive: true });
      }
    }
  },
});

Deno.test({
  ...requires("the probes report a program that is not installed, with no spawn error", POSIX),
  async fn() {
    const empty = await Deno.makeTempDir({ prefix: "aec-clients-test-" });
    try {
      const found = await probe(
        empty,
        'console.log(JSON.stringify([await clients.command("python3"), ' +
          'await clients.onPath("zsh"), clients.firstOf(await clients.command("sha256sum"), ' +
          'await clients.command("shasum"))]))',
      );
      assert.deepEqual(found, [
        { missing: "python3 is not installed" },
        { missing: "zsh is not installed" },
        { missing: "sha256sum is not installed and shasum is not installed" },
      ]);
    } finally {
      await Deno.remove(empty, { recursive: true });
    }
  },
});

Deno.test({
  ...requires("botocores() takes a botocore for the local endpoints only from 1.31 on", POSIX),
  async fn() {
    // The stand-in answers the version probe; /usr/bin/python3, if any, is probed as it is.
    const old = await standIn("python3", "1.30.9");
    const current = await standIn("python3", "1.31.0");
    const code = "console.log(JSON.stringify(await clients.botocores({ endpointUrls: true })))";
    try {
      const before = await probe(old, code) as { missing?: string; found?: { python: string }[] };
      if (before.found) {
        assert.ok(!before.found.some((botocore) => botocore.python === "python3"));
      } else {
        assert.match(before.missing!, /^botocore 1\.30\.9( and \S+ ignore| ignores) AWS_ENDPOINT/);
      }
      const { found } = await probe(current, code) as { found: { python: string }[] };
      assert.equal(found[0]!.python, "python3");
    } finally {
      for (const dir of [old, current]) await Deno.remove(dir, { recursive: true });
    }
  },
});
