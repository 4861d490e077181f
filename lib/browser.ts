/**
 * Opens a URL in the user's browser: `BROWSER` when set, else the OS's
 * opener. Nothing goes through a shell: sign-in URLs carry `&` and secrets.
 */

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The command that opens `url`, or `undefined` when no local browser can
 * work (an SSH session, or Linux without a display) and `BROWSER` is unset.
 */
export function openerCommand(
  url: string,
  env: Env,
  os: typeof Deno.build.os = Deno.build.os,
  wsl = false,
): string[] | undefined {
  const browser = env.BROWSER?.trim();
  if (browser) {
    const words = browser.split(/\s+/);
    // `%s` marks where the URL goes, as in the BROWSER convention; else it comes last.
    return words.some((word) => word.includes("%s"))
      ? words.map((word) => word.replaceAll("%s", url))
      : [...words, url];
  }
  if (!canOpenLocally(env, os)) return undefined;
  switch (os) {
    case "darwin":
      return ["open", url];
    case "windows":
      // Never `cmd /c start`: cmd would split the URL at its `&`s.
      return ["rundll32", "url.dll,FileProtocolHandler", url];
    default:
      return wsl ? ["wslview", url] : ["xdg-open", url];
  }
}

/** Whether a browser on this machine could reach the user. */
export function canOpenLocally(env: Env, os: typeof Deno.build.os = Deno.build.os): boolean {
  if (env.BROWSER?.trim()) return true;
  if (env.SSH_CONNECTION || env.SSH_TTY) return false;
  if (os === "darwin" || os === "windows") return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY || isWsl());
}

function isWsl(): boolean {
  try {
    return /microsoft/i.test(Deno.readTextFileSync("/proc/sys/kernel/osrelease"));
  } catch {
    return false;
  }
}

/**
 * Runs the opener for `url` and says whether it started and exited 0. Its
 * output is discarded: stdout belongs to aec's own output.
 */
export async function openBrowser(url: string, env: Env): Promise<boolean> {
  const command = openerCommand(url, env, Deno.build.os, Deno.build.os === "linux" && isWsl());
  if (command === undefined) return false;
  const [program, ...args] = command;
  try {
    const { success } = await new Deno.Command(program!, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}
