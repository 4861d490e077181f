import assert from "node:assert/strict";
import {
  canOpenLocally,
  openBrowser,
  openerCommand,
  pageDirectory,
  redirectPage,
} from "../lib/ui/browser.ts";
import { CredentialError } from "../lib/support/errors.ts";
import { REPO_ROOT } from "./support/sandbox.ts";

const URL = "https://example.com/a?b=1&c=2";

Deno.test("openerCommand() runs BROWSER without a shell, the URL at %s or last", () => {
  assert.deepEqual(openerCommand(URL, { BROWSER: "firefox --new-tab" }), [
    "firefox",
    "--new-tab",
    URL,
  ]);
  assert.deepEqual(openerCommand(URL, { BROWSER: "open-url --url=%s --now" }), [
    "open-url",
    `--url=${URL}`,
    "--now",
  ]);
});

Deno.test("openerCommand() uses each OS's opener, never cmd /c start", () => {
  const desktop = { DISPLAY: ":0" };
  assert.deepEqual(openerCommand(URL, {}, "darwin"), ["open", URL]);
  assert.deepEqual(openerCommand(URL, {}, "windows"), [
    "rundll32",
    "url.dll,FileProtocolHandler",
    URL,
  ]);
  assert.deepEqual(openerCommand(URL, desktop, "linux"), ["xdg-open", URL]);
  assert.deepEqual(openerCommand(URL, desktop, "linux", "wslview"), ["wslview", URL]);
});

Deno.test("openerCommand() runs the browser chosen before BROWSER, and Windows' opener from WSL", () => {
  const chosen = ["/usr/bin/firefox", "-P", "work"];
  assert.deepEqual(
    openerCommand(URL, { BROWSER: "lynx", SSH_TTY: "/dev/pts/1" }, "linux", false, chosen),
    [
      ...chosen,
      URL,
    ],
  );
  // WSL with neither a display nor wslview: Windows' rundll32 through interop.
  assert.deepEqual(openerCommand(URL, {}, "linux", "interop"), [
    "/mnt/c/Windows/System32/rundll32.exe",
    "url.dll,FileProtocolHandler",
    URL,
  ]);
  // WSL without any way to the Windows browser, and no display: nothing here can open it.
  assert.equal(openerCommand(URL, {}, "linux", false), undefined);
  assert.equal(canOpenLocally({}, "linux", "interop"), true);
  assert.equal(canOpenLocally({}, "linux", false), false);
});

Deno.test("canOpenLocally() is false over SSH and on Linux without a display", () => {
  assert.equal(canOpenLocally({ SSH_CONNECTION: "1.2.3.4 5 6.7.8.9 22" }, "darwin"), false);
  assert.equal(canOpenLocally({ SSH_TTY: "/dev/pts/1", DISPLAY: ":0" }, "linux"), false);
  assert.equal(canOpenLocally({ WAYLAND_DISPLAY: "wayland-0" }, "linux"), true);
  assert.equal(canOpenLocally({ SSH_TTY: "/dev/pts/1", BROWSER: "lynx" }, "linux"), true);
  assert.equal(openerCommand(URL, { SSH_TTY: "/dev/pts/1" }, "darwin"), undefined);
});

const FAKE_BROWSER = `${REPO_ROOT}tests/support/browser.ts`;
// File modes, owners and shell scripts as BROWSER: POSIX only.
const posix = Deno.build.os !== "windows";

/** A temporary XDG_RUNTIME_DIR, so that the pages go to `${dir}/aec`. */
async function withRuntimeDir(body: (dir: string) => Promise<void> | void) {
  const dir = await Deno.makeTempDir({ prefix: "aec-runtime-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function pagesIn(directory: string): Promise<string[]> {
  const names = [];
  for await (const { name } of Deno.readDir(directory)) names.push(name);
  return names.sort();
}

/** A server standing for a sign-in page, whose URL carries a secret. */
function signinServer() {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) =>
      new globalThis.URL(request.url).searchParams.get("token") === "s3cret"
        ? new Response("signed in")
        : new Response("no", { status: 403 }),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/signin?token=s3cret&next=%2Fhome`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test({
  name: "openBrowser() hands the opener a private page, never the URL",
  ignore: !posix,
  fn: async () => {
    await withRuntimeDir(async (runtime) => {
      await using signin = signinServer();
      const record = `${runtime}/record.json`;
      const wrapper = `${runtime}/browser.sh`;
      await Deno.writeTextFile(
        wrapper,
        `#!/bin/sh\nFAKE_BROWSER_RECORD='${record}' exec '${Deno.execPath()}' run -A --quiet ` +
          `'${FAKE_BROWSER}' "$@"\n`,
      );
      await Deno.chmod(wrapper, 0o755);
      const page = await openBrowser(signin.url, { BROWSER: wrapper, XDG_RUNTIME_DIR: runtime });
      assert.ok(page, "the opener failed");
      assert.equal(await page.loaded, true);
      const seen = JSON.parse(await Deno.readTextFile(record));
      assert.equal(seen.argv.length, 1);
      assert.match(seen.argv[0], /^file:\/\/\/.+\.html$/);
      assert.doesNotMatch(seen.argv.join(" "), /s3cret|signin|127\.0\.0\.1/);
      assert.equal(seen.page.directory, `${runtime}/aec`);
      assert.equal(seen.page.mode, 0o600);
      assert.equal(seen.page.directoryMode, 0o700);
      // Not even the page holds the URL: only a one-time address that leads to it.
      assert.doesNotMatch(seen.page.text, /s3cret/);
      assert.equal(seen.visited.at(-1), signin.url);
      assert.deepEqual(await pagesIn(`${runtime}/aec`), [], "the page was left behind");
    });
  },
});

Deno.test({
  name: "openBrowser() removes the page when the browser never comes, and after a failed opener",
  ignore: !posix,
  fn: async () => {
    await withRuntimeDir(async (runtime) => {
      const env = { BROWSER: "true", XDG_RUNTIME_DIR: runtime };
      const page = await openBrowser("https://example.com/?token=s3cret", env, { waitMs: 50 });
      assert.ok(page, "the opener failed");
      assert.equal(await page.loaded, false);
      assert.deepEqual(await pagesIn(`${runtime}/aec`), []);
      const failed = await openBrowser("https://example.com/", { ...env, BROWSER: "false" });
      assert.equal(failed, undefined);
      assert.deepEqual(await pagesIn(`${runtime}/aec`), []);
    });
  },
});

Deno.test({
  name: "openBrowser() removes pages older than a minute, and nothing else",
  ignore: !posix,
  fn: async () => {
    await withRuntimeDir(async (runtime) => {
      const directory = `${runtime}/aec`;
      await Deno.mkdir(directory, { mode: 0o700 });
      const stale = `${crypto.randomUUID()}.html`;
      const fresh = `${crypto.randomUUID()}.html`;
      for (const name of [stale, fresh, "notes.html"]) {
        await Deno.writeTextFile(`${directory}/${name}`, "old");
      }
      const twoMinutesAgo = new Date(Date.now() - 120_000);
      for (const name of [stale, "notes.html"]) {
        await Deno.utime(`${directory}/${name}`, twoMinutesAgo, twoMinutesAgo);
      }
      const page = await openBrowser("https://example.com/", {
        BROWSER: "true",
        XDG_RUNTIME_DIR: runtime,
      }, { waitMs: 50 });
      assert.equal(await page?.loaded, false);
      assert.deepEqual(await pagesIn(directory), [fresh, "notes.html"].sort());
    });
  },
});

Deno.test({
  name: "openBrowser() refuses a page directory that is a symlink or open to others",
  ignore: !posix,
  fn: async () => {
    await withRuntimeDir(async (runtime) => {
      const env = { BROWSER: "true", XDG_RUNTIME_DIR: runtime };
      await Deno.mkdir(`${runtime}/elsewhere`, { mode: 0o700 });
      await Deno.symlink(`${runtime}/elsewhere`, `${runtime}/aec`);
      await assert.rejects(
        openBrowser("https://example.com/", env),
        (error: Error) =>
          error instanceof CredentialError && /aec is a symlink/.test(error.message),
      );
      await Deno.remove(`${runtime}/aec`);
      await Deno.mkdir(`${runtime}/aec`);
      await Deno.chmod(`${runtime}/aec`, 0o755);
      await assert.rejects(
        openBrowser("https://example.com/", env),
        (error: Error) => error instanceof CredentialError && /has mode 755/.test(error.message),
      );
      assert.deepEqual(await pagesIn(`${runtime}/elsewhere`), []);
      assert.deepEqual(await pagesIn(`${runtime}/aec`), []);
    });
  },
});

Deno.test({
  name: "pageDirectory() uses $XDG_RUNTIME_DIR only when it is this user's directory",
  ignore: !posix,
  fn: async () => {
    await withRuntimeDir((runtime) => {
      const home = "/home/someone";
      assert.equal(pageDirectory({ HOME: home, XDG_RUNTIME_DIR: `${runtime}/` }), `${runtime}/aec`);
      for (const other of [undefined, "", "relative", `${runtime}/missing`]) {
        assert.equal(
          pageDirectory({ HOME: home, XDG_RUNTIME_DIR: other }, "linux"),
          `${home}/.cache/aec/pages`,
        );
      }
      assert.equal(pageDirectory({ HOME: home }, "darwin"), `${home}/Library/Caches/aec/pages`);
    });
  },
});

Deno.test("redirectPage() escapes the target in the refresh and the link", () => {
  const target = `https://example.com/?a=1&b="x"&c=<'/p>`;
  const page = redirectPage(target);
  assert.doesNotMatch(page, /"x"|<'/);
  const escaped = "https://example.com/?a=1&#38;b=&#34;x&#34;&#38;c=&#60;&#39;/p&#62;";
  assert.ok(page.includes(`<meta http-equiv="refresh" content="0; url=${escaped}">`), page);
  assert.ok(page.includes(`<a href="${escaped}">`), page);
});

Deno.test({
  name: "openBrowser() refuses a page directory of another user" +
    (Deno.uid() === 0 ? "" : " (ignored: needs root)"),
  ignore: !posix || Deno.uid() !== 0,
  fn: async () => {
    await withRuntimeDir(async (runtime) => {
      await Deno.mkdir(`${runtime}/aec`, { mode: 0o700 });
      await Deno.chown(`${runtime}/aec`, 12345, 12345);
      await assert.rejects(
        openBrowser("https://example.com/", { BROWSER: "true", XDG_RUNTIME_DIR: runtime }),
        (error: Error) =>
          error instanceof CredentialError && /aec belongs to another user/.test(error.message),
      );
      assert.deepEqual(await pagesIn(`${runtime}/aec`), []);
    });
  },
});
