/**
 * scripts/install.ts, the second half of `deno task setup`: an `aec` command
 * in the folder `deno install --global` uses, running this checkout.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import denoConfig from "../deno.json" with { type: "json" };
import { binDir, launcher } from "../scripts/install.ts";
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

Deno.test("launcher() runs the checkout's main.ts with its deno.json, quoted for the shell", () => {
  const posix = launcher("/src/it's aec", "linux");
  assert.equal(posix.name, "aec");
  assert.match(
    posix.text,
    /^exec deno run -A --config '\/src\/it'\\''s aec\/deno\.json' '\/src\/it'\\''s aec\/main\.ts' "\$@"$/m,
  );
  const windows = launcher("C:\\src\\aec", "windows");
  assert.equal(windows.name, "aec.cmd");
  assert.match(
    windows.text,
    /^deno run -A --config "C:\\src\\aec[\\/]deno\.json" "C:\\src\\aec[\\/]main\.ts" %\*\r$/m,
  );
});

Deno.test({
  name: "scripts/install.ts puts an aec command on PATH that runs this checkout from anywhere",
  // The command it writes on Windows is a .cmd file, checked above as text.
  ignore: Deno.build.os === "windows",
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "aec-install-test-" });
    try {
      const env = { ...Deno.env.toObject(), DENO_INSTALL_ROOT: root, NO_COLOR: "1" };
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
      assert.ok(((await Deno.stat(join(bin, "aec"))).mode! & 0o111) === 0o111, "not executable");

      // Run as a user would: by name, from another folder, with deno.lock's packages.
      const run = (args: string[]) =>
        new Deno.Command("aec", {
          args,
          cwd: root,
          env: {
            ...env,
            PATH: `${bin}:${Deno.env.get("PATH") ?? ""}`,
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
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
