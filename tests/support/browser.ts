/**
 * A stand-in for the user's browser, for `BROWSER`: fetches the URL it is
 * given and follows redirects on this machine (to aec's loopback callback),
 * as a browser would after the user signed in. Exits 0 when the last page
 * answered 2xx, or sent it on to another host (the real AWS console, which a
 * test cannot reach): there a browser would show the page.
 *
 * With `FAKE_BROWSER=forge-state`, it first visits the callback with a forged
 * `state`, as another local page could, and writes that answer's status to
 * the file `FAKE_BROWSER_LOG` before going on.
 */

const url = Deno.args.at(-1);
if (!url) Deno.exit(2);
if (Deno.env.get("FAKE_BROWSER") === "forge-state") {
  const redirect = await fetch(url, { redirect: "manual" });
  await redirect.body?.cancel();
  const callback = new URL(redirect.headers.get("location") ?? "");
  const forged = new URL(callback);
  forged.searchParams.set("state", "forged");
  forged.searchParams.set("code", "forged-code");
  const answer = await fetch(forged);
  await answer.body?.cancel();
  await Deno.writeTextFile(Deno.env.get("FAKE_BROWSER_LOG")!, String(answer.status));
  const real = await fetch(callback);
  await real.body?.cancel();
  Deno.exit(real.ok ? 0 : 1);
}
let page = new URL(url);
let response = await fetch(page, { redirect: "manual" });
while (response.status >= 300 && response.status < 400) {
  await response.body?.cancel();
  page = new URL(response.headers.get("location") ?? "", page);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(page.hostname)) Deno.exit(0);
  response = await fetch(page, { redirect: "manual" });
}
await response.body?.cancel();
Deno.exit(response.ok ? 0 : 1);
