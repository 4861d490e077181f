/**
 * Puts an `aec` command on PATH that runs this checkout (`deno task setup`).
 *
 *   deno run -A scripts/install.ts
 *
 * Writes `aec` (`aec.cmd` on Windows) into the folder where `deno install
 * --global` puts commands: $DENO_INSTALL_ROOT/bin, else ~/.deno/bin. The
 * command is `deno run -A main.ts` with this checkout's deno.json, so it runs
 * the checkout as it is, after a `git pull` too, with the packages deno.lock
 * pins. `deno install --global` would instead copy deno.json and resolve a
 * lockfile of its own, and keep the old imports after a pull.
 *
 * Exit status: 0 installed; 1 the command could not be written.
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The folder `deno install --global` installs commands into. */
export function binDir(env: Readonly<Record<string, string | undefined>>): string {
  const root = env.DENO_INSTALL_ROOT ||
    join(env.HOME || env.USERPROFILE || ".", ".deno");
  return join(root, "bin");
}

const quoteSh = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** The command's file name and text for this OS, running the checkout at `root`. */
export function launcher(root: string, os: typeof Deno.build.os): { name: string; text: string } {
  const config = join(root, "deno.json");
  const main = join(root, "main.ts");
  if (os === "windows") {
    // cmd.exe exits with the errorlevel of the last command: deno's, which is aec's.
    return {
      name: "aec.cmd",
      text: `@echo off\r\nrem aec from the checkout ${root} (deno task setup)\r\n` +
        `deno run -A --config "${config}" "${main}" %*\r\n`,
    };
  }
  return {
    name: "aec",
    text: `#!/bin/sh\n# aec from the checkout ${root} (deno task setup)\n` +
      `exec deno run -A --config ${quoteSh(config)} ${quoteSh(main)} "$@"\n`,
  };
}

async function main(): Promise<number> {
  const dir = binDir(Deno.env.toObject());
  const { name, text } = launcher(ROOT, Deno.build.os);
  const path = join(dir, name);
  try {
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(path, text, { mode: 0o755 });
    // The mode of writeTextFile applies to new files only.
    if (Deno.build.os !== "windows") await Deno.chmod(path, 0o755);
  } catch (error) {
    console.error(
      `install: cannot write ${path}: ${error instanceof Error ? error.message : error}`,
    );
    return 1;
  }
  console.log(`Installed ${path}: it runs ${join(ROOT, "main.ts")}`);
  const separator = Deno.build.os === "windows" ? ";" : ":";
  if (!(Deno.env.get("PATH") ?? "").split(separator).includes(dir)) {
    console.log(`Add ${dir} to PATH to run it as aec`);
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
