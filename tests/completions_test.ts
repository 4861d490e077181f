/**
 * The completion scripts, checked as text and then run in the real shells: bash is driven
 * through COMP_WORDS, zsh through a pseudo-terminal (zpty), fish through `complete -C` and
 * PowerShell through TabExpansion2. Every shell gets a temporary HOME and a clean environment,
 * never the real ~/.aws, and a PATH without aec, so profiles complete without running aec.
 * Tests of a shell that is not installed are ignored (zsh and fish are Debian packages;
 * pwsh is not).
 */

import assert from "node:assert/strict";
import { helpText, optionsOf, spellings, type Subcommand, SUBCOMMANDS } from "../lib/cli/parse.ts";
import { completionScript, isShell, type Shell, SHELLS } from "../lib/cli/completions.ts";
import { FORMATS } from "../lib/output/formats.ts";
import { onPath, type Probe, requires } from "./support/clients.ts";

const OPTIONS = optionsOf("aec").flatMap(spellings).sort();
const SUBCOMMAND_NAMES = Object.keys(SUBCOMMANDS) as Subcommand[];

/** The options a help text lists: the words that begin its indented lines. */
function listedOptions(help: string): string[] {
  return [...help.matchAll(/^ +(-[\w-]+(?:, -[\w-]+)*)/gm)].flatMap((match) =>
    match[1]!.split(", ")
  );
}

const INSTALLED: Record<Shell, Probe<string>> = {
  bash: await onPath("bash"),
  zsh: await onPath("zsh"),
  fish: await onPath("fish"),
  powershell: await onPath("pwsh"),
};

/** A working directory with a HOME, a PATH directory holding `zz-aec-tool`, and files. */
interface Sandbox {
  dir: string;
  home: string;
  env: Record<string, string>;
}

async function withSandbox(
  files: { config?: string; credentials?: string },
  fn: (sandbox: Sandbox) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aec-completions-" });
  try {
    const home = `${dir}/home`;
    await Deno.mkdir(`${home}/.aws`, { recursive: true });
    if (files.config !== undefined) await Deno.writeTextFile(`${home}/.aws/config`, files.config);
    if (files.credentials !== undefined) {
      await Deno.writeTextFile(`${home}/.aws/credentials`, files.credentials);
    }
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(`${dir}/bin/zz-aec-tool`, "#!/bin/sh\n", { mode: 0o755 });
    await Deno.writeTextFile(`${dir}/cache.json`, "");
    await Deno.writeTextFile(`${dir}/other.txt`, "");
    const env = { HOME: home, PATH: `${dir}/bin:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}` };
    await fn({ dir, home, env });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

interface Run {
  stdout: string;
  stderr: string;
}

async function run(
  command: string,
  args: string[],
  sandbox: Sandbox,
  env: Record<string, string> = {},
): Promise<Run> {
  const output = await new Deno.Command(command, {
    args,
    cwd: sandbox.dir,
    clearEnv: true,
    env: { ...sandbox.env, TERM: "dumb", ...env },
    stdin: "null",
    // A completion that waits for input must fail the test, not hang it.
    signal: AbortSignal.timeout(30_000),
  }).output();
  const decoder = new TextDecoder();
  const result = { stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
  assert.ok(output.success, `${command} failed (${output.code}): ${result.stderr}`);
  return result;
}

async function writeScript(sandbox: Sandbox, shell: Shell): Promise<string> {
  // zsh autoloads a completion function from a file named after it.
  const name = { bash: "aec.bash", zsh: "_aec", fish: "aec.fish", powershell: "aec.ps1" }[shell];
  const path = `${sandbox.dir}/${name}`;
  await Deno.writeTextFile(path, completionScript(shell));
  return path;
}

// Like readline, which breaks words at = too (COMP_WORDBREAKS).
function bashWords(line: string): string[] {
  return line.split(" ").flatMap((word) =>
    word === "" ? [""] : word.split(/(=)/).filter((part) => part !== "")
  );
}

const BASH_DRIVER = `source "$1"
shift
eval "$AEC_PRELUDE"
COMP_WORDS=("$@")
COMP_CWORD=$(($# - 1))
COMP_LINE="$*"
COMP_POINT=\${#COMP_LINE}
_aec aec "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
for word in "\${COMPREPLY[@]}"; do printf '%s\\n' "$word"; done`;

// Types the line and a TAB into an interactive zsh on a pseudo-terminal, and prints every
// match that the completion functions add. The markers are split in what is typed, so that
// the terminal's echo of the input never matches them. compadd calls that only collect
// matches (-O, -A or -D, as _arguments makes) are passed through unreported.
const ZSH_DRIVER = `zmodload zsh/zpty || exit 1
zpty shell zsh -f -i
zpty -w shell 'PS1= RPS1=; unset zle_bracketed_paste
[[ $AEC_MODE == fpath ]] && fpath=($AEC_SCRIPT:h $fpath)
autoload -U compinit; compinit -u -D
[[ $AEC_MODE == fpath ]] || source $AEC_SCRIPT
compadd() {
  if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\\ * ]]; then builtin compadd "$@"; return; fi
  local -a hits
  builtin compadd -O hits "$@"
  (( $#hits )) && print -rl -- "" "MA""TCH:"\${^hits}
  builtin compadd "$@"
}
_aec_test_done() { print -rl -- "" "DO""NE"; exit }
comppostfuncs=(_aec_test_done)
bindkey "^I" complete-word
print -r -- "REA""DY"'
zpty -r shell out '*READY*' || exit 1
zpty -w -n shell "$1"$'\\t'
zpty -r shell out '*DONE*' || exit 1
zpty -d shell
print -rl -- \${\${(M)\${(f)out//$'\\r'}:#MATCH:*}#MATCH:}`;

type Driven = "bash" | "zsh" | "fish";
const DRIVEN: readonly Driven[] = ["bash", "zsh", "fish"];

interface CompleteOptions {
  env?: Record<string, string>;
  /** bash code run before completing, e.g. a stand-in for bash-completion's functions. */
  bashPrelude?: string;
  /** zsh loads the script as compinit does from $fpath, instead of by `source`. */
  zshFromFpath?: boolean;
}

/** What `shell` offers when TAB is pressed at the end of `line`, sorted. */
async function complete(
  shell: Driven,
  sandbox: Sandbox,
  line: string,
  options: CompleteOptions = {},
): Promise<string[]> {
  const script = await writeScript(sandbox, shell);
  const env = options.env ?? {};
  let result: Run;
  if (shell === "bash") {
    result = await run(
      "bash",
      ["--norc", "--noprofile", "-c", BASH_DRIVER, "bash", script, ...bashWords(line)],
      sandbox,
      { ...env, AEC_PRELUDE: options.bashPrelude ?? "" },
    );
  } else if (shell === "zsh") {
    const mode = options.zshFromFpath ? "fpath" : "source";
    result = await run("zsh", ["-f", "-c", ZSH_DRIVER, "zsh", line], sandbox, {
      ...env,
      AEC_SCRIPT: script,
      AEC_MODE: mode,
    });
  } else {
    result = await run(
      "fish",
      ["-c", "source $argv[1]; and complete -C $argv[2]", script, line],
      sandbox,
      env,
    );
  }
  assert.equal(result.stderr, "", `${shell} printed errors while completing '${line}'`);
  // fish follows a candidate with a tab and its description.
  return result.stdout.split("\n").filter((word) => word !== "").map((word) => word.split("\t")[0]!)
    .sort();
}

Deno.test("isShell() accepts exactly the shells completionScript() supports", () => {
  for (const shell of SHELLS) assert.ok(isShell(shell), shell);
  for (const other of ["", "sh", "Bash", "pwsh", "cmd"]) assert.ok(!isShell(other), other);
});

// How each script spells an option: fish names it without its dashes.
function spelled(shell: Shell, option: string): RegExp {
  const escaped = option.replace(
    /^--?/,
    (dashes) => shell !== "fish" ? dashes : dashes === "--" ? "-l " : "-s ",
  );
  return new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`);
}

for (const shell of SHELLS) {
  Deno.test(`completionScript() covers every option for ${shell}`, () => {
    const script = completionScript(shell);
    for (const option of OPTIONS) assert.match(script, spelled(shell, option), option);
  });

  Deno.test(`completionScript() covers every option of aec --help and each command's --help for ${shell}`, () => {
    const script = completionScript(shell);
    const helps = [helpText(), ...SUBCOMMAND_NAMES.map((command) => helpText(command))];
    const listed = new Set(helps.flatMap(listedOptions));
    assert.ok(listed.has("--sso-session") && listed.has("--stdout"), "subcommand options");
    for (const option of listed) assert.match(script, spelled(shell, option), option);
    for (const command of SUBCOMMAND_NAMES) {
      assert.match(script, new RegExp(`(?<![\\w-])${command}(?![\\w-])`), command);
    }
  });

  Deno.test(`completionScript() offers every format and shell name for ${shell}`, () => {
    const script = completionScript(shell);
    for (const word of [...FORMATS, ...SHELLS]) {
      assert.match(script, new RegExp(`(?<![\\w-])${word}(?![\\w-])`), word);
    }
  });
}

Deno.test("completionScript('bash') loads in plain bash and registers _aec", async () => {
  await withSandbox({}, async (sandbox) => {
    const script = await writeScript(sandbox, "bash");
    const { stdout } = await run(
      "bash",
      ["--norc", "--noprofile", "-c", 'source "$1" && complete -p aec', "bash", script],
      sandbox,
    );
    assert.equal(stdout, "complete -F _aec aec\n");
  });
});

Deno.test({
  ...requires(
    "completionScript('zsh') parses and, sourced after compinit, registers _aec",
    INSTALLED.zsh,
  ),
  fn: async () => {
    await withSandbox({}, async (sandbox) => {
      const script = await writeScript(sandbox, "zsh");
      await run("zsh", ["-f", "-n", script], sandbox);
      const { stdout } = await run("zsh", [
        "-f",
        "-c",
        'autoload -U compinit && compinit -u -D && source "$1" && print -r -- $_comps[aec]',
        "zsh",
        script,
      ], sandbox);
      assert.equal(stdout, "_aec\n");
    });
  },
});

Deno.test({
  ...requires("completionScript('fish') loads in fish", INSTALLED.fish),
  fn: async () => {
    await withSandbox({}, async (sandbox) => {
      const script = await writeScript(sandbox, "fish");
      await run("fish", ["--no-execute", script], sandbox);
      assert.deepEqual(await complete("fish", sandbox, "aec --for"), ["--format"]);
    });
  },
});

for (const shell of DRIVEN) {
  Deno.test({
    ...requires(`${shell} completion offers every option`, INSTALLED[shell]),
    fn: async () => {
      await withSandbox({}, async (sandbox) => {
        assert.deepEqual(await complete(shell, sandbox, "aec -"), OPTIONS);
        assert.deepEqual(await complete(shell, sandbox, "aec --prof"), ["--profile"]);
      });
    },
  });

  Deno.test({
    ...requires(
      `${shell} completion offers the profiles of ~/.aws/config and ~/.aws/credentials`,
      INSTALLED[shell],
    ),
    fn: async () => {
      const files = {
        config: "[profile dev]\nregion = eu-west-1\n[default]\nregion = us-east-1\n",
        credentials: "[prod]\naws_access_key_id = AKIDEXAMPLE\n[default]\n",
      };
      await withSandbox(files, async (sandbox) => {
        for (const option of ["--profile", "-c", "--credentials-file-profile"]) {
          assert.deepEqual(
            await complete(shell, sandbox, `aec ${option} `),
            ["default", "dev", "prod"],
            option,
          );
        }
        assert.deepEqual(await complete(shell, sandbox, "aec --profile d"), ["default", "dev"]);
      });
    },
  });

  Deno.test({
    ...requires(
      `${shell} completion reads AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE`,
      INSTALLED[shell],
    ),
    fn: async () => {
      const files = { config: "[profile home-config]\n", credentials: "[home-credentials]\n" };
      await withSandbox(files, async (sandbox) => {
        await Deno.mkdir(`${sandbox.home}/other`);
        await Deno.writeTextFile(`${sandbox.home}/other/config`, "[profile other-config]\n");
        await Deno.writeTextFile(`${sandbox.home}/other/credentials`, "[other-credentials]\n");
        // A leading ~ is expanded, as the AWS SDK does.
        for (const dir of [`${sandbox.home}/other`, "~/other"]) {
          const env = {
            AWS_CONFIG_FILE: `${dir}/config`,
            AWS_SHARED_CREDENTIALS_FILE: `${dir}/credentials`,
          };
          assert.deepEqual(
            await complete(shell, sandbox, "aec --profile ", { env }),
            ["other-config", "other-credentials"],
            dir,
          );
        }
        const env = { AWS_CONFIG_FILE: `${sandbox.home}/other/config` };
        assert.deepEqual(
          await complete(shell, sandbox, "aec --profile ", { env }),
          ["home-credentials", "other-config"],
        );
      });
    },
  });

  Deno.test({
    ...requires(`${shell} completion reads section headers as the AWS SDK does`, INSTALLED[shell]),
    fn: async () => {
      const files = {
        config: [
          "# [profile commented]",
          "[default]",
          "[profile dev] ; a note",
          '  [profile "double"]  ',
          "[profile 'single']\r",
          "[sso-session corp]",
          "[services local]",
          "[profile has space]",
          "[plain]",
          "[profile dev]",
          "key = [value]",
        ].join("\n"),
        // No final newline: the last header still counts.
        credentials: "[prod]\n[default]\n; [commented]\n[two words]\n[last]",
      };
      await withSandbox(files, async (sandbox) => {
        assert.deepEqual(
          await complete(shell, sandbox, "aec --profile "),
          ["default", "dev", "double", "last", "prod", "single"],
        );
      });
    },
  });

  Deno.test({
    ...requires(
      `${shell} completion offers no profiles, and no errors, without AWS files`,
      INSTALLED[shell],
    ),
    fn: async () => {
      await withSandbox({}, async (sandbox) => {
        assert.deepEqual(await complete(shell, sandbox, "aec --profile "), []);
      });
    },
  });

  Deno.test({
    ...requires(`${shell} completion offers formats, shells and cache files`, INSTALLED[shell]),
    fn: async () => {
      await withSandbox({}, async (sandbox) => {
        assert.deepEqual(await complete(shell, sandbox, "aec --format e"), [
          "env",
          "env-no-export",
        ]);
        // fish repeats the option in the candidates for --option=value.
        const prefix = shell === "fish" ? "--format=" : "";
        assert.deepEqual(await complete(shell, sandbox, "aec --format=e"), [
          `${prefix}env`,
          `${prefix}env-no-export`,
        ]);
        assert.deepEqual(await complete(shell, sandbox, "aec --format "), [...FORMATS].sort());
        assert.deepEqual(
          await complete(shell, sandbox, "aec --completions="),
          SHELLS.map((name) => shell === "fish" ? `--completions=${name}` : name).sort(),
        );
        assert.deepEqual(await complete(shell, sandbox, "aec --completions "), [...SHELLS].sort());
        assert.deepEqual(await complete(shell, sandbox, "aec --cache-file ca"), ["cache.json"]);
        assert.deepEqual(await complete(shell, sandbox, "aec --region "), []);
      });
    },
  });

  Deno.test({
    ...requires(
      `${shell} completion completes the command after --exec, then its arguments`,
      INSTALLED[shell],
    ),
    fn: async () => {
      await withSandbox({}, async (sandbox) => {
        for (const exec of ["--exec", "--exec --", "--profile dev --exec --"]) {
          assert.deepEqual(
            await complete(shell, sandbox, `aec ${exec} zz-aec`),
            ["zz-aec-tool"],
            exec,
          );
          assert.deepEqual(
            await complete(shell, sandbox, `aec ${exec} zz-aec-tool ot`),
            ["other.txt"],
            exec,
          );
          // aec's own options end at --exec.
          assert.deepEqual(await complete(shell, sandbox, `aec ${exec} zz-aec-tool --prof`), []);
        }
      });
    },
  });

  Deno.test({
    name: `${shell} completion offers the subcommands, first and after aec help`,
    ignore: !INSTALLED[shell],
    fn: async () => {
      await withSandbox({}, async (sandbox) => {
        assert.deepEqual(await complete(shell, sandbox, "aec lo"), ["login", "logout"]);
        assert.deepEqual(await complete(shell, sandbox, "aec "), [...SUBCOMMAND_NAMES].sort());
        assert.deepEqual(await complete(shell, sandbox, "aec help c"), ["console"]);
        // A subcommand comes first only.
        assert.deepEqual(await complete(shell, sandbox, "aec --json lo"), []);
      });
    },
  });

  Deno.test({
    name: `${shell} completion offers aec keys' actions, then their options and the stores`,
    ignore: !INSTALLED[shell],
    fn: async () => {
      await withSandbox({}, async (sandbox) => {
        assert.deepEqual(await complete(shell, sandbox, "aec keys r"), ["remove", "rotate"]);
        assert.deepEqual(await complete(shell, sandbox, "aec keys add --st"), [
          "--stdin",
          "--store",
        ]);
        assert.deepEqual(await complete(shell, sandbox, "aec keys list --store p"), ["pass"]);
      });
    },
  });

  Deno.test({
    name: `${shell} completion offers roles and populate after aec sso, then its options`,
    ignore: !INSTALLED[shell],
    fn: async () => {
      await withSandbox({ config: "[sso-session corp]\n" }, async (sandbox) => {
        assert.deepEqual(await complete(shell, sandbox, "aec sso "), ["populate", "roles"]);
        assert.deepEqual(await complete(shell, sandbox, "aec sso p"), ["populate"]);
        assert.deepEqual(await complete(shell, sandbox, "aec sso populate --dry"), ["--dry-run"]);
        assert.deepEqual(await complete(shell, sandbox, "aec sso roles --sso-session "), ["corp"]);
        // The action comes first only.
        assert.deepEqual(await complete(shell, sandbox, "aec sso roles r"), []);
      });
    },
  });

  Deno.test({
    name: `${shell} completion offers each subcommand's own options, as its --help lists them`,
    ignore: !INSTALLED[shell],
    fn: async () => {
      await withSandbox({}, async (sandbox) => {
        for (const command of ["login", "logout", "console", "profiles", "sso", "keys"] as const) {
          const expected = listedOptions(helpText(command)).filter((option) =>
            option.startsWith("--")
          );
          assert.deepEqual(
            await complete(shell, sandbox, `aec ${command} --`),
            expected.sort(),
            command,
          );
        }
      });
    },
  });

  Deno.test({
    name: `${shell} completion offers profiles and sso-sessions to the subcommands`,
    ignore: !INSTALLED[shell],
    fn: async () => {
      const files = {
        config:
          "[profile dev]\n[sso-session corp]\n[sso-session 'quoted']\n[sso-session two words]\n",
        credentials: "[prod]\n",
      };
      await withSandbox(files, async (sandbox) => {
        for (const command of ["login", "logout", "console"]) {
          assert.deepEqual(
            await complete(shell, sandbox, `aec ${command} --profile `),
            ["dev", "prod"],
            command,
          );
        }
        for (const command of ["login", "logout"]) {
          assert.deepEqual(
            await complete(shell, sandbox, `aec ${command} --sso-session `),
            ["corp", "quoted"],
            command,
          );
        }
        const env = { AWS_CONFIG_FILE: `${sandbox.home}/elsewhere` };
        await Deno.writeTextFile(env.AWS_CONFIG_FILE, "[sso-session moved]\n");
        assert.deepEqual(
          await complete(shell, sandbox, "aec login --sso-session ", { env }),
          ["moved"],
        );
      });
    },
  });
}

Deno.test("bash completion hands the command after --exec to bash-completion", async () => {
  await withSandbox({}, async (sandbox) => {
    const bashPrelude = '_command_offset() { COMPREPLY=("offset $1"); }';
    assert.deepEqual(
      await complete("bash", sandbox, "aec --exec ls ", { bashPrelude }),
      ["offset 2"],
    );
    assert.deepEqual(
      await complete("bash", sandbox, "aec --profile dev --exec -- ls ", { bashPrelude }),
      ["offset 5"],
    );
  });
});

Deno.test({
  ...requires("zsh completion works when autoloaded from $fpath", INSTALLED.zsh),
  fn: async () => {
    await withSandbox({ credentials: "[prod]\n" }, async (sandbox) => {
      const zshFromFpath = true;
      assert.deepEqual(await complete("zsh", sandbox, "aec --format e", { zshFromFpath }), [
        "env",
        "env-no-export",
      ]);
      assert.deepEqual(await complete("zsh", sandbox, "aec --profile ", { zshFromFpath }), [
        "prod",
      ]);
    });
  },
});

// pwsh is not a Debian package; this runs only where it is installed.
Deno.test({
  ...requires("powershell completion offers options, formats and profiles", INSTALLED.powershell),
  fn: async () => {
    await withSandbox({ config: "[profile dev]\n[default]\n", credentials: "[prod]\n" }, async (
      sandbox,
    ) => {
      const script = await writeScript(sandbox, "powershell");
      // PowerShell may want the command to exist; this one must never be run.
      await Deno.writeTextFile(`${sandbox.dir}/bin/aec`, "#!/bin/sh\nexit 99\n", { mode: 0o755 });
      const tab = async (line: string) => {
        const { stdout } = await run(
          "pwsh",
          [
            "-NoProfile",
            "-NonInteractive",
            "-Command",
            ". $env:AEC_SCRIPT; $line = $env:AEC_LINE; " +
            "(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches |" +
            " ForEach-Object CompletionText",
          ],
          sandbox,
          { AEC_SCRIPT: script, AEC_LINE: line },
        );
        return stdout.split(/\r?\n/).filter((word) => word !== "").sort();
      };
      assert.deepEqual(await tab("aec --prof"), ["--profile"]);
      assert.deepEqual(await tab("aec --format e"), ["env", "env-no-export"]);
      assert.deepEqual(await tab("aec --profile "), ["default", "dev", "prod"]);
    });
  },
});
