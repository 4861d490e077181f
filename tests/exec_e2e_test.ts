/** End to end: --exec runs the command directly with the credentials in its environment. */

import assert from "node:assert/strict";
import { isoSeconds } from "../lib/support/credentials.ts";
import { command, POSIX, requires } from "./support/clients.ts";
import { REPO_ROOT, STATIC_CREDENTIALS, STATIC_KEY_ID, withSandbox } from "./support/sandbox.ts";
import { runOnTerminal, shellQuote, TERMINAL } from "./support/terminal.ts";

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

Deno.test({
  name: "aec --exec refuses a --profile among the command's words when aec was given no profile",
  ignore: posixOnly,
  fn: async () => {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      // [default] exists: before, printenv ran silently with its keys.
      await Deno.writeTextFile(
        sandbox.credentialsFile,
        `${STATIC_CREDENTIALS}[default]\naws_access_key_id = AKIADEFAULT\n` +
          "aws_secret_access_key = default-secret\n",
      );
      for (const words of [["--profile", "role"], ["--prof=role"]]) {
        const result = await sandbox.run(["--exec", "printenv", "AWS_REGION", ...words]);
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stdout, "");
        assert.equal(
          result.stderr,
          `aec: ${words[0]} after --exec goes to the command, and aec was given no profile: ` +
            "aec's options go before --exec, and -- before the command if it takes a " +
            "--profile of its own (run 'aec --help' for usage)\n",
        );
      }
      // Given a profile (flag or AWS_PROFILE), or with `--`, the words are the command's.
      const echo = ["sh", "-c", 'printf "%s " "$@"', "sh", "--profile", "role"];
      for (
        const [args, env] of [
          [["--profile", "base", "--exec", ...echo], {}],
          [["--exec", ...echo], { AWS_PROFILE: "base" }],
          [["--exec", "--", ...echo], {}],
        ] as const
      ) {
        const result = await sandbox.run([...args], { env });
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, "--profile role ");
      }
    });
  },
});

Deno.test("aec --exec refuses an option where the command should be: exit 2, not 127", async () => {
  await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    const result = await sandbox.run(
      ["--profile", "base", "--exec", "--region", "eu-west-1", "--", "true"],
    );
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^aec: '--region' after --exec is not a command: aec's options go before --exec/,
    );
  });
});

Deno.test("aec --exec and --serve --exec name the profile in AEC_PROFILE, replacing an outer one", async () => {
  await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
    for (const serve of [[], ["--serve"]]) {
      const result = await sandbox.run(
        ["--profile", "admin", ...serve, "--exec", "--", Deno.execPath(), "eval", PRINT_ENV],
        { env: { AEC_PROFILE: "dev" } },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(JSON.parse(result.stdout).AEC_PROFILE, "admin");
      assert.match(
        result.stderr,
        /^aec: the command gets profile admin, in place of profile dev of the aec shell it starts from$/m,
      );
    }
    // The same profile again says nothing.
    const again = await sandbox.run(["--profile", "base", "--exec", Deno.execPath(), "eval", ""], {
      env: { AEC_PROFILE: "base" },
    });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stderr, "");
  });
});

Deno.test({
  ...requires(
    "aec --exec without a command starts $SHELL on the terminal and exits with its status",
    ...TERMINAL,
  ),
  fn: async () => {
    await withSandbox({ config: CONFIG, credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      const shells = ["/bin/sh", "/bin/bash"].filter((shell) => {
        try {
          return Deno.statSync(shell).isFile;
        } catch {
          return false;
        }
      });
      for (const shell of shells) {
        const { code, text } = await runOnTerminal(
          sandbox,
          ["--profile", "admin", "--exec"],
          'echo "[$AEC_PROFILE $AWS_REGION ${AWS_SESSION_TOKEN:+session}]"; exit 7\n',
          { SHELL: shell },
        );
        assert.equal(code, 7, text);
        // After the shell's prompt, if any.
        assert.match(text, /\[admin eu-west-1 session\]$/m, text);
        assert.match(
          text,
          new RegExp(
            `^aec: starting ${shell} with profile admin, until \\S+Z \\(\\d+m left\\); ` +
              "type exit to return$",
            "m",
          ),
          text,
        );
      }
      // With --serve, the shell's SDKs refresh from the private endpoint.
      const { code, text } = await runOnTerminal(
        sandbox,
        ["--profile", "admin", "--serve", "--exec"],
        'echo "[$AEC_PROFILE ${AWS_CONTAINER_CREDENTIALS_FULL_URI:+endpoint}]"; exit 5\n',
        { SHELL: "/bin/sh" },
      );
      assert.equal(code, 5, text);
      assert.match(text, /\[admin endpoint\]$/m, text);
      assert.match(
        text,
        /^aec: starting \/bin\/sh with profile admin, refreshed by aec while it runs; type exit/m,
      );
    });
  },
});

// The prompt snippets of docs/exec.md, run as the shells (and starship's sh) run them.
const EXEC_DOC = await Deno.readTextFile(`${REPO_ROOT}docs/exec.md`);

function docBlock(language: string): string {
  const block = new RegExp("^```" + language + "\\n([\\s\\S]*?)^```$", "m").exec(EXEC_DOC);
  assert.ok(block, `docs/exec.md has no ${language} block`);
  return block[1]!;
}

const PROMPT_SHELLS = [
  { shell: "bash", args: ["--norc", "--noprofile", "-c"], end: " ", starship: false },
  { shell: "zsh", args: ["-f", "-c"], end: " ", starship: false },
  { shell: "fish", args: ["--no-config", "-c"], end: " ", starship: false },
  // starship runs its command through sh and shows the line it prints.
  { shell: "sh", args: ["-c"], end: "\n", starship: true },
];

for (const { shell, args, end, starship } of PROMPT_SHELLS) {
  Deno.test({
    ...requires(
      `docs/exec.md's ${starship ? "starship" : shell} prompt snippet shows dev (42m)`,
      POSIX,
      await command(shell, ["-c", "true"]),
    ),
    fn: async () => {
      const script = starship
        ? /^command = '''\n([\s\S]*?)'''$/m.exec(docBlock("toml"))![1]!
        : `${docBlock(shell === "fish" ? "fish" : "bash")}\naec_prompt`;
      const prompt = async (env: Record<string, string>) => {
        const output = await new Deno.Command(shell, {
          args: [...args, script],
          env: { PATH: Deno.env.get("PATH") ?? "", ...env },
          clearEnv: true,
        }).output();
        assert.ok(output.success, new TextDecoder().decode(output.stderr));
        return new TextDecoder().decode(output.stdout);
      };
      // Half a minute over 42, for the run itself.
      const expiration = isoSeconds(new Date(Date.now() + 42.5 * 60_000));
      assert.equal(
        await prompt({ AEC_PROFILE: "dev", AWS_CREDENTIAL_EXPIRATION: expiration }),
        `dev (42m)${end}`,
      );
      assert.equal(await prompt({ AEC_PROFILE: "dev" }), `dev${end}`);
      if (!starship) assert.equal(await prompt({}), "");
    },
  });
}

const PYTHON = await command("python3");

interface Counted {
  /** What the command printed, with the terminal's line ends made plain. */
  output: string;
  code: number;
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
      ...TERMINAL,
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
      ...TERMINAL,
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
      ...TERMINAL,
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
