/**
 * End to end: MFA codes are read from the terminal, never from stdin. A
 * pseudo-terminal comes from util-linux `script`; POSIX-only.
 */

import assert from "node:assert/strict";
import { GOOD_MFA_CODE } from "./support/fake_aws.ts";
import {
  REPO_ROOT,
  type Sandbox,
  STATIC_KEY_ID,
  STATIC_SECRET,
  withSandbox,
} from "./support/sandbox.ts";

const SERIAL = "arn:aws:iam::111122223333:mfa/alice";
const FILES = {
  config: `[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/admin\n` +
    `source_profile = base\nmfa_serial = ${SERIAL}\n`,
  credentials: `[base]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
    `aws_secret_access_key = ${STATIC_SECRET}\n`,
};

async function has(command: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command(command, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

const noScript = Deno.build.os === "windows" || !(await has("script"));

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Runs aec on a pseudo-terminal whose keyboard types `typed`. */
async function runOnTerminal(sandbox: Sandbox, args: string[], typed: string) {
  const command = [Deno.execPath(), "run", "-A", "--quiet", `${REPO_ROOT}main.ts`, ...args]
    .map(shellQuote).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qefc", command, "/dev/null"],
    cwd: REPO_ROOT,
    env: sandbox.env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(typed));
  await writer.close();
  const { code, stdout } = await child.output();
  return { code, text: new TextDecoder().decode(stdout).replaceAll("\r\n", "\n") };
}

Deno.test({
  name: "aec asks for the MFA code on the terminal and sends it to STS",
  ignore: noScript,
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json"],
        `${GOOD_MFA_CODE}\n`,
      );
      assert.equal(code, 0, text);
      assert.ok(text.includes(`MFA code for ${SERIAL}: `), text);
      const json = JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1));
      assert.equal(json.AccessKeyId, [...sandbox.aws.issued.keys()][0]);
      assert.deepEqual(
        sandbox.aws.requests.map((r) => [r.action, r.params.SerialNumber, r.params.TokenCode]),
        [["AssumeRole", SERIAL, GOOD_MFA_CODE]],
      );
    });
  },
});

Deno.test({
  name: "aec exits 3 on a wrong MFA code",
  ignore: noScript,
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json"],
        "000000\n",
      );
      assert.equal(code, 3, text);
      assert.match(text, /aec: Profile mfa: MultiFactorAuthentication failed/);
      assert.ok(!text.includes("{"), "credentials printed after a failure");
    });
  },
});

Deno.test({
  name: "aec exits 3 when an MFA code is needed and there is no terminal",
  ignore: Deno.build.os === "windows" || !(await has("setsid")),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      // setsid detaches aec from any controlling terminal the test runner has.
      const { code, stdout, stderr } = await new Deno.Command("setsid", {
        args: [
          "-w",
          Deno.execPath(),
          "run",
          "-A",
          "--quiet",
          `${REPO_ROOT}main.ts`,
          "--profile",
          "mfa",
          "--json",
        ],
        cwd: REPO_ROOT,
        env: sandbox.env,
        clearEnv: true,
        stdin: "null",
      }).output();
      const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
      assert.equal(decode(stdout), "");
      assert.equal(
        decode(stderr),
        `aec: An MFA code for ${SERIAL} is needed, but there is no terminal to ask on\n`,
      );
      assert.equal(code, 3);
      assert.equal(sandbox.aws.requests.length, 0);
    });
  },
});
