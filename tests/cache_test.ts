import assert from "node:assert/strict";
import { defaultCachePath } from "../lib/caches/aec_cache.ts";

Deno.test("defaultCachePath() uses each platform's cache directory", () => {
  assert.equal(defaultCachePath("dev", { HOME: "/h" }, "linux"), "/h/.cache/aec/dev.json");
  assert.equal(
    defaultCachePath("dev", { HOME: "/h", XDG_CACHE_HOME: "/x" }, "linux"),
    "/x/aec/dev.json",
  );
  assert.equal(defaultCachePath("dev", { HOME: "/h" }, "darwin"), "/h/Library/Caches/aec/dev.json");
  assert.equal(
    defaultCachePath("dev", { LOCALAPPDATA: "C:\\L" }, "windows"),
    "C:\\L\\aec\\cache\\dev.json",
  );
});

Deno.test("defaultCachePath() percent-encodes each UTF-8 byte of unusual names", () => {
  assert.equal(
    defaultCachePath("a b/\u00fc", { HOME: "/h" }, "linux"),
    "/h/.cache/aec/a%20b%2F%C3%BC.json",
  );
  assert.notEqual(
    defaultCachePath(" 2d", { HOME: "/h" }, "linux"),
    defaultCachePath("\u202d", { HOME: "/h" }, "linux"),
  );
});
