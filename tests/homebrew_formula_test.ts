/**
 * scripts/homebrew_formula.ts: the formula puts each archive in its platform's
 * block, is valid Ruby, and its own `test do` passes against aec.
 */

import assert from "node:assert/strict";
import denoConfig from "../deno.json" with { type: "json" };
import { formula, FormulaError, parseSha256Sums } from "../scripts/homebrew_formula.ts";
import { command, POSIX, requires } from "./support/clients.ts";
import { REPO_ROOT } from "./support/sandbox.ts";

const VERSION = "1.2.3";
const REPO = "aec-cli/aec";

// Written out here rather than taken from the script, so a wrong target there fails.
const ARCHIVES = [
  { os: "macos", arch: "intel", target: "x86_64-apple-darwin" },
  { os: "macos", arch: "arm", target: "aarch64-apple-darwin" },
  { os: "linux", arch: "intel", target: "x86_64-unknown-linux-gnu" },
  { os: "linux", arch: "arm", target: "aarch64-unknown-linux-gnu" },
] as const;
const WINDOWS_TARGETS = ["x86_64-pc-windows-msvc", "aarch64-pc-windows-msvc"];

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A distinct, realistic sum per target. */
const SUM: Record<string, string> = Object.fromEntries(
  await Promise.all(
    [...ARCHIVES.map((a) => a.target), ...WINDOWS_TARGETS].map(
      async (target) => [target, await sha256Hex(target)] as const,
    ),
  ),
);

function sumsFile(version: string, skip?: string): string {
  const files: { target: string; file: string }[] = [
    ...ARCHIVES.map(({ target }) => ({ target, file: `aec-${version}-${target}.tar.gz` })),
    ...WINDOWS_TARGETS.map((target) => ({ target, file: `aec-${version}-${target}.zip` })),
  ];
  return files.filter(({ target }) => target !== skip)
    .map(({ target, file }) => `${SUM[target]}  ${file}\n`)
    .join("");
}

interface Statement {
  /** The blocks the statement is in, outermost first: `class Aec < Formula`, `on_macos`, … */
  blocks: string[];
  line: string;
}

/** Every statement of the formula with its enclosing blocks; heredoc bodies are skipped. */
function statements(ruby: string): Statement[] {
  const result: Statement[] = [];
  const open: string[] = [];
  let heredocEnd: string | undefined;
  for (const raw of ruby.split("\n")) {
    const line = raw.trim();
    if (heredocEnd !== undefined) {
      if (line === heredocEnd) heredocEnd = undefined;
    } else if (line === "" || line.startsWith("#")) {
      continue;
    } else if (line === "end") {
      assert.notEqual(open.pop(), undefined, "an `end` closes no block");
    } else if (/^(class .+|def \w+|\w+ do)$/.test(line)) {
      open.push(line.replace(/ do$/, ""));
    } else {
      heredocEnd = /<<~(\w+)$/.exec(line)?.[1];
      result.push({ blocks: [...open], line });
    }
  }
  assert.deepEqual(open, [], "blocks left open");
  return result;
}

const byLine = (a: Statement, b: Statement) => a.line.localeCompare(b.line);

Deno.test("formula() puts each archive's url and sha256 in its on_<os> and on_<arch> block", () => {
  const ruby = formula(VERSION, sumsFile(VERSION), REPO);
  const archives = statements(ruby).filter((s) => /^(url|sha256) /.test(s.line));
  const expected = ARCHIVES.flatMap(({ os, arch, target }) => {
    const blocks = ["class Aec < Formula", `on_${os}`, `on_${arch}`];
    return [
      {
        blocks,
        line:
          `url "https://github.com/aec-cli/aec/releases/download/v1.2.3/aec-1.2.3-${target}.tar.gz"`,
      },
      { blocks, line: `sha256 "${SUM[target]}"` },
    ];
  });
  assert.deepEqual(archives.sort(byLine), expected.sort(byLine));
});

Deno.test("formula() leaves the Windows archives out", () => {
  const ruby = formula(VERSION, sumsFile(VERSION), REPO);
  for (const target of WINDOWS_TARGETS) {
    assert.ok(!ruby.includes(target), `${target} is in the formula`);
    assert.ok(!ruby.includes(SUM[target]!), `the sum of ${target} is in the formula`);
  }
});

Deno.test("formula() declares the package, installs aec with completions and tests it", () => {
  const all = statements(formula(VERSION, sumsFile(VERSION), REPO));
  const inBlock = (...blocks: string[]) =>
    all.filter((s) => s.blocks.join("/") === blocks.join("/")).map((s) => s.line);
  assert.deepEqual(inBlock("class Aec < Formula"), [
    'desc "Export AWS credentials from a profile to other programs"',
    'homepage "https://github.com/aec-cli/aec"',
    'version "1.2.3"',
    'license "Apache-2.0"',
  ]);
  assert.deepEqual(inBlock("class Aec < Formula", "def install"), [
    'bin.install "aec"',
    // No shell_parameter_format: Homebrew then appends the bare shell name
    // (`aec --completions bash`); `:arg` would pass `--shell=bash`.
    'generate_completions_from_executable(bin/"aec", "--completions", shells: [:bash, :zsh, :fish])',
  ]);
  const test = inBlock("class Aec < Formula", "test");
  assert.equal(test[0], 'assert_match version.to_s, shell_output("#{bin}/aec --version")');
  assert.equal(
    test.at(-1),
    'assert_match "AKIAIOSFODNN7EXAMPLE", shell_output("#{bin}/aec --profile example --json")',
  );
});

Deno.test("formula() downloads from the repository it is given", () => {
  const ruby = formula("2.0.0-rc.1", sumsFile("2.0.0-rc.1"), "someone/fork");
  const urls = statements(ruby).filter((s) => s.line.startsWith("url ")).map((s) => s.line);
  assert.equal(urls.length, 4);
  for (const url of urls) {
    assert.match(
      url,
      /^url "https:\/\/github\.com\/someone\/fork\/releases\/download\/v2\.0\.0-rc\.1\//,
    );
  }
  assert.match(ruby, /^ {2}homepage "https:\/\/github\.com\/someone\/fork"$/m);
});

Deno.test("formula() names each macOS or Linux archive missing from SHA256SUMS", () => {
  for (const { target } of ARCHIVES) {
    assert.throws(
      () => formula(VERSION, sumsFile(VERSION, target), REPO),
      (error) =>
        error instanceof FormulaError &&
        error.message === `SHA256SUMS has no sum for aec-1.2.3-${target}.tar.gz`,
    );
  }
  // Archives of another version do not count.
  assert.throws(() => formula("1.2.4", sumsFile(VERSION), REPO), FormulaError);
});

Deno.test("formula() refuses a malformed version or repository", () => {
  for (const version of ["v1.2.3", "1.2", "1.2.3 ", '1.2.3"', "1.2.3-", "1.2.3/x", ""]) {
    assert.throws(
      () => formula(version, sumsFile(version), REPO),
      /^FormulaError: Version .* is not like 1\.2\.3/,
      version,
    );
  }
  for (const repo of ["aec", "a/b/c", 'a/b"', "a/#{b}", " a/b"]) {
    assert.throws(() => formula(VERSION, sumsFile(VERSION), repo), /is not like OWNER\/NAME/, repo);
  }
});

Deno.test("parseSha256Sums() reads sha256sum's text and binary lines, blank lines and CRLF", () => {
  const upper = SUM["x86_64-apple-darwin"]!.toUpperCase();
  const sums = parseSha256Sums(
    `${upper}  a.tar.gz\r\n\n${SUM["aarch64-apple-darwin"]} *dir/b c.zip\n`,
  );
  assert.deepEqual(
    sums,
    new Map([
      ["a.tar.gz", SUM["x86_64-apple-darwin"]],
      ["dir/b c.zip", SUM["aarch64-apple-darwin"]],
    ]),
  );
});

Deno.test("parseSha256Sums() refuses a malformed line and a file with two sums", () => {
  const good = `${SUM["x86_64-apple-darwin"]}  a.tar.gz\n`;
  assert.throws(
    () => parseSha256Sums(`${good}${"0".repeat(63)}  b.tar.gz\n`),
    /^FormulaError: SHA256SUMS line 2 is not/,
  );
  assert.throws(() => parseSha256Sums(`${good}${SUM["x86_64-apple-darwin"]}\n`), /line 2/);
  assert.throws(
    () => parseSha256Sums(`${good}${SUM["aarch64-apple-darwin"]}  a.tar.gz\n`),
    /lists a\.tar\.gz twice with different sums/,
  );
  assert.equal(parseSha256Sums(good + good).size, 1);
});

const decoder = new TextDecoder();

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "aec-formula-test-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function runScript(args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", `${REPO_ROOT}scripts/homebrew_formula.ts`, ...args],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

Deno.test("the script prints the formula for VERSION and SHA256SUMS, --repo included", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/SHA256SUMS`;
    await Deno.writeTextFile(path, sumsFile(VERSION));
    const plain = await runScript([VERSION, path]);
    assert.deepEqual(plain, {
      code: 0,
      stdout: formula(VERSION, sumsFile(VERSION), REPO),
      stderr: "",
    });
    const fork = await runScript([VERSION, path, "--repo", "someone/fork"]);
    assert.deepEqual(fork, {
      code: 0,
      stdout: formula(VERSION, sumsFile(VERSION), "someone/fork"),
      stderr: "",
    });
  });
});

Deno.test("the script exits 2 with one clear message on a bad input", async () => {
  await withTempDir(async (dir) => {
    const path = `${dir}/SHA256SUMS`;
    await Deno.writeTextFile(path, sumsFile(VERSION, "aarch64-unknown-linux-gnu"));
    assert.deepEqual(await runScript([VERSION, path]), {
      code: 2,
      stdout: "",
      stderr: "homebrew_formula: SHA256SUMS has no sum for " +
        "aec-1.2.3-aarch64-unknown-linux-gnu.tar.gz\n",
    });
    const badVersion = await runScript(["v1.2.3", path]);
    assert.equal(badVersion.code, 2);
    assert.match(badVersion.stderr, /^homebrew_formula: Version "v1\.2\.3" is not like/);
    const missingFile = await runScript([VERSION, `${dir}/nothing`]);
    assert.equal(missingFile.code, 2);
    assert.match(missingFile.stderr, /^homebrew_formula: Cannot read .*nothing/);
    const noSums = await runScript([VERSION]);
    assert.equal(noSums.code, 2);
    assert.match(noSums.stderr, /Expected VERSION and PATH\/TO\/SHA256SUMS\nUsage: /);
    assert.equal(noSums.stdout, "");
  });
});

const RUBY = await command("ruby");

Deno.test({
  ...requires("the formula is valid Ruby (ruby -c)", RUBY),
  async fn() {
    await withTempDir(async (dir) => {
      await Deno.writeTextFile(`${dir}/aec.rb`, formula(VERSION, sumsFile(VERSION), REPO));
      const output = await new Deno.Command("ruby", { args: ["-c", `${dir}/aec.rb`] }).output();
      assert.equal(output.code, 0, decoder.decode(output.stderr));
      assert.equal(decoder.decode(output.stdout), "Syntax OK\n");
    });
  },
});

/**
 * Loads a formula under a stand-in for Homebrew's Formula class, runs its
 * `install` (recording the commands generate_completions_from_executable would
 * run, by Homebrew's rule for no shell_parameter_format: the shell name
 * appended) and its `test do` in the current directory with `bin` from AEC_BIN,
 * then prints as JSON the archive Ruby saw in each on_<os>/on_<arch> block and
 * the completion commands.
 */
const HOMEBREW_STAND_IN = String.raw`
require "json"
require "pathname"

class Pathname
  # Homebrew's Pathname#install moves files from the unpacked archive; there is none.
  def install(*); end
end

class Formula
  ARCHIVES = {}
  WHERE = {}
  COMPLETIONS = []

  def self.desc(_text); end
  def self.homepage(_url); end
  def self.license(_name); end

  def self.version(value)
    @@version = value
  end

  { os: %i[macos linux], arch: %i[intel arm] }.each do |kind, names|
    names.each do |name|
      define_singleton_method(:"on_#{name}") do |&block|
        raise "on_#{name} inside on_#{WHERE[kind]}" if WHERE.key?(kind)
        WHERE[kind] = name
        block.call
        WHERE.delete(kind)
      end
    end
  end

  def self.archive
    ARCHIVES["#{WHERE.fetch(:os)} #{WHERE.fetch(:arch)}"] ||= {}
  end

  def self.url(value)
    archive[:url] = value
  end

  def self.sha256(value)
    archive[:sha256] = value
  end

  def self.test(&block)
    @@test = block
  end

  def self.run_test(formula)
    formula.instance_exec(&@@test)
  end

  def version
    @@version
  end

  def bin
    Pathname(ENV.fetch("AEC_BIN"))
  end

  def testpath
    Pathname(Dir.pwd)
  end

  # Any other keyword, such as shell_parameter_format, raises ArgumentError.
  def generate_completions_from_executable(*commands, shells: %i[bash zsh fish])
    shells.each { |shell| COMPLETIONS << [*commands, shell].map(&:to_s) }
  end

  def shell_output(command)
    output = IO.popen(["/bin/sh", "-c", command], &:read)
    raise "#{command} exited #{$?.exitstatus}" unless $?.success?
    output
  end

  def assert_match(expected, actual)
    raise "#{actual.inspect} does not include #{expected.inspect}" unless actual.include?(expected)
  end
end

load ARGV.fetch(0)
formula = Aec.new
formula.install
Formula.run_test(formula)
puts JSON.generate(archives: Formula::ARCHIVES, completions: Formula::COMPLETIONS)
`;

async function denoDir(): Promise<string> {
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv) return fromEnv;
  const { stdout } = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] })
    .output();
  return JSON.parse(decoder.decode(stdout)).denoDir;
}

Deno.test({
  // The stand-in runs /bin/sh.
  ...requires("under a Homebrew stand-in, the formula's test passes against aec", RUBY, POSIX),
  async fn() {
    await withTempDir(async (dir) => {
      // The formula's `aec --version` check needs the version aec reports.
      const version = denoConfig.version;
      await Deno.writeTextFile(`${dir}/aec.rb`, formula(version, sumsFile(version), REPO));
      await Deno.writeTextFile(`${dir}/homebrew.rb`, HOMEBREW_STAND_IN);
      await Deno.mkdir(`${dir}/bin`);
      await Deno.mkdir(`${dir}/testpath`);
      await Deno.writeTextFile(
        `${dir}/bin/aec`,
        `#!/bin/sh\nexec "${Deno.execPath()}" run -A --quiet "${REPO_ROOT}main.ts" "$@"\n`,
        { mode: 0o755 },
      );
      const output = await new Deno.Command("ruby", {
        args: [`${dir}/homebrew.rb`, `${dir}/aec.rb`],
        cwd: `${dir}/testpath`,
        clearEnv: true,
        // A HOME without .aws: only the files the formula's test writes can answer.
        env: {
          PATH: Deno.env.get("PATH") ?? "",
          HOME: dir,
          DENO_DIR: await denoDir(),
          NO_COLOR: "1",
          AEC_BIN: `${dir}/bin`,
        },
      }).output();
      assert.equal(output.code, 0, decoder.decode(output.stderr));
      const base = `https://github.com/aec-cli/aec/releases/download/v${version}`;
      assert.deepEqual(JSON.parse(decoder.decode(output.stdout)), {
        archives: Object.fromEntries(
          ARCHIVES.map(({ os, arch, target }) => [
            `${os} ${arch}`,
            { url: `${base}/aec-${version}-${target}.tar.gz`, sha256: SUM[target] },
          ]),
        ),
        completions: ["bash", "zsh", "fish"].map((shell) => [
          `${dir}/bin/aec`,
          "--completions",
          shell,
        ]),
      });
    });
  },
});
