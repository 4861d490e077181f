/**
 * Every ```sh example of README.md and docs/*.md runs as written, line by
 * line in one bash per block, with `aec` on PATH (a wrapper around `deno run
 * -A main.ts`), examples/config and examples/credentials as ~/.aws/config and
 * ~/.aws/credentials, and the local fake AWS (tests/support/fake_aws.ts) for
 * STS, IAM Identity Center and the console's federation endpoint. The user is
 * signed in to examples/config's sso-session `corp`, and BROWSER plays the
 * user's browser (tests/support/browser.ts).
 *
 * Conventions in the examples:
 * - Each line must exit 0, and so must every aec it runs (an `eval
 *   "$(aec …)"` included), unless a comment on the line says `exit N`.
 * - A line whose comment says `until Ctrl-C` is a server: it runs until its
 *   first line on stderr, then gets SIGTERM and must exit 0.
 * - `<!-- not run: REASON -->` on the line before a block skips it: kept for
 *   what cannot run on a test machine (a download, a package manager).
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { sha1Hex } from "../lib/support/python_json.ts";
import { command, POSIX, requires } from "./support/clients.ts";
import { REPO_ROOT, type Sandbox, withSandbox } from "./support/sandbox.ts";

export interface Example {
  /** The file, relative to the repository, and the line of the opening fence. */
  file: string;
  line: number;
  /** The logical lines: `\`-continued lines joined, comment-only and blank lines left out. */
  commands: string[];
  /** Why the block is not run, from its `<!-- not run: … -->` marker. */
  notRun?: string;
}

/** The ```sh blocks of a Markdown text. */
export function shExamples(file: string, markdown: string): Example[] {
  const lines = markdown.split("\n");
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    // A block may be indented, in a list item.
    const indent = lines[i]!.match(/^( *)```sh\s*$/)?.[1];
    if (indent === undefined) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^ *```\s*$/.test(lines[i]!); i++) {
      body.push(lines[i]!.slice(indent.length));
    }
    assert.ok(i < lines.length, `${file}:${start + 1}: the block is not closed`);
    const before = lines.slice(0, start).findLast((line) => line.trim() !== "");
    const marker = before?.match(/^<!-- not run: (.*\S) -->$/);
    const commands: string[] = [];
    let pending = "";
    for (const line of body) {
      if (line.endsWith("\\")) {
        pending += line.slice(0, -1);
        continue;
      }
      const command = pending + line;
      pending = "";
      if (command.trim() !== "" && !command.trimStart().startsWith("#")) commands.push(command);
    }
    const example: Example = { file, line: start + 1, commands };
    if (marker) example.notRun = marker[1]!;
    examples.push(example);
  }
  return examples;
}

/** The exit status a command's comment announces, else 0. */
export function expectedExit(command: string): number {
  const match = command.match(/\s#.*\bexit (\d+)\b/);
  return match ? Number(match[1]) : 0;
}

/** Whether the command is a server that runs until stopped. */
export function isServer(command: string): boolean {
  return /\s#.*\buntil Ctrl-C\b/.test(command);
}

const DOCS = [
  "README.md",
  ...[...Deno.readDirSync(join(REPO_ROOT, "docs"))]
    .filter((entry) => entry.isFile && entry.name.endsWith(".md"))
    .map((entry) => `docs/${entry.name}`)
    .sort(),
];

const decoder = new TextDecoder();

/** `aec` for the examples: main.ts, logging each exit status to $AEC_DOCS_LOG. */
async function writeWrapper(dir: string): Promise<void> {
  const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
  const run = `${quote(Deno.execPath())} run -A --quiet ${quote(join(REPO_ROOT, "main.ts"))} "$@"`;
  await Deno.writeTextFile(
    join(dir, "aec"),
    `#!/bin/sh\n` +
      // A server is stopped by a signal, which must reach aec itself.
      `if [ -n "$AEC_DOCS_EXEC" ]; then exec ${run}; fi\n` +
      `${run}\ncode=$?\necho "$code" >> "$AEC_DOCS_LOG"\nexit "$code"\n`,
    { mode: 0o755 },
  );
}

interface Failure {
  command: string;
  problem: string;
}

/** Runs one example in a fresh sandbox; returns what went wrong, if anything. */
export async function runExample(example: Example): Promise<Failure[]> {
  const failures: Failure[] = [];
  const config = await Deno.readTextFile(join(REPO_ROOT, "examples/config"));
  const credentials = await Deno.readTextFile(join(REPO_ROOT, "examples/credentials"));
  await withSandbox({ config, credentials }, async (sandbox) => {
    await prepare(sandbox);
    const bin = join(sandbox.home, ".aec-docs-bin");
    await Deno.mkdir(bin);
    await writeWrapper(bin);
    const env: Record<string, string> = {
      ...sandbox.env,
      PATH: `${bin}:${sandbox.env.PATH}`,
      AWS_ENDPOINT_URL_SSO_OIDC: sandbox.aws.url,
      AWS_ENDPOINT_URL_SIGNIN: sandbox.aws.url,
      BROWSER: `${Deno.execPath()} run -A --quiet ${join(REPO_ROOT, "tests/support/browser.ts")}`,
      AEC_DOCS_LOG: join(sandbox.home, ".aec-docs-log"),
    };
    // Consecutive commands share one bash (for `eval`, `export`, `cd`); a server runs alone.
    let segment: string[] = [];
    const flush = async () => {
      if (segment.length > 0) failures.push(...await runCommands(segment, sandbox.home, env));
      segment = [];
    };
    for (const command of example.commands) {
      if (!isServer(command)) {
        segment.push(command);
        continue;
      }
      await flush();
      const failure = await runServer(command, sandbox.home, env);
      if (failure) failures.push(failure);
    }
    await flush();
  });
  return failures;
}

/** What examples/config assumes: a copy of examples/ here, and a session signed in to `corp`. */
async function prepare(sandbox: Sandbox): Promise<void> {
  for (const name of ["config", "credentials"]) {
    await sandbox.write(
      `examples/${name}`,
      await Deno.readTextFile(join(REPO_ROOT, "examples", name)),
    );
  }
  await sandbox.write(
    `.aws/sso/cache/${await sha1Hex("corp")}.json`,
    JSON.stringify({
      startUrl: "https://example.awsapps.com/start",
      region: "us-east-1",
      accessToken: "valid-sso-token",
      expiresAt: new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    }),
  );
}

async function runCommands(
  commands: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Failure[]> {
  const status = join(cwd, ".aec-docs-status");
  await Deno.writeTextFile(status, "");
  await Deno.writeTextFile(env.AEC_DOCS_LOG!, "");
  const script = commands.map((command, i) =>
    `printf 'line %d\\n' ${i} >> "$AEC_DOCS_LOG"\n${command}\n` +
    `printf '%d %d\\n' ${i} "$?" >> ${JSON.stringify(status)}\n`
  ).join("");
  const output = await new Deno.Command("bash", {
    args: ["--noprofile", "--norc", "-c", script],
    cwd,
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  const said = `stdout: ${decoder.decode(output.stdout)}\nstderr: ${decoder.decode(output.stderr)}`;

  const exits = new Map(
    (await Deno.readTextFile(status)).trim().split("\n").filter(Boolean).map((line) =>
      line.split(" ").map(Number) as [number, number]
    ),
  );
  const aecExits = new Map<number, number[]>();
  let current = -1;
  for (const line of (await Deno.readTextFile(env.AEC_DOCS_LOG!)).trim().split("\n")) {
    const marker = line.match(/^line (\d+)$/);
    if (marker) aecExits.set(current = Number(marker[1]), []);
    else if (line !== "") aecExits.get(current)?.push(Number(line));
  }

  const failures: Failure[] = [];
  commands.forEach((command, i) => {
    const want = expectedExit(command);
    const got = exits.get(i);
    const aec = aecExits.get(i) ?? [];
    if (got !== want) {
      failures.push({
        command,
        problem: `exited with ${got ?? "nothing (bash stopped)"}, not ${want}\n${said}`,
      });
    } else if (/(^|[\s;&|(`"'])aec\s/.test(command) && aec.length === 0) {
      failures.push({ command, problem: `never ran aec\n${said}` });
    } else if (aec.some((code) => code !== want)) {
      failures.push({
        command,
        problem: `aec exited with ${aec.join(", ")}, not ${want}\n${said}`,
      });
    }
  });
  return failures;
}

async function runServer(
  command: string,
  cwd: string,
  env: Record<string, string>,
): Promise<Failure | undefined> {
  const child = new Deno.Command("bash", {
    args: ["--noprofile", "--norc", "-c", `exec ${command}`],
    cwd,
    env: { ...env, AEC_DOCS_EXEC: "1" },
    clearEnv: true,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Up when it says how to reach it (its first line on stderr), or gone.
  let stderr = "";
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  try {
    while (!stderr.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      stderr += value;
    }
    try {
      child.kill("SIGTERM");
    } catch {
      // It had already exited: its status says why.
    }
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      stderr += chunk.value;
    }
    const { code } = await child.status;
    const want = expectedExit(command);
    if (code !== want || stderr === "") {
      return { command, problem: `exited with ${code}, not ${want}; stderr: ${stderr}` };
    }
    return undefined;
  } finally {
    clearTimeout(guard);
  }
}

Deno.test("shExamples() reads blocks, markers, continued lines and exit comments", () => {
  const examples = shExamples(
    "x.md",
    [
      "```sh",
      "# a comment",
      "aec --profile example \\",
      "  --json",
      "",
      "aec --exec cd /tmp   # exit 127: cd is a shell built-in",
      "```",
      "- a list item:",
      "  ```sh",
      "  aec --version",
      "  ```",
      "<!-- not run: a download -->",
      "",
      "```sh",
      "curl -O https://example.com/x",
      "```",
      "```ini",
      "[profile x]",
      "```",
    ].join("\n"),
  );
  assert.deepEqual(examples, [
    {
      file: "x.md",
      line: 1,
      commands: [
        "aec --profile example   --json",
        "aec --exec cd /tmp   # exit 127: cd is a shell built-in",
      ],
    },
    { file: "x.md", line: 9, commands: ["aec --version"] },
    { file: "x.md", line: 14, commands: ["curl -O https://example.com/x"], notRun: "a download" },
  ]);
  assert.equal(expectedExit(examples[0]!.commands[1]!), 127);
  assert.equal(expectedExit(examples[0]!.commands[0]!), 0);
  assert.ok(isServer("aec --profile dev --imds 9911   # serves until Ctrl-C"));
});

// The examples are POSIX shell.
const BASH = [POSIX, await command("bash")];

Deno.test({
  ...requires("a broken example fails the check, and its comment's exit code is checked", ...BASH),
  async fn() {
    const broken = await runExample(
      {
        file: "x.md",
        line: 1,
        commands: ["aec --profile nosuch --json", "aec --version   # exit 3"],
      },
    );
    assert.deepEqual(broken.map((failure) => failure.command), [
      "aec --profile nosuch --json",
      "aec --version   # exit 3",
    ]);
    // aec's own status counts, not only the line's.
    const hidden = await runExample(
      { file: "x.md", line: 1, commands: ['eval "$(aec --profile nosuch --env-export)"'] },
    );
    assert.match(hidden[0]?.problem ?? "", /^aec exited with 3, not 0/);
  },
});

for (const file of DOCS) {
  Deno.test({
    ...requires(`the examples of ${file} run as written`, ...BASH),
    async fn(t) {
      const examples = shExamples(file, await Deno.readTextFile(join(REPO_ROOT, file)));
      for (const example of examples) {
        if (example.notRun !== undefined) continue;
        await t.step(`${file}:${example.line}`, async () => {
          const failures = await runExample(example);
          assert.deepEqual(
            failures.map(({ command, problem }) => `${command}\n  ${problem}`),
            [],
            `${file}:${example.line}`,
          );
        });
      }
    },
  });
}

Deno.test("the docs have examples that run, and few that do not", async () => {
  const examples = (await Promise.all(
    DOCS.map(async (file) => shExamples(file, await Deno.readTextFile(join(REPO_ROOT, file)))),
  )).flat();
  const run = examples.filter((example) => example.notRun === undefined);
  const notRun = examples.filter((example) => example.notRun !== undefined);
  assert.ok(run.length >= 20, `only ${run.length} examples run`);
  assert.ok(
    notRun.length <= 6,
    `${notRun.length} examples are not run: ${notRun.map((e) => `${e.file}:${e.line}`)}`,
  );
});

Deno.test("README.md links every docs page, and every relative link leads to a file", async () => {
  const readme = await Deno.readTextFile(join(REPO_ROOT, "README.md"));
  for (const page of DOCS.filter((file) => file.startsWith("docs/"))) {
    assert.ok(readme.includes(`](${page})`), `README.md does not link ${page}`);
  }
  for (const file of DOCS) {
    const text = await Deno.readTextFile(join(REPO_ROOT, file));
    for (const [, target] of text.matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)) {
      const path = join(REPO_ROOT, file, "..", target!);
      assert.ok(await Deno.stat(path).then(() => true, () => false), `${file} links ${target}`);
    }
  }
});
