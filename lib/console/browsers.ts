/**
 * The browser a user names for `aec console` (`--browser`, or a profile's
 * `aec_browser`), with one of its own profiles (`--browser-profile`,
 * `aec_browser_profile`): the command that opens a page in it.
 *
 * @module
 */

import { CredentialError, findProgram, isExecutableFile, UsageError } from "../support/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;
type Os = typeof Deno.build.os;

/** How a browser is told which of its profiles to use. */
type Family = "firefox" | "chromium" | "safari";

interface KnownBrowser {
  family: Family;
  /** Program names on PATH (Linux and other Unix). */
  programs: string[];
  /** The program inside the application bundle, on macOS. */
  app?: string;
  /** Where it is installed under Program Files or LocalAppData, on Windows. */
  windows?: string;
}

const BROWSERS: Readonly<Record<string, KnownBrowser>> = {
  firefox: {
    family: "firefox",
    programs: ["firefox"],
    app: "Firefox.app/Contents/MacOS/firefox",
    windows: "Mozilla Firefox\\firefox.exe",
  },
  chrome: {
    family: "chromium",
    programs: ["google-chrome", "google-chrome-stable"],
    app: "Google Chrome.app/Contents/MacOS/Google Chrome",
    windows: "Google\\Chrome\\Application\\chrome.exe",
  },
  chromium: {
    family: "chromium",
    programs: ["chromium", "chromium-browser"],
    app: "Chromium.app/Contents/MacOS/Chromium",
    windows: "Chromium\\Application\\chrome.exe",
  },
  edge: {
    family: "chromium",
    programs: ["microsoft-edge", "microsoft-edge-stable"],
    app: "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    windows: "Microsoft\\Edge\\Application\\msedge.exe",
  },
  brave: {
    family: "chromium",
    programs: ["brave-browser", "brave"],
    app: "Brave Browser.app/Contents/MacOS/Brave Browser",
    windows: "BraveSoftware\\Brave-Browser\\Application\\brave.exe",
  },
  safari: { family: "safari", programs: [] },
};

/** The browser names aec knows, for messages and docs. */
export const BROWSER_NAMES: readonly string[] = Object.keys(BROWSERS);

export interface BrowserChoice {
  /** A name of {@linkcode BROWSER_NAMES}, another program on PATH, or a program's path. */
  browser: string;
  /** The browser's own profile: Firefox's profile name, Chrome's profile directory. */
  profile?: string;
}

/**
 * The program and arguments that open a page (its URL to come last) in the
 * chosen browser, with its profile.
 *
 * @throws {UsageError} for a browser profile with a browser that takes none.
 * @throws {CredentialError} when the browser is not installed where looked for.
 */
export function browserCommand(choice: BrowserChoice, env: Env, os: Os = Deno.build.os): string[] {
  const known = Object.hasOwn(BROWSERS, choice.browser.toLowerCase())
    ? BROWSERS[choice.browser.toLowerCase()]!
    : undefined;
  if (known?.family === "safari") {
    if (os !== "darwin") throw new UsageError("--browser safari works only on macOS");
    if (choice.profile !== undefined) {
      throw new UsageError("Safari has no profiles aec can choose; leave out the browser profile");
    }
    return ["open", "-a", "Safari"];
  }
  const program = known ? findKnown(choice.browser.toLowerCase(), known, env, os) : choice.browser;
  if (!known && !isPath(program) && !findProgram(program, env, os)) {
    throw new CredentialError(
      `No browser program ${program} was found on PATH`,
      undefined,
      `give --browser a path, or one of ${BROWSER_NAMES.join(", ")}`,
    );
  }
  if (choice.profile === undefined) return [program];
  const family = known?.family ?? familyOf(program);
  if (family === "firefox") return [program, "-P", choice.profile];
  if (family === "chromium") return [program, `--profile-directory=${choice.profile}`];
  throw new UsageError(
    `A browser profile works with Firefox and Chromium browsers; aec cannot tell what ${program} is`,
  );
}

/** The installed program of a known browser. */
function findKnown(name: string, known: KnownBrowser, env: Env, os: Os): string {
  const candidates = os === "darwin"
    ? [`/Applications/${known.app}`, `${env.HOME}/Applications/${known.app}`]
    : os === "windows"
    ? [env.ProgramFiles, env["ProgramFiles(x86)"], env.LOCALAPPDATA].filter(Boolean)
      .map((root) => `${root}\\${known.windows}`)
    : [];
  const found = candidates.find((path) => isExecutableFile(path, os === "windows")) ??
    known.programs.map((program) => findProgram(program, env, os)).find(Boolean);
  if (found === undefined) {
    throw new CredentialError(
      `${name} was not found (looked for ${[...candidates, ...known.programs].join(", ")})`,
      undefined,
      "give --browser the browser program's path",
    );
  }
  return found;
}

function isPath(program: string): boolean {
  return program.includes("/") || program.includes("\\");
}

/** The family of a browser given by its program, from the program's name. */
function familyOf(program: string): Family | undefined {
  const name = program.split(/[/\\]/).at(-1)!.toLowerCase();
  if (/firefox|librewolf|waterfox/.test(name)) return "firefox";
  if (/chrom|msedge|edge|brave|vivaldi|opera/.test(name)) return "chromium";
  return undefined;
}
