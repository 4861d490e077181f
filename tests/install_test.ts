/**
 * scripts/install.ts, the second half of `deno task setup`: an `aec` command
 * in the folder `deno install --global` uses, running this checkout.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import denoConfig from "../deno.json" with { type: "json" };
import { binDir, launcher, pathAdvice } from "../scripts/install.ts";
import { REPO_ROOT, STATIC_KEY_ID } from "./support/sandbox.ts";

const decoder = new TextDecoder();

Deno.test("binDir() is deno install --global's folder: $DENO_INSTALL_ROOT/bin, else ~/.deno/bin", () => {
  assert.equal(
    binDir({ DENO_INSTALL_ROOT: "/opt/deno", HOME: "/home/u" }),
    join("/opt/deno", "bin"),
  );
  assert.equal(binDir({ HOME: "/home/u" }), join("/home/u", ".deno", "bin"));
  assert.equal(
    binDir({ DENO_INSTALL_ROOT: "", USERPROFILE: "/users/u" }),
    join("/users/u", ".deno", "bin"),
  );
});

Deno.test("launcher() runs the checkout's main.ts with its deno.json and this Deno, quoted for the shell", () => {
  const posix = launcher("/src/it's aec", "/opt/deno's/deno", "linux");
  assert.equal(posix.name, "aec");
  assert.match(
    posix.text,
    /^exec '\/opt\/deno'\\''s\/deno' run -A --config '\/src\/it'\\''s aec\/deno\.json' '\/src\/it'\\''s aec\/main\.ts' "\$@"$/m,
  );
  const windows = launcher("C:\\src\\aec", "C:\\deno\\deno.exe", "windows");
  assert.equal(windows.name, "aec.cmd");
  assert.match(
    windows.text,
    /^"C:\\deno\\deno\.exe" run -A --config "C:\\src\\aec[\\/]deno\.json" "C:\\src\\aec[\\/]main\.ts" %\*\r$/m,
  );
});

Deno.test({
  name: "launcher() says to run the set-up again when its Deno is gone",
  ignore: Deno.build.os === "windows",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "aec-install-test-" });
    try {
      const { text } = launcher(REPO_ROOT, join(dir, "deno"), "linux");
      const script = join(dir, "aec");
      await Deno.writeTextFile(script, text);
      const { code, stderr } = await new Deno.Command("sh", { args: [script] }).output();
      assert.equal(code, 127);
      assert.equal(
        decoder.decode(stderr),
        `aec: ${join(dir, "deno")} is gone; run deno task setup in ${REPO_ROOT} again\n`,
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("pathAdvice() prints the exact line that puts the folder on PATH, for the user's shell", () => {
  assert.equal(
    pathAdvice("/home/u/.deno/bin", { SHELL: "/bin/bash" }, "linux"),
    "Add /home/u/.deno/bin to PATH to run it as aec: add this line to ~/.bashrc, then open a " +
      'new shell:\n  export PATH="/home/u/.deno/bin:$PATH"',
  );
  assert.match(pathAdvice("/h/bin", { SHELL: "/usr/bin/zsh" }, "darwin"), /~\/\.zshrc/);
  assert.match(pathAdvice("/h/bin", {}, "linux"), /~\/\.profile, then/);
  // A folder the double quotes would not keep as it is gets single quotes.
  assert.match(
    pathAdvice('/h/$x"/bin', {}, "linux"),
    /\n {2}export PATH='\/h\/\$x"\/bin':"\$PATH"$/,
  );
  assert.match(
    pathAdvice("/home/u/.deno/bin", { SHELL: "/usr/bin/fish" }, "linux"),
    /\n {2}fish_add_path '\/home\/u\/\.deno\/bin'$/,
  );
  assert.match(
    pathAdvice("C:\\Users\\u\\.deno\\bin", {}, "windows"),
    /PowerShell.*\n {2}\[Environment\]::SetEnvironmentVariable\("Path", \[Environment\]::GetEnvironmentVariable\("Path", "User"\) \+ ";C:\\Users\\u\\\.deno\\bin", "User"\)$/,
  );
});

Deno.test({
  name:
    "scripts/install.ts puts an aec command on PATH that runs this checkout with this Deno, from anywhere",
  // The command it writes on Windows is a .cmd file, checked above as text.
  ignore: Deno.build.os === "windows",
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "aec-install-test-" });
    try {
      const env = {
        ...Deno.env.toObject(),
        DENO_INSTALL_ROOT: root,
        NO_COLOR: "1",
        SHELL: "/bin/bash",
      };
      const install = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--quiet", join(REPO_ROOT, "scripts/install.ts")],
        env,
        clearEnv: true,
      }).output();
      const bin = join(root, "bin");
      const printed = decoder.decode(install.stdout);
      assert.equal(install.code, 0, decoder.decode(install.stderr));
      assert.match(
        printed,
        new RegExp(`^Installed ${bin}/aec: it runs ${REPO_ROOT}main\\.ts$`, "m"),
      );
      // The folder is not on PATH: the line that puts it there.
      assert.ok(printed.includes(`\n  export PATH="${bin}:$PATH"\n`), printed);
      assert.ok(((await Deno.stat(join(bin, "aec"))).mode! & 0o111) === 0o111, "not executable");

      // A `deno` first on PATH, as npm's Node.js wrapper can be, must not run.
      const wrappers = join(root, "wrappers");
      const wrapperRan = join(root, "wrapper-ran");
      await Deno.mkdir(wrappers);
      await Deno.writeTextFile(
        join(wrappers, "deno"),
        `#!/bin/sh\ntouch '${wrapperRan}'\nexec '${Deno.execPath()}' "$@"\n`,
        { mode: 0o755 },
      );

      // Run as a user would: by name, from another folder, with deno.lock's packages.
      const run = (args: string[]) =>
        new Deno.Command("aec", {
          args,
          cwd: root,
          env: {
            ...env,
            PATH: `${wrappers}:${bin}:${Deno.env.get("PATH") ?? ""}`,
            AWS_CONFIG_FILE: join(REPO_ROOT, "examples/config"),
            AWS_SHARED_CREDENTIALS_FILE: join(REPO_ROOT, "examples/credentials"),
          },
          clearEnv: true,
        }).output();
      const version = await run(["--version"]);
      assert.equal(decoder.decode(version.stdout), `${denoConfig.version}\n`);
      const json = await run(["--profile", "example", "--json"]);
      assert.equal(json.code, 0, decoder.decode(json.stderr));
      assert.equal(JSON.parse(decoder.decode(json.stdout)).AccessKeyId, STATIC_KEY_ID);
      await assert.rejects(Deno.stat(wrapperRan), Deno.errors.NotFound, "the deno on PATH ran");
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
