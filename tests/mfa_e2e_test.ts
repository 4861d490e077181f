/**
 * End to end: MFA codes are read from the terminal, never from stdin. A
 * pseudo-terminal comes from util-linux `script`; POSIX-only.
 */

import assert from "node:assert/strict";
import { requires } from "./support/clients.ts";
import { GOOD_MFA_CODE } from "./support/fake_aws.ts";
import {
  REPO_ROOT,
  type Sandbox,
  STATIC_KEY_ID,
  STATIC_SECRET,
  withSandbox,
} from "./support/sandbox.ts";
import { NO_TERMINAL, runOnTerminal, runWithoutTerminal, TERMINAL } from "./support/terminal.ts";

const SERIAL = "arn:aws:iam::111122223333:mfa/alice";
const FILES = {
  config: `[profile mfa]\nrole_arn = arn:aws:iam::111122223333:role/admin\n` +
    `source_profile = base\nmfa_serial = ${SERIAL}\n`,
  credentials: `[base]\naws_access_key_id = ${STATIC_KEY_ID}\n` +
    `aws_secret_access_key = ${STATIC_SECRET}\n`,
};

Deno.test({
  ...requires(
    "aec asks for the MFA code once and assumes the role with an MFA session",
    ...TERMINAL,
  ),
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
      assert.match(sandbox.aws.issued.get(json.AccessKeyId)!.arn, /assumed-role\/admin\//);
      assert.deepEqual(
        sandbox.aws.requests.map((r) => [r.action, r.params.SerialNumber, r.params.TokenCode]),
        [["GetSessionToken", SERIAL, GOOD_MFA_CODE], ["AssumeRole", undefined, undefined]],
      );
      assert.equal(sandbox.aws.requests[0]!.params.DurationSeconds, "28800");
      // The role is assumed with the session, not the long-term keys.
      assert.notEqual(sandbox.aws.requests[1]!.signedBy, STATIC_KEY_ID);
      // The AWS CLI's entry for the role says whose it is, as STS answered.
      const cliCache = `${sandbox.home}/.aws/cli/cache`;
      const [cliEntry] = [...Deno.readDirSync(cliCache)];
      const entry = JSON.parse(await Deno.readTextFile(`${cliCache}/${cliEntry!.name}`));
      assert.equal(entry.Credentials.AccessKeyId, json.AccessKeyId);
      assert.equal(entry.Credentials.AccountId, "111122223333");
      assert.equal(entry.AssumedRoleUser.Arn, sandbox.aws.issued.get(json.AccessKeyId)!.arn);
    });
  },
});

Deno.test({
  ...requires("aec --no-mfa-session assumes the role directly with the code", ...TERMINAL),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--no-mfa-session"],
        `${GOOD_MFA_CODE}\n`,
      );
      assert.equal(code, 0, text);
      assert.deepEqual(
        sandbox.aws.requests.map((r) => [r.action, r.params.SerialNumber, r.params.TokenCode]),
        [["AssumeRole", SERIAL, GOOD_MFA_CODE]],
      );
    });
  },
});

Deno.test({
  ...requires("aec exits 3 on a wrong MFA code and keeps no session", ...TERMINAL),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json"],
        "000000\n",
      );
      assert.equal(code, 3, text);
      assert.match(
        text,
        /aec: STS GetSessionToken failed: MultiFactorAuthentication failed/,
      );
      assert.ok(!text.includes("{"), "credentials printed after a failure");
      await assert.rejects(
        Deno.stat(`${sandbox.home}/.cache/aec/mfa-sessions`),
        Deno.errors.NotFound,
      );
    });
  },
});

Deno.test({
  ...requires(
    "one MFA code serves two roles with the same source and serial, until the session ends",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox({
      config: FILES.config + `[profile mfa2]\nrole_arn = arn:aws:iam::111122223333:role/other\n` +
        `source_profile = base\nmfa_serial = ${SERIAL}\n`,
      credentials: FILES.credentials,
    }, async (sandbox) => {
      const first = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json"],
        `${GOOD_MFA_CODE}\n`,
      );
      assert.equal(first.code, 0, first.text);
      // Nothing typed: a prompt would fail the run.
      const second = await runOnTerminal(sandbox, ["--profile", "mfa2", "--json"], "");
      assert.equal(second.code, 0, second.text);
      assert.ok(!second.text.includes("MFA code for"), second.text);
      const actions = () => sandbox.aws.requests.map((r) => r.action);
      assert.deepEqual(actions(), ["GetSessionToken", "AssumeRole", "AssumeRole"]);

      // Near its end (within 5 minutes) the session is renewed, with one prompt.
      const directory = `${sandbox.home}/.cache/aec/mfa-sessions`;
      const [file] = [...Deno.readDirSync(directory)];
      const path = `${directory}/${file!.name}`;
      assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
      const entry = JSON.parse(await Deno.readTextFile(path));
      entry.Credentials.Expiration = new Date(Date.now() + 120_000).toISOString();
      await Deno.writeTextFile(path, JSON.stringify(entry));
      const third = await runOnTerminal(
        sandbox,
        ["--profile", "mfa2", "--json", "--no-cli-cache"],
        `${GOOD_MFA_CODE}\n`,
      );
      assert.equal(third.code, 0, third.text);
      assert.ok(third.text.includes(`MFA code for ${SERIAL}: `), third.text);
      assert.deepEqual(actions().slice(3), ["GetSessionToken", "AssumeRole"]);
    });
  },
});

/** Signs in with a code and returns the MFA session's access key id. */
async function startMfaSession(sandbox: Sandbox): Promise<string> {
  const first = await runOnTerminal(sandbox, ["--profile", "mfa", "--json"], `${GOOD_MFA_CODE}\n`);
  assert.equal(first.code, 0, first.text);
  const session = sandbox.aws.requests.find((r) => r.action === "AssumeRole")!.signedBy!;
  assert.ok(sandbox.aws.issued.has(session));
  return session;
}

function mfaSessionFiles(sandbox: Sandbox): string[] {
  return [...Deno.readDirSync(`${sandbox.home}/.cache/aec/mfa-sessions`)].map((e) => e.name);
}

for (const refusal of ["ExpiredToken", "InvalidClientTokenId"] as const) {
  Deno.test({
    ...requires(
      `aec drops an MFA session STS refuses (${refusal}) and asks for a code again`,
      ...TERMINAL,
    ),
    fn: async () => {
      await withSandbox(FILES, async (sandbox) => {
        const session = await startMfaSession(sandbox);
        const [before] = mfaSessionFiles(sandbox);
        sandbox.aws.refuseToken = (key) => key === session ? refusal : undefined;
        // --no-cli-cache: the AWS CLI's entry for the role would answer without the session.
        const again = await runOnTerminal(
          sandbox,
          ["--profile", "mfa", "--json", "--no-cli-cache", "--debug"],
          `${GOOD_MFA_CODE}\n`,
        );
        assert.equal(again.code, 0, again.text);
        assert.equal(again.text.split(`MFA code for ${SERIAL}: `).length, 2, again.text);
        assert.match(
          again.text,
          new RegExp(`STS refused the MFA session for ${SERIAL} \\(${refusal}\\)`),
        );
        assert.deepEqual(sandbox.aws.requests.slice(2).map((r) => r.action), [
          "AssumeRole",
          "GetSessionToken",
          "AssumeRole",
        ]);
        // The new session replaced the refused one, and works on the next run.
        assert.deepEqual(mfaSessionFiles(sandbox), [before]);
        const third = await runOnTerminal(
          sandbox,
          ["--profile", "mfa", "--json", "--no-cli-cache"],
          "",
        );
        assert.equal(third.code, 0, third.text);
        assert.ok(!third.text.includes("MFA code for"), third.text);
      });
    },
  });
}

Deno.test({
  ...requires(
    "aec asks for a new MFA code only once when STS refuses the new session too",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      await startMfaSession(sandbox);
      sandbox.aws.refuseToken = () => "InvalidClientTokenId";
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--no-cli-cache"],
        `${GOOD_MFA_CODE}\n${GOOD_MFA_CODE}\n`,
      );
      assert.equal(code, 3, text);
      assert.equal(text.split(`MFA code for ${SERIAL}: `).length, 2, text);
      assert.match(
        text,
        /aec: STS AssumeRole failed: The security token included in the request is invalid/,
      );
      assert.ok(!text.includes("{"), "credentials printed after a failure");
    });
  },
});

Deno.test({
  ...requires(
    "aec keeps the MFA session when STS denies the role (AccessDenied), asking for no code",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      await startMfaSession(sandbox);
      const [before] = mfaSessionFiles(sandbox);
      sandbox.aws.denyAll = true;
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--no-cli-cache"],
        // Nothing typed: a prompt would fail the run.
        "",
      );
      assert.equal(code, 3, text);
      assert.ok(!text.includes("MFA code for"), text);
      assert.match(text, /aec: STS AssumeRole failed: User is not authorized/);
      assert.deepEqual(mfaSessionFiles(sandbox), [before]);
      assert.equal(sandbox.aws.requests.filter((r) => r.action === "GetSessionToken").length, 1);
    });
  },
});

Deno.test({
  ...requires(
    "a role that asks for more than an hour keeps the direct AssumeRole with MFA",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox({
      config: FILES.config.replace("mfa_serial", "duration_seconds = 7200\nmfa_serial"),
      credentials: FILES.credentials,
    }, async (sandbox) => {
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json", "--debug"],
        `${GOOD_MFA_CODE}\n`,
      );
      assert.equal(code, 0, text);
      assert.match(text, /duration_seconds 7200 is more than the hour/);
      assert.deepEqual(sandbox.aws.requests.map((r) => r.action), ["AssumeRole"]);
      assert.equal(sandbox.aws.requests[0]!.params.TokenCode, GOOD_MFA_CODE);
    });
  },
});

Deno.test({
  ...requires(
    "aec exits 3 when an MFA code is needed and there is no terminal or dialog",
    ...NO_TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      // No DISPLAY in the sandbox: no dialog either.
      const { code, stdout, stderr } = await runWithoutTerminal(sandbox, [
        "--profile",
        "mfa",
        "--json",
      ]);
      assert.equal(stdout, "");
      assert.equal(
        stderr,
        `aec: An MFA code for ${SERIAL} is needed, but there is no terminal or dialog to ask on ` +
          "(set mfa_process in profile mfa)\n",
      );
      assert.equal(code, 3);
      assert.equal(sandbox.aws.requests.length, 0);
    });
  },
});

Deno.test({
  ...requires(
    "aec logout --profile deletes the MFA session, so the next run asks again",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const first = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json"],
        `${GOOD_MFA_CODE}\n`,
      );
      assert.equal(first.code, 0, first.text);
      const cliEntries = () => [...Deno.readDirSync(`${sandbox.home}/.aws/cli/cache`)].length;
      assert.equal(cliEntries(), 1);
      const logout = await sandbox.run(["logout", "--profile", "mfa"]);
      assert.equal(logout.code, 0, logout.stderr);
      assert.match(logout.stderr, new RegExp(`deleted the MFA session for ${SERIAL}`));
      assert.equal(cliEntries(), 0);
      const again = await runOnTerminal(
        sandbox,
        ["--profile", "mfa", "--json"],
        `${GOOD_MFA_CODE}\n`,
      );
      assert.equal(again.code, 0, again.text);
      assert.ok(again.text.includes(`MFA code for ${SERIAL}: `), again.text);
      assert.equal(sandbox.aws.requests.filter((r) => r.action === "GetSessionToken").length, 2);
    });
  },
});

Deno.test({
  ...requires(
    "aec --serve --exec asks for the MFA code once and refreshes the role from the session",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      // Role credentials that need a refresh at once; the session lasts 8 hours.
      sandbox.aws.lifetimeSeconds = 301;
      const consumer = `${REPO_ROOT}tests/support/sdk_consumer.ts`;
      const { code, text } = await runOnTerminal(
        sandbox,
        [
          "--profile",
          "mfa",
          "--serve",
          "--exec",
          Deno.execPath(),
          "run",
          "-A",
          "--quiet",
          consumer,
          "twice",
          "6000",
        ],
        `${GOOD_MFA_CODE}\n`,
      );
      assert.equal(code, 0, text);
      assert.equal(text.split(`MFA code for ${SERIAL}: `).length, 2, `not one prompt: ${text}`);
      assert.match(text, new RegExp(`the MFA session for ${SERIAL} lasts until \\d{4}-`));
      const [first, second] = JSON.parse(text.slice(text.indexOf("["), text.lastIndexOf("]") + 1));
      assert.notEqual(first, second, "the command never saw refreshed credentials");
      const actions = sandbox.aws.requests.map((r) => r.action);
      assert.equal(actions.filter((a) => a === "GetSessionToken").length, 1);
      assert.ok(actions.filter((a) => a === "AssumeRole").length >= 2, actions.join());
    });
  },
});
