import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { unifiedDiff } from "../lib/output/unified_diff.ts";

/** `before` with the hunks of `diff` applied, as patch(1) applies them. */
function applyDiff(before: string, diff: string): string {
  const lines = before.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const out: string[] = [];
  let at = 0;
  const diffLines = diff.split("\n").slice(2, -1);
  for (let index = 0; index < diffLines.length; index++) {
    const line = diffLines[index]!;
    const hunk = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(line);
    if (hunk) {
      const start = Number(hunk[1]) - (hunk[2] === "0" ? 0 : 1);
      out.push(...lines.slice(at, start));
      at = start;
      continue;
    }
    const noEol = diffLines[index + 1] === "\\ No newline at end of file";
    const text = line.slice(1) + (noEol ? "" : "\n");
    if (noEol) index++;
    if (line[0] === "+") {
      out.push(text);
    } else {
      assert.equal(lines[at], text, `line ${at + 1} of the diff's source`);
      if (line[0] === " ") out.push(text);
      at++;
    }
  }
  return out.join("") + lines.slice(at).join("");
}

Deno.test("unifiedDiff() prints what diff -u prints", () => {
  assert.equal(unifiedDiff("a\n", "a\n", "f"), "");
  assert.equal(unifiedDiff("", "a\nb\n", "f"), "--- f\n+++ f\n@@ -0,0 +1,2 @@\n+a\n+b\n");
  assert.equal(
    unifiedDiff("a\nb\n", "a\nc", "f"),
    "--- f\n+++ f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n",
  );
  const numbers = Array.from({ length: 20 }, (_, index) => `${index + 1}\n`);
  const changed = numbers.with(1, "two\n").with(17, "eighteen\n");
  assert.equal(
    unifiedDiff(numbers.join(""), changed.join(""), "f"),
    "--- f\n+++ f\n@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n" +
      "@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n",
  );
  // Changes six lines apart share a hunk.
  const close = numbers.with(1, "two\n").with(8, "nine\n");
  assert.match(unifiedDiff(numbers.join(""), close.join(""), "f"), /^@@ -1,12 \+1,12 @@$/m);
});

Deno.test("unifiedDiff() matches sections on their unique headers", () => {
  const before = "[profile a]\nk = 1\n\n[profile b]\nk = 1\n";
  const after = "[profile a]\nk = 1\n\n[profile new]\nk = 1\n\n[profile b]\nk = 2\n";
  assert.equal(
    unifiedDiff(before, after, "config"),
    "--- config\n+++ config\n@@ -1,5 +1,8 @@\n [profile a]\n k = 1\n \n" +
      "+[profile new]\n+k = 1\n+\n [profile b]\n-k = 1\n+k = 2\n",
  );
});

Deno.test("unifiedDiff() gives a diff that turns the first text into the second", () => {
  const text = fc.array(fc.constantFrom("a\n", "b\n", "[x]\n", "[y]\n", "\n", "k = 1\n", "z"), {
    maxLength: 30,
  }).map((lines) => lines.join(""));
  fc.assert(
    fc.property(text, text, (before, after) => {
      const diff = unifiedDiff(before, after, "f");
      assert.equal(diff === "", before === after);
      if (diff !== "") assert.equal(applyDiff(before, diff), after);
    }),
    { numRuns: 500 },
  );
});
