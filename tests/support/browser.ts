/**
 * A stand-in for the user's browser, for `BROWSER`: opens the URL it is
 * given, a `file:` page of aec's whose refresh it follows, then follows
 * redirects on this machine (to aec's loopback callback), as a browser would
 * after the user signed in. Exits 0
 * when the last page answered 2xx, or sent it on to another host (the real
 * AWS console, which a test cannot reach): there a browser would show the page.
 *
 * With `FAKE_BROWSER_RECORD`, it writes to that file, as JSON, its argv, the
 * page file as it found it (`text`, `mode`, `directory`, `directoryMode`),
 * every URL it visited, and the last page it got (`landing`), when it was
 * HTML.
 *
 * With `FAKE_BROWSER_COUNT`, it appends a line to that file each time it runs.
 *
 * With `FAKE_BROWSER=forge-state`, it first visits the callback with a forged
 * `state`, as another local page could, and writes that answer's status to
 * the file `FAKE_BROWSER_LOG` before going on.
 */

import { fileURLToPath } from "node:url";

const given = Deno.args.at(-1);
if (!given) Deno.exit(2);
const visited: string[] = [];
const record: Record<string, unknown> = { argv: Deno.args, visited };
const recordPath = Deno.env.get("FAKE_BROWSER_RECORD");
const countPath = Deno.env.get("FAKE_BROWSER_COUNT");
if (countPath) await Deno.writeTextFile(countPath, "opened\n", { append: true });

async function finish(code: number): Promise<never> {
  if (recordPath) await Deno.writeTextFile(recordPath, JSON.stringify(record));
  Deno.exit(code);
}

async function visit(url: URL): Promise<Response> {
  visited.push(url.href);
  return await fetch(url, { redirect: "manual" });
}

let start = new URL(given);
if (start.protocol === "file:") {
  const path = fileURLToPath(start);
  const directory = path.slice(0, path.lastIndexOf("/"));
  const text = await Deno.readTextFile(path);
  record.page = {
    text,
    directory,
    mode: (await Deno.stat(path)).mode! & 0o777,
    directoryMode: (await Deno.stat(directory)).mode! & 0o777,
  };
  const refresh = /<meta http-equiv="refresh" content="0; url=([^"]*)">/.exec(text)?.[1];
  if (refresh === undefined) await finish(3);
  start = new URL(refresh!.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))));
}

if (Deno.env.get("FAKE_BROWSER") === "forge-state") {
  const redirect = await visit(start);
  await redirect.body?.cancel();
  const authorize = new URL(redirect.headers.get("location") ?? "");
  const toCallback = await visit(authorize);
  await toCallback.body?.cancel();
  const callback = new URL(toCallback.headers.get("location") ?? "");
  const forged = new URL(callback);
  forged.searchParams.set("state", "forged");
  forged.searchParams.set("code", "forged-code");
  const answer = await fetch(forged);
  await answer.body?.cancel();
  await Deno.writeTextFile(Deno.env.get("FAKE_BROWSER_LOG")!, String(answer.status));
  const real = await fetch(callback);
  await real.body?.cancel();
  await finish(real.ok ? 0 : 1);
}
let page = start;
let response = await visit(page);
while (response.status >= 300 && response.status < 400) {
  await response.body?.cancel();
  page = new URL(response.headers.get("location") ?? "", page);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(page.hostname)) await finish(0);
  response = await visit(page);
}
if (response.headers.get("content-type")?.startsWith("text/html")) {
  record.landing = await response.text();
} else {
  await response.body?.cancel();
}
await finish(response.ok ? 0 : 1);
