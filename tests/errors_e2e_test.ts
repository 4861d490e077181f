/** End to end: every row of the README's error table, one line on stderr each. */

import assert from "node:assert/strict";
import {
  type RunResult,
  STATIC_CREDENTIALS,
  STATIC_SECRET,
  withSandbox,
} from "./support/sandbox.ts";
import { writeSsoToken } from "./support/sso_token.ts";

/** A failure: the exit code, nothing on stdout, one `aec: ` line matching `line`. */
function assertFailure(result: RunResult, code: number, line: RegExp) {
  assert.equal(result.stdout, "");
  assert.equal(result.stderr.split("\n").length, 2, `not one line: ${result.stderr}`);
  assert.match(result.stderr, /^aec: /);
  assert.match(result.stderr, line);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "stack trace on stderr");
  assert.equal(result.code, code, result.stderr);
}

Deno.test("aec exits 2 with a hint on usage errors", async () => {
  await withSandbox({}, async (sandbox) => {
    const cases: [string[], RegExp][] = [
      [["--bogus"], /Unknown option '--bogus' \(run 'aec --help' for usage\)/],
      [["--json", "--env"], /--json and --env cannot be used together/],
      [["--profile"], /--profile needs a value/],
      [["--format", "xml"], /--format must be one of/],
    ];
    for (const [args, line] of cases) assertFailure(await sandbox.run(args), 2, line);
  });
});

Deno.test("aec exits 2 when no credentials are found anywhere", async () => {
  await withSandbox({}, async (sandbox) => {
    assertFailure(await sandbox.run(["--json"]), 2, /^aec: Unable to locate credentials \(/);
  });
});

Deno.test("aec exits 3 when the named profile does not exist", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    assertFailure(
      await sandbox.run(["--profile", "missing"]),
      3,
      /The config profile \(missing\) could not be found/,
    );
    assertFailure(
      await sandbox.run([], { env: { AWS_PROFILE: "missing-too" } }),
      3,
      /The config profile \(missing-too\) named in AWS_PROFILE could not be found/,
    );
    assertFailure(
      await sandbox.run([], { env: { AWS_DEFAULT_PROFILE: "missing-too" } }),
      3,
      /The config profile \(missing-too\) named in AWS_DEFAULT_PROFILE could not be found/,
    );
    assertFailure(
      await sandbox.run(["--profile", "missing", "--json"], { env: { AWS_PROFILE: "base" } }),
      3,
      /The config profile \(missing\) could not be found/,
    );
  });
});

Deno.test("aec exits 3 on a malformed profile", async () => {
  await withSandbox({
    config:
      "[profile odd]\nrole_arn = arn:aws:iam::111122223333:role/x\ncredential_source = Bogus\n",
  }, async (sandbox) => {
    assertFailure(await sandbox.run(["--profile", "odd"]), 3, /profile "odd" .*"Bogus"/);
  });
});

Deno.test("aec exits 3 on a source_profile loop", async () => {
  await withSandbox({
    config: "[profile a]\nrole_arn = arn:aws:iam::111122223333:role/a\nsource_profile = b\n" +
      "[profile b]\nrole_arn = arn:aws:iam::111122223333:role/b\nsource_profile = a\n",
  }, async (sandbox) => {
    assertFailure(await sandbox.run(["--profile", "a"]), 3, /has a cycle: a -> b -> a/);
  });
});

Deno.test("aec exits 3 when STS denies the role", async () => {
  await withSandbox({
    config: "[profile denied]\nrole_arn = arn:aws:iam::111122223333:role/denied\n" +
      "source_profile = base\n",
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    assertFailure(
      await sandbox.run(["--profile", "denied"]),
      3,
      /Profile denied: User is not authorized to perform: sts:AssumeRole/,
    );
  });
});

Deno.test("aec exits 3 when the STS endpoint is unreachable", async () => {
  await withSandbox({
    config: "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
      "source_profile = base\n",
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    // A port that was free a moment ago: nothing listens there, so the connection is refused.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr;
    listener.close();
    const result = await sandbox.run(["--profile", "admin"], {
      env: { AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}` },
    });
    assertFailure(
      result,
      3,
      new RegExp(
        `^aec: Profile admin: could not reach STS at http://127\\.0\\.0\\.1:${port}/ ` +
          "\\(connection refused\\)\n$",
      ),
    );
    // GetSessionToken, which aec calls itself, says the same.
    const temporary = await sandbox.run(["--profile", "base", "--ensure-temporary", "--env"], {
      env: { AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${port}` },
    });
    assertFailure(temporary, 3, /: could not reach STS at \S+ \(connection refused\)\n$/);
  });
});

Deno.test("aec exits 3 naming the IAM Identity Center portal when it is unreachable", async () => {
  await withSandbox({
    config: "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\n" +
      "sso_role_name = Admin\n[sso-session corp]\n" +
      "sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
  }, async (sandbox) => {
    await writeSsoToken(sandbox);
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const { port } = listener.addr;
    listener.close();
    const result = await sandbox.run(["--profile", "sso", "--json"], {
      env: { AWS_ENDPOINT_URL_SSO: `http://127.0.0.1:${port}` },
    });
    // No hint to sign in again: the session is fine, the portal is out of reach.
    assertFailure(
      result,
      3,
      new RegExp(
        "^aec: Profile sso: could not reach the IAM Identity Center portal at " +
          `http://127\\.0\\.0\\.1:${port}/federation/credentials \\(connection refused\\)\n$`,
      ),
    );
  });
});

Deno.test("aec --debug never shows a secret on stderr", async () => {
  await withSandbox({
    config: "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
      "source_profile = base\n",
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    for (const args of [["--profile", "admin"], ["--profile", "base", "--ensure-temporary"]]) {
      const result = await sandbox.run([...args, "--debug", "--json"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /aec: \[\d+ms\] profile|credentials from/);
      const secrets = [STATIC_SECRET];
      for (const issued of sandbox.aws.issued.values()) {
        secrets.push(issued.secretAccessKey, issued.sessionToken);
      }
      for (const secret of secrets) {
        assert.ok(!result.stderr.includes(secret), `secret on stderr: ${secret}`);
      }
    }
  });
});

Deno.test("aec exits 3 when the STS endpoint accepts but never answers", async () => {
  // A listener that takes connections and says nothing: only a timeout ends the wait.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) held.push(conn);
  })();
  try {
    await withSandbox({
      config: "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
        "source_profile = base\n",
      credentials: STATIC_CREDENTIALS,
    }, async (sandbox) => {
      const result = await sandbox.run(["--profile", "admin"], {
        env: { AWS_ENDPOINT_URL_STS: `http://127.0.0.1:${listener.addr.port}` },
      });
      assertFailure(result, 3, /^aec: Profile admin: Request did not complete within 5000 ms\n$/);
    });
  } finally {
    listener.close();
    for (const conn of held) conn.close();
    await accepting.catch(() => {});
  }
});

Deno.test("aec --debug shows no stack trace for an ordinary error", async () => {
  await withSandbox({
    config: "[profile denied]\nrole_arn = arn:aws:iam::111122223333:role/denied\n" +
      "source_profile = base\n",
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "denied", "--json", "--debug"]);
    assert.equal(result.code, 3, result.stderr);
    assert.doesNotMatch(result.stderr, /\n\s+at /, "stack trace on stderr");
    assert.match(result.stderr.trimEnd().split("\n").at(-1)!, /^aec: Profile denied: .*AssumeRole/);
  });
});

Deno.test("aec names the files it read and the closest profiles when one is not found", async () => {
  await withSandbox({
    config: "[profile develop]\nregion = eu-west-1\n[profile prod]\nregion = eu-west-1\n",
    credentials: STATIC_CREDENTIALS,
  }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "devlop", "--json"]);
    assertFailure(
      result,
      3,
      /^aec: The config profile \(devlop\) could not be found in \S+\/\.aws\/config or \S+\/\.aws\/credentials; did you mean develop\?$/m,
    );
  });
});
