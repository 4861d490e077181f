/** Finding a program the way a shell would: on `PATH`, with `PATHEXT` on Windows. */

type Env = Readonly<Record<string, string | undefined>>;

/** The path of program `name` on `PATH`, or `undefined` when no directory there has it. */
export function findProgram(
  name: string,
  env: Env,
  os: typeof Deno.build.os = Deno.build.os,
): string | undefined {
  const windows = os === "windows";
  const extensions = windows
    ? ["", ...(env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";").filter(Boolean)]
    : [""];
  for (const directory of (env.PATH ?? "").split(windows ? ";" : ":")) {
    if (directory === "") continue;
    for (const extension of extensions) {
      // The directory's own separator: Windows takes either.
      const separator = windows && directory.includes("\\") ? "\\" : "/";
      const path = `${directory}${separator}${name}${extension}`;
      if (isExecutableFile(path, windows)) return path;
    }
  }
  return undefined;
}

/** Whether anything (a file, a socket, a link that leads somewhere) is at `path`. */
export function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is a file that could be run (any execute bit, on POSIX). */
export function isExecutableFile(path: string, windows = Deno.build.os === "windows"): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && (windows || info.mode === null || (info.mode & 0o111) !== 0);
  } catch {
    return false;
  }
}
