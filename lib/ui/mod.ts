/**
 * What aec shows a person at a terminal or in a browser: prompts, the browser
 * opener, fuzzy matching for `aec pick`, a progress line. The browser opener
 * imports node:url, so nothing on the cache hit's path imports this folder.
 */

export * from "./browser.ts";
export * from "./fuzzy.ts";
export * from "./progress_line.ts";
export * from "./terminal.ts";
