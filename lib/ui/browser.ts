/**
 * Opens a URL in the user's browser: the browser chosen (`aec console
 * --browser`), else `BROWSER` when set, else the OS's opener (in WSL, the
 * Windows browser's). Nothing goes through a shell: sign-in URLs carry `&`
 * and secrets.
 *
 * The URL itself never reaches the opener's command line, where any local
 * user can read it (`/proc/PID/cmdline`, `ps`) for as long as the process
 * lives. The opener gets a private file instead: a page, 0600 in a 0700
 * directory of aec's ({@linkcode pageDirectory}), that sends the browser to a
 * one-time address on 127.0.0.1, which answers once with a redirect to the
 * URL (or, for a link a browser follows only from a page, such as
 * `ext+container:`, answers with a page that follows it). The URL is never
 * written to disk: the file holds only the one-time
 * address, which other local users can neither read nor guess. The file is
 * removed as soon as the browser has been sent on, after `waitMs` without a
 * visit, or when aec exits, whichever comes first.
 */

import { pathToFileURL } from "node:url";
import { cacheDirectory } from "../caches/mod.ts";
import {
  CredentialError,
  findProgram,
  isExecutableFile,
  messageOf,
  pathExists,
} from "../support/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

/** How long a page waits for the browser; a cold browser start takes a few seconds. */
const PAGE_WAIT_MS = 30_000;
// Pages left by an aec that was killed; their one-time address died with it.
const STALE_PAGE_MS = 60_000;
const PAGE_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.html$/;

/**
 * How WSL reaches the Windows browser: `wslview` (wslu), Windows' own
 * `rundll32.exe` through interop, or not at all (`false`, also outside WSL).
 */
export type WslOpener = false | "wslview" | "interop";

// Where interop finds Windows' opener when Windows' PATH is not appended to WSL's.
const WINDOWS_RUNDLL32 = "/mnt/c/Windows/System32/rundll32.exe";

/**
 * The command that opens `url`: `browser` (a program and its arguments)
 * when given, else `BROWSER`, else the OS's opener; or `undefined` when no
 * local browser can work (an SSH session, Linux without a display, WSL
 * without a way to the Windows browser). From WSL through interop, `url` is
 * the page's Windows path.
 */
export function openerCommand(
  url: string,
  env: Env,
  os: typeof Deno.build.os = Deno.build.os,
  wsl: WslOpener = false,
  browser?: readonly string[],
): string[] | undefined {
  if (browser) return [...browser, url];
  const fromEnv = env.BROWSER?.trim();
  if (fromEnv) {
    const words = fromEnv.split(/\s+/);
    // `%s` marks where the URL goes, as in the BROWSER convention; else it comes last.
    return words.some((word) => word.includes("%s"))
      ? words.map((word) => word.replaceAll("%s", url))
      : [...words, url];
  }
  if (!canOpenLocally(env, os, wsl)) return undefined;
  switch (os) {
    case "darwin":
      return ["open", url];
    case "windows":
      // Never `cmd /c start`: cmd would split the URL at its `&`s.
      return ["rundll32", "url.dll,FileProtocolHandler", url];
    default:
      if (wsl === "wslview") return ["wslview", url];
      if (wsl === "interop") return [WINDOWS_RUNDLL32, "url.dll,FileProtocolHandler", url];
      return ["xdg-open", url];
  }
}

/** Whether a browser on this machine could reach the user. */
export function canOpenLocally(
  env: Env,
  os: typeof Deno.build.os = Deno.build.os,
  wsl: WslOpener = os === "linux" ? wslOpener(env) : false,
): boolean {
  if (env.BROWSER?.trim()) return true;
  if (env.SSH_CONNECTION || env.SSH_TTY) return false;
  if (os === "darwin" || os === "windows") return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY || wsl);
}

/** How this Linux reaches a Windows browser, if it is WSL (see {@linkcode WslOpener}). */
export function wslOpener(env: Env): WslOpener {
  if (!isWsl()) return false;
  if (findProgram("wslview", env)) return "wslview";
  const interop = ["WSLInterop", "WSLInterop-late"].some((name) =>
    pathExists(`/proc/sys/fs/binfmt_misc/${name}`)
  );
  return interop && isExecutableFile(WINDOWS_RUNDLL32) ? "interop" : false;
}

function isWsl(): boolean {
  try {
    return /microsoft/i.test(Deno.readTextFileSync("/proc/sys/kernel/osrelease"));
  } catch {
    return false;
  }
}

/**
 * Where the pages for the browser go: `$XDG_RUNTIME_DIR/aec` (a per-user
 * tmpfs, emptied at logout) when it is this user's directory (`su` keeps
 * another user's), else `pages` in aec's cache directory.
 */
export function pageDirectory(env: Env, os: typeof Deno.build.os = Deno.build.os): string {
  const runtime = env.XDG_RUNTIME_DIR?.replace(/\/+$/, "");
  if (os !== "windows" && runtime?.startsWith("/") && isOwnDirectory(runtime)) {
    return `${runtime}/aec`;
  }
  return `${cacheDirectory(env, os)}${os === "windows" ? "\\" : "/"}pages`;
}

function isOwnDirectory(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isDirectory && info.uid === Deno.uid();
  } catch {
    return false;
  }
}

/** A page handed to the browser. */
export interface OpenedPage {
  /**
   * True once the browser has been sent on to the URL, false if `waitMs`
   * passed first. Either way, the page's file is removed by then.
   */
  loaded: Promise<boolean>;
}

export interface OpenOptions {
  /** How long the page waits for the browser. */
  waitMs?: number;
  /** The browser chosen by the user: a program and its arguments; the page comes last. */
  browser?: readonly string[];
}

/**
 * Opens `url` in the browser through a private page (see the module's
 * documentation), or returns `undefined` when no browser can be opened or
 * the opener fails. The opener's output is discarded: stdout belongs to
 * aec's own output.
 *
 * @throws {CredentialError} if the page directory is not private to this user.
 */
export async function openBrowser(
  url: string,
  env: Env,
  options: OpenOptions = {},
): Promise<OpenedPage | undefined> {
  const wsl = Deno.build.os === "linux" && !options.browser ? wslOpener(env) : false;
  if (!options.browser && !canOpenLocally(env, Deno.build.os, wsl)) return undefined;
  const page = await servePage(url, pageDirectory(env), options.waitMs ?? PAGE_WAIT_MS);
  let success = false;
  try {
    const target = wsl === "interop" && !env.BROWSER?.trim()
      ? await windowsPath(page.path)
      : page.fileUrl;
    const [program, ...args] = openerCommand(
      target,
      env,
      Deno.build.os,
      wsl,
      options.browser,
    )!;
    ({ success } = await new Deno.Command(program!, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output());
  } catch {
    // Not runnable: the same as an opener that failed.
  }
  if (success) return { loaded: page.loaded };
  await page.close();
  return undefined;
}

/** The Windows path of a file of WSL's (`\\wsl.localhost\…`), for Windows' opener. */
async function windowsPath(path: string): Promise<string> {
  const { success, stdout } = await new Deno.Command("wslpath", {
    args: ["-w", path],
    stdin: "null",
    stderr: "null",
  }).output();
  if (!success) throw new Error("wslpath failed");
  return new TextDecoder().decode(stdout).trim();
}

interface ServedPage {
  path: string;
  fileUrl: string;
  loaded: Promise<boolean>;
  /** Removes the page and stops waiting for the browser. */
  close(): Promise<boolean>;
}

/** Writes the page for `url` in `directory` and serves its one-time address. */
async function servePage(url: string, directory: string, waitMs: number): Promise<ServedPage> {
  const visitPath = `/${crypto.randomUUID()}`;
  const loaded = Promise.withResolvers<boolean>();
  let path: string | undefined;
  let finished = false;
  const removeFile = () => {
    if (path === undefined) return;
    try {
      Deno.removeSync(path);
    } catch {
      // Already gone: nothing to clean.
    }
  };
  const finish = async (visited: boolean) => {
    if (!finished) {
      finished = true;
      clearTimeout(timer);
      globalThis.removeEventListener("unload", removeFile);
      removeFile();
      await server.shutdown();
      loaded.resolve(visited);
    }
    return await loaded.promise;
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => {
      if (finished || request.method !== "GET" || new URL(request.url).pathname !== visitPath) {
        return new Response("Not found", { status: 404 });
      }
      // The shutdown lets this answer go out first.
      void finish(true);
      const headers = { "cache-control": "no-store", "referrer-policy": "no-referrer" };
      // A browser follows a redirect to the web only; another link, from a page.
      if (!/^https?:/i.test(url)) {
        return new Response(redirectPage(url), {
          headers: { ...headers, "content-type": "text/html; charset=utf-8" },
        });
      }
      return new Response(null, { status: 302, headers: { ...headers, location: url } });
    },
  );
  const timer = setTimeout(() => void finish(false), waitMs);
  try {
    await ensurePrivateDirectory(directory);
    await removeStalePages(directory);
    path = `${directory}/${crypto.randomUUID()}.html`;
    // For an aec that exits before the browser came (an error, Ctrl-C while signing in).
    globalThis.addEventListener("unload", removeFile);
    // createNew is O_EXCL: nothing already there is followed or replaced.
    await Deno.writeTextFile(
      path,
      redirectPage(`http://127.0.0.1:${server.addr.port}${visitPath}`),
      { createNew: true, mode: 0o600 },
    );
  } catch (error) {
    await finish(false);
    if (error instanceof CredentialError) throw error;
    throw new CredentialError(
      `Could not write the browser's sign-in page in ${directory}: ${messageOf(error)}`,
    );
  }
  return {
    path,
    fileUrl: pathToFileURL(path).href,
    loaded: loaded.promise,
    close: () => finish(false),
  };
}

/**
 * A page that sends the browser on to `target` at once. A refresh, not a
 * script: it works without scripts, and a script's navigation racing the
 * refresh would visit the one-time address twice.
 */
export function redirectPage(target: string): string {
  const attribute = escapeHtml(target);
  return `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0; url=${attribute}">
<title>aec: signing in</title>
</head>
<body>
<p><a href="${attribute}">Continue to sign in</a></p>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Makes `directory` (0700) if it is missing, and refuses one that is not a
 * directory of this user's that only they can enter: another user could
 * read or swap the page there.
 *
 * @throws {CredentialError} if it is a symlink, another user's, or open to others.
 */
async function ensurePrivateDirectory(directory: string): Promise<void> {
  await Deno.mkdir(directory, { recursive: true, mode: 0o700 });
  const info = await Deno.lstat(directory);
  const refuse = (why: string) =>
    new CredentialError(
      `${directory} ${why}; aec puts sign-in pages for the browser only in a private directory`,
    );
  if (info.isSymlink) throw refuse("is a symlink");
  if (!info.isDirectory) throw refuse("is not a directory");
  if (info.uid !== null && info.uid !== Deno.uid()) throw refuse("belongs to another user");
  if (info.mode !== null && (info.mode & 0o077) !== 0) {
    throw refuse(`has mode ${(info.mode & 0o777).toString(8)}, open to other users`);
  }
}

/** Removes the pages that aecs which were killed left behind. */
async function removeStalePages(directory: string): Promise<void> {
  const cutoff = Date.now() - STALE_PAGE_MS;
  for await (const { name } of Deno.readDir(directory)) {
    if (!PAGE_NAME.test(name)) continue;
    const path = `${directory}/${name}`;
    const info = await Deno.lstat(path).catch(() => undefined);
    if (info?.isFile && (info.mtime?.getTime() ?? Infinity) <= cutoff) {
      await Deno.remove(path).catch(() => {});
    }
  }
}
