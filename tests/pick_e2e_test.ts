/**
 * End to end: `aec pick` on a real pseudo-terminal, typed at as a person
 * would, with its stdout captured apart from what it draws.
 */

import assert from "node:assert/strict";
import { REPO_ROOT, type Sandbox, withSandbox } from "./support/sandbox.ts";
import { command, POSIX, requires } from "./support/clients.ts";
import { aecCommand, startOnTerminal, TERMINAL } from "./support/terminal.ts";

const FILES = {
  config: `[profile dev]
role_arn = arn:aws:iam::111122223333:role/developer
source_profile = base
[profile prod-admin]
sso_session = corp
sso_account_id = 444455556666
sso_role_name = AdministratorAccess
[profile staging]
credential_process = /bin/false
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = us-east-1
`,
  credentials: "[base]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x\n",
};

/** Runs `aec pick`, types `keys` once the list shows, and returns the exit code and stdout. */
async function pick(sandbox: Sandbox, ...keys: string[]) {
  const stdoutFile = `${sandbox.home}/picked`;
  const session = startOnTerminal(aecCommand(["pick"]), sandbox.env, { stdoutFile });
  await session.waitFor("Enter picks");
  for (const key of keys) await session.type(key);
  const code = await session.exit();
  return { code, stdout: await Deno.readTextFile(stdoutFile), screen: session.screen() };
}

Deno.test({
  ...requires(
    "aec pick prints the profile whose account id was typed, and only its name",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const { code, stdout, screen } = await pick(sandbox, "4444", "\r");
      assert.equal(code, 0, screen);
      assert.equal(stdout, "prod-admin\n");
      // The list showed the state aec profiles knows, and the row of every profile at first.
      assert.match(screen, /prod-admin +sso +444455556666 +AdministratorAccess +signed out/);
      assert.match(screen, /dev +role +111122223333 +developer/);
    });
  },
});

Deno.test({
  ...requires("aec pick matches a role name and every word of the query", ...TERMINAL),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const { code, stdout } = await pick(sandbox, "devel 1111", "\r");
      assert.equal(code, 0);
      assert.equal(stdout, "dev\n");
    });
  },
});

Deno.test({
  ...requires("aec pick moves with the arrow keys and corrects with backspace", ...TERMINAL),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      // "sx" matches nothing; backspace leaves "s", which matches staging and others.
      const { code, stdout } = await pick(sandbox, "\x1b[B", "\x1b[B", "\x1b[A", "\r");
      assert.equal(code, 0);
      assert.equal(stdout, "prod-admin\n");
      const corrected = await pick(sandbox, "stagx", "\x7f", "\r");
      assert.equal(corrected.stdout, "staging\n");
    });
  },
});

for (const [key, name] of [["\x1b", "Esc"], ["\x03", "Ctrl-C"]]) {
  Deno.test({
    ...requires(`aec pick exits 130 on ${name} and prints nothing`, ...TERMINAL),
    fn: async () => {
      await withSandbox(FILES, async (sandbox) => {
        const { code, stdout } = await pick(sandbox, "dev", key!);
        assert.equal(code, 130);
        assert.equal(stdout, "");
      });
    },
  });
}

Deno.test({
  ...requires("aec pick shows no control character a profile name carries", ...TERMINAL),
  fn: async () => {
    await withSandbox(
      { credentials: "[evil\x1b]2;owned\x07]\naws_access_key_id = A\naws_secret_access_key = B\n" },
      async (sandbox) => {
        const { code, screen } = await pick(sandbox, "\x03");
        assert.equal(code, 130);
        assert.ok(!screen.includes("\x1b]2;owned"), JSON.stringify(screen));
        assert.ok(screen.includes("evil?]2;owned?"), JSON.stringify(screen));
      },
    );
  },
});

Deno.test({
  ...requires("aec pick without a terminal exits 2 in one line", POSIX, await command("setsid")),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      // setsid detaches aec from any controlling terminal the test runner has.
      const { code, stdout, stderr } = await new Deno.Command("setsid", {
        args: [Deno.execPath(), "run", "-A", "--quiet", `${REPO_ROOT}main.ts`, "pick"],
        env: sandbox.env,
        clearEnv: true,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      const err = new TextDecoder().decode(stderr);
      assert.equal(code, 2, err);
      assert.equal(stdout.length, 0);
      assert.match(err, /^aec: aec pick needs a terminal to show the list on; .*\n$/);
    });
  },
});
