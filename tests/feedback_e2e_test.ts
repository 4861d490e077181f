/**
 * End to end: on a terminal, `-c` and the servers say what they did; in
 * pipes (scripts, credential_process) they say nothing.
 */

import assert from "node:assert/strict";
import { requires } from "./support/clients.ts";
import { STATIC_CREDENTIALS, withSandbox } from "./support/sandbox.ts";
import { aecCommand, runOnTerminal, startOnTerminal, TERMINAL } from "./support/terminal.ts";

const FILES = {
  config: "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
    "source_profile = base\nregion = eu-west-1\n",
  credentials: STATIC_CREDENTIALS,
};

Deno.test({
  ...requires(
    "aec -c tells a terminal which profile of which file holds whose credentials",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "admin", "-c", "exported"],
        "",
      );
      assert.equal(code, 0, text);
      assert.match(
        text,
        new RegExp(
          `^aec: profile exported of ${sandbox.credentialsFile} now holds profile admin's ` +
            "credentials until \\S+Z$",
          "m",
        ),
      );
      // In a pipe: nothing.
      const piped = await sandbox.run(["--profile", "admin", "-c", "again"]);
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stderr, "");
    });
  },
});

Deno.test({
  ...requires(
    "aec --imds tells a terminal what it serves, until when, and that Ctrl-C stops",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox(FILES, async (sandbox) => {
      const session = startOnTerminal(
        aecCommand(["--profile", "admin", "--imds", "0"]),
        sandbox.env,
      );
      await session.waitFor("Ctrl-C stops");
      await session.type("\x03");
      // Its exit status is the shell's that `script` runs it in, which Ctrl-C reached too.
      await session.exit();
      assert.match(
        session.screen(),
        /aec: serving profile admin's credentials \(the current ones last until \S+Z; aec refreshes/,
      );
    });
  },
});
