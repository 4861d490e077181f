import assert from "node:assert/strict";
import { canOpenLocally, openerCommand } from "../lib/browser.ts";

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
  assert.deepEqual(openerCommand(URL, desktop, "linux", true), ["wslview", URL]);
});

Deno.test("canOpenLocally() is false over SSH and on Linux without a display", () => {
  assert.equal(canOpenLocally({ SSH_CONNECTION: "1.2.3.4 5 6.7.8.9 22" }, "darwin"), false);
  assert.equal(canOpenLocally({ SSH_TTY: "/dev/pts/1", DISPLAY: ":0" }, "linux"), false);
  assert.equal(canOpenLocally({ WAYLAND_DISPLAY: "wayland-0" }, "linux"), true);
  assert.equal(canOpenLocally({ SSH_TTY: "/dev/pts/1", BROWSER: "lynx" }, "linux"), true);
  assert.equal(openerCommand(URL, { SSH_TTY: "/dev/pts/1" }, "darwin"), undefined);
});
