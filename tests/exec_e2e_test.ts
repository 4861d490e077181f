/** End to end: --exec runs the command directly with the credentials in its environment. */

import assert from "node:assert/strict";
import { command, POSIX, requires } from "./support/clients.ts";
import { REPO_ROOT, STATIC_CREDENTIALS, STATIC_KEY_ID, withSandbox } from "./support/sandbox.ts";

const CONFIG = `[profile admin]
role_arn = arn:aws:iam::111122223333:role/admin
source_profile = base
region = eu-west-1
`;
const posixOnly = Deno.build.os === "windows";
const PRINT_ENV = "console.log(JSON.stringify(Deno.env.toObject()))";
const SIGNAL_COUNTER = `${REPO_ROOT}tests/support/signal_counter.py`;

Deno.test("aec --exec gives the command the credentials, region and a clean identity", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(
      ["--profile", "admin", "--exec", "--", Deno.execPath(), "eval", PRINT_ENV],
      {
        env: {
          AWS_PROFILE: "admin",
          AWS_DEFAULT_PROFILE: "admin",
          AWS_ACCESS_KEY_ID: "AKIASTALE",
          AWS_SECRET_ACCESS_KEY: "stale",
          AWS_SECURITY_TOKEN: "stale",
          KEEP_ME: "kept",
        },
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const env = JSON.parse(result.stdout);
    const issued = [...sandbox.aws.issued.values()][0]!;
    assert.equal(env.AWS_ACCESS_KEY_ID, issued.accessKeyId);
    assert.equal(env.AWS_SECRET_ACCESS_KEY, issued.secretAccessKey);
    assert.equal(env.AWS_SESSION_TOKEN, issued.sessionToken);
    assert.equal(
      env.AWS_CREDENTIAL_EXPIRATION,
      issued.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
    );
    assert.equal(env.AWS_REGION, "eu-west-1");
    assert.equal(env.AWS_DEFAULT_REGION, "eu-west-1");
    assert.equal(env.AWS_CLI_AUTO_PROMPT, "off");
    assert.equal(env.KEEP_ME, "kept");
    for (const gone of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"]) {
      assert.equal(env[gone], undefined, gone);
    }
  });
});

Deno.test("aec --region overrides the profile's region for the command", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run([
      "--profile",
      "base",
      "--region",
      "ap-south-1",
      "--exec",
      Deno.execPath(),
      "eval",
      PRINT_ENV,
    ]);
    assert.equal(result.code, 0, result.stderr);
    const env = JSON.parse(result.stdout);
    assert.equal(env.AWS_REGION, "ap-south-1");
    assert.equal(env.AWS_ACCESS_KEY_ID, STATIC_KEY_ID);
    assert.equal(env.AWS_SESSION_TOKEN, undefined);
  });
});

Deno.test("aec --exec passes the command's exit code through", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run([
      "--profile",
      "base",
      "--exec",
      "--",
      Deno.execPath(),
      "eval",
      "Deno.exit(7)",
    ]);
    assert.equal(result.code, 7);
    assert.equal(result.stderr, "");
  });
});

Deno.test({
  name: "aec --exec passes arguments untouched, even ones that look like aec's flags",
  ignore: posixOnly,
  fn: async () => {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const result = await sandbox.run([
        "--profile",
        "base",
        "--exec",
        "sh",
        "-c",
        `printf '%s|' "$@"; exit 7`,
        "sh",
        "--json",
        "--profile",
        "a b",
        "$HOME",
      ]);
      assert.equal(result.stdout, "--json|--profile|a b|$HOME|");
      assert.equal(result.code, 7);
    });
  },
});

Deno.test({
  name: "aec --exec keeps stdin for the command",
  ignore: posixOnly,
  fn: async () => {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const result = await sandbox.run(["--profile", "base", "--exec", "cat"], {
        stdin: "piped input\n",
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "piped input\n");
    });
  },
});

Deno.test({
  name: "aec --exec exits 128+N when the command dies of signal N",
  ignore: posixOnly,
  fn: async () => {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const result = await sandbox.run([
        "--profile",
        "base",
        "--exec",
        "sh",
        "-c",
        "kill -TERM $$",
      ]);
      assert.equal(result.code, 143);
    });
  },
});

Deno.test({
  name: "aec --exec forwards SIGTERM to the command and exits with its code",
  ignore: posixOnly,
  fn: async () => {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const child = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--quiet",
          `${REPO_ROOT}main.ts`,
          "--profile",
          "base",
          "--exec",
          "sh",
          "-c",
          `trap 'echo got-term; exit 42' TERM; echo ready; while :; do sleep 0.05; done`,
        ],
        cwd: REPO_ROOT,
        env: sandbox.env,
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!seen.includes("ready")) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      child.kill("SIGTERM");
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      const status = await child.status;
      await child.stderr.cancel();
      assert.equal(seen, "ready\ngot-term\n");
      assert.equal(status.code, 42);
    });
  },
});

Deno.test("aec --exec exits 127 when the command is not found", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(["--profile", "base", "--exec", "no-such-command-aec"]);
    assert.equal(result.code, 127);
    assert.equal(result.stdout, "");
    assert.equal(result.stderr, "aec: Command not found: no-such-command-aec\n");
  });
});

const PYTHON = await command("python3");
// util-linux's `script` gives aec a pseudo-terminal as its controlling terminal (BSD's has no --version).
const SCRIPT = await command("script");

interface Counted {
  /** What the command printed, with the terminal's line ends made plain. */
  output: string;
  code: number;
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * Runs `aec ARGS --exec python3 signal_counter.py SIGNALS…` and, once the
 * counter is ready, calls `act` with aec's PID and a function that types on
 * aec's terminal. With `terminal`, aec runs on a pseudo-terminal as the
 * foreground process group, the command in it too, as in an interactive shell.
 */
async function runCounted(
  env: Record<string, string>,
  args: string[],
  signals: Deno.Signal[],
  terminal: boolean,
  act: (aecPid: number, type: (keys: string) => Promise<void>) => void | Promise<void>,
): Promise<Counted> {
  const aec = [
    Deno.execPath(),
    "run",
    "-A",
    "--quiet",
    `${REPO_ROOT}main.ts`,
    ...args,
    "--exec",
    PYTHON.found!,
    SIGNAL_COUNTER,
    ...signals,
  ];
  const [command, ...commandArgs] = terminal
    ? ["script", "-q", "-e", "-c", `exec ${aec.map(shellQuote).join(" ")}`, "/dev/null"]
    : aec;
  const child = new Deno.Command(command!, {
    args: commandArgs,
    cwd: REPO_ROOT,
    env,
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  let ready: RegExpExecArray | null = null;
  while (!(ready = /ready (\d+)\r?\n/.exec(output))) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
  }
  if (ready) await act(Number(ready[1]), (keys) => writer.write(new TextEncoder().encode(keys)));
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
  }
  await writer.close().catch(() => {});
  const { code } = await child.status;
  return { output: output.replaceAll("\r\n", "\n"), code };
}

const COUNTED: Deno.Signal[] = ["SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"];

for (const serve of [false, true]) {
  const mode = serve ? "--serve --exec" : "--exec";
  const modeArgs = serve ? ["--profile", "admin", "--serve"] : ["--profile", "base"];

  Deno.test({
    ...requires(
      `aec ${mode}: Ctrl-C and Ctrl-\\ at the terminal reach the command once`,
      PYTHON,
      POSIX,
      SCRIPT,
    ),
    fn: async () => {
      await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
        for (const [keys, signal] of [["\x03", "SIGINT"], ["\x1c", "SIGQUIT"]] as const) {
          const result = await runCounted(sandbox.env, modeArgs, COUNTED, true, async (_, type) => {
            await type(keys);
          });
          // The terminal echoes the key (^C) before the line.
          assert.match(result.output, new RegExp(`got ${signal}$`, "m"), result.output);
          assert.equal(result.code, 3, result.output);
        }
      });
    },
  });

  Deno.test({
    ...requires(
      `aec ${mode}: a signal to aec's PID alone reaches the command once, also on a terminal`,
      PYTHON,
      POSIX,
      SCRIPT,
    ),
    fn: async () => {
      await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
        for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
          const result = await runCounted(sandbox.env, modeArgs, COUNTED, true, (pid) => {
            Deno.kill(pid, signal);
          });
          assert.match(result.output, new RegExp(`^got ${signal}$`, "m"), result.output);
          assert.equal(result.code, 3, result.output);
        }
      });
    },
  });

  Deno.test({
    ...requires(
      `aec ${mode}: a signal to its whole process group reaches the command once`,
      PYTHON,
      POSIX,
      SCRIPT,
    ),
    fn: async () => {
      await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
        // On the terminal aec leads its own process group, as a shell's job does.
        const result = await runCounted(sandbox.env, modeArgs, COUNTED, true, (pid) => {
          Deno.kill(-pid, "SIGTERM");
        });
        assert.match(result.output, /^got SIGTERM$/m, result.output);
        assert.equal(result.code, 3, result.output);
      });
    },
  });

  Deno.test({
    ...requires(
      `aec ${mode} forwards SIGUSR1, SIGUSR2 and SIGQUIT and exits after the command`,
      PYTHON,
      POSIX,
    ),
    fn: async () => {
      await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
        for (const signal of ["SIGUSR1", "SIGUSR2", "SIGQUIT"] as const) {
          const result = await runCounted(sandbox.env, modeArgs, COUNTED, false, (pid) => {
            Deno.kill(pid, signal);
          });
          assert.match(result.output, new RegExp(`^got ${signal}$`, "m"), result.output);
          if (serve) {
            // The endpoint outlives the signal: the command still gets credentials.
            const served = /^served (\S+)$/m.exec(result.output);
            assert.ok(served && sandbox.aws.issued.has(served[1]!), result.output);
          }
          assert.equal(result.code, 3, result.output);
        }
      });
    },
  });
}
