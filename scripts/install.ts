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
 * The command names the Deno binary running this script by its absolute
 * path, not `deno` on PATH: the `deno` that npm installs can be a Node.js
 * wrapper, which loses the exit code and leaves aec running when killed.
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

/**
 * The command's file name and text for this OS, running the checkout at
 * `root` with the Deno binary at `deno`.
 */
export function launcher(
  root: string,
  deno: string,
  os: typeof Deno.build.os,
): { name: string; text: string } {
  const config = join(root, "deno.json");
  const main = join(root, "main.ts");
  if (os === "windows") {
    // cmd.exe exits with the errorlevel of the last command: deno's, which is aec's.
    return {
      name: "aec.cmd",
      text: `@echo off\r\nrem aec from the checkout ${root} (deno task setup)\r\n` +
        `"${deno}" run -A --config "${config}" "${main}" %*\r\n`,
    };
  }
  // A Deno upgrade can remove this binary (Homebrew keeps one folder a version).
  const gone = `aec: ${deno} is gone; run deno task setup in ${root} again`;
  return {
    name: "aec",
    text: `#!/bin/sh\n# aec from the checkout ${root} (deno task setup)\n` +
      `[ -x ${quoteSh(deno)} ] || { echo ${quoteSh(gone)} >&2; exit 127; }\n` +
      `exec ${quoteSh(deno)} run -A --config ${quoteSh(config)} ${quoteSh(main)} "$@"\n`,
  };
}

/**
 * What to do once so that the shell finds commands in `dir`: a sentence, then
 * the exact line, for the user's shell (`$SHELL`) or, on Windows, PowerShell.
 */
export function pathAdvice(
  dir: string,
  env: Readonly<Record<string, string | undefined>>,
  os: typeof Deno.build.os,
): string {
  if (os === "windows") {
    return `Add ${dir} to PATH to run it as aec: run this once in PowerShell, then open a new ` +
      `terminal:\n  [Environment]::SetEnvironmentVariable("Path", ` +
      `[Environment]::GetEnvironmentVariable("Path", "User") + ";${dir}", "User")`;
  }
  const shell = (env.SHELL ?? "").split("/").at(-1);
  if (shell === "fish") {
    return `Add ${dir} to PATH to run it as aec: run this once in fish:\n  fish_add_path ${
      quoteSh(dir)
    }`;
  }
  const startup = shell === "zsh" ? "~/.zshrc" : shell === "bash" ? "~/.bashrc" : "~/.profile";
  // Double quotes read best; a folder that needs more quoting gets it.
  const entry = /["$`\\]/.test(dir) ? `${quoteSh(dir)}:"$PATH"` : `"${dir}:$PATH"`;
  return `Add ${dir} to PATH to run it as aec: add this line to ${startup}, then open a new ` +
    `shell:\n  export PATH=${entry}`;
}

async function main(): Promise<number> {
  const dir = binDir(Deno.env.toObject());
  const { name, text } = launcher(ROOT, Deno.execPath(), Deno.build.os);
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
    console.log(pathAdvice(dir, Deno.env.toObject(), Deno.build.os));
  }
  return 0;
}

if (import.meta.main) {
  Deno.exit(await main());
}
