/**
 * A unified diff of two texts, as `diff -u` prints it, for showing an edit
 * before it is made (`aec sso populate --dry-run`). Lines are matched as
 * patience diff matches them: on lines that appear once on each side, section
 * headers (`[…]`) first, then again between those; a small block that has
 * none is diffed exactly (the longest common subsequence).
 *
 * @module
 */

type Op = { kind: " " | "-" | "+"; line: string };

const CONTEXT = 3;

/**
 * The unified diff from `before` to `after` with `label` on both file lines,
 * or "" when they are the same.
 */
export function unifiedDiff(before: string, after: string, label: string): string {
  if (before === after) return "";
  const ops: Op[] = [];
  diffRange(splitLines(before), splitLines(after), ops);
  return `--- ${label}\n+++ ${label}\n${hunks(ops)}`;
}

/** The lines of `text`, each with its "\n" (the last may have none). */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

// A block of at most this many pairs of lines is diffed exactly.
const MAX_EXACT_CELLS = 250_000;
// Past this many nested anchorings (lines moved about, which edits of aec's
// never do), a block is shown as removed and added whole.
const MAX_DEPTH = 64;

/** The operations that turn `a` into `b`, appended to `out`. */
function diffRange(a: readonly string[], b: readonly string[], out: Op[], depth = 0): void {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  for (const line of a.slice(0, start)) out.push({ kind: " ", line });
  const middleA = a.slice(start, endA);
  const middleB = b.slice(start, endB);
  const unique = depth < MAX_DEPTH ? uniqueCommon(middleA, middleB) : [];
  const headers = unique.filter(([atA]) => middleA[atA]!.startsWith("["));
  const small = middleA.length * middleB.length <= MAX_EXACT_CELLS;
  const anchors = longestIncreasing(headers.length > 0 || !small ? headers : unique);
  if (anchors.length === 0 && small) {
    exactDiff(middleA, middleB, out);
  } else if (anchors.length === 0) {
    for (const line of middleA) out.push({ kind: "-", line });
    for (const line of middleB) out.push({ kind: "+", line });
  } else {
    let [fromA, fromB] = [0, 0];
    for (const [atA, atB] of anchors) {
      diffRange(middleA.slice(fromA, atA), middleB.slice(fromB, atB), out, depth + 1);
      out.push({ kind: " ", line: middleA[atA]! });
      [fromA, fromB] = [atA + 1, atB + 1];
    }
    diffRange(middleA.slice(fromA), middleB.slice(fromB), out, depth + 1);
  }
  for (const line of a.slice(endA)) out.push({ kind: " ", line });
}

/** The lines that appear exactly once in `a` and once in `b`, as index pairs sorted by `a`'s. */
function uniqueCommon(a: readonly string[], b: readonly string[]): [number, number][] {
  const counts = new Map<string, { a: number; b: number; atA: number; atB: number }>();
  a.forEach((line, index) => {
    const count = counts.get(line) ?? { a: 0, b: 0, atA: index, atB: -1 };
    count.a++;
    counts.set(line, count);
  });
  b.forEach((line, index) => {
    const count = counts.get(line);
    if (count === undefined) return;
    count.b++;
    count.atB = index;
  });
  return [...counts.values()].filter((count) => count.a === 1 && count.b === 1)
    .map((count): [number, number] => [count.atA, count.atB])
    .sort((x, y) => x[0] - y[0]);
}

/** The operations of a shortest edit from `a` to `b`: removals before additions. */
function exactDiff(a: readonly string[], b: readonly string[], out: Op[]): void {
  const width = b.length + 1;
  // common[i * width + j]: the longest common subsequence of a[i..] and b[j..].
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] = a[i] === b[j]
        ? common[(i + 1) * width + j + 1]! + 1
        : Math.max(common[(i + 1) * width + j]!, common[i * width + j + 1]!);
    }
  }
  let [i, j] = [0, 0];
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push({ kind: " ", line: a[i++]! });
      j++;
    } else if (
      i < a.length && (j === b.length || common[(i + 1) * width + j]! >= common[i * width + j + 1]!)
    ) {
      out.push({ kind: "-", line: a[i++]! });
    } else {
      out.push({ kind: "+", line: b[j++]! });
    }
  }
}

/** The longest subsequence of `pairs` (sorted by their first) increasing in their second. */
function longestIncreasing(pairs: readonly [number, number][]): [number, number][] {
  // Patience sorting: the top of each pile, and each pair's predecessor.
  const tops: number[] = [];
  const previous: number[] = [];
  pairs.forEach(([, second], index) => {
    let low = 0;
    let high = tops.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (pairs[tops[middle]!]![1] < second) low = middle + 1;
      else high = middle;
    }
    previous[index] = low > 0 ? tops[low - 1]! : -1;
    tops[low] = index;
  });
  const result: [number, number][] = [];
  for (let index = tops.at(-1) ?? -1; index !== -1; index = previous[index]!) {
    result.push(pairs[index]!);
  }
  return result.reverse();
}

/** The hunks of `ops`, with CONTEXT lines around each change. */
function hunks(ops: readonly Op[]): string {
  const changed = ops.flatMap((op, index) => op.kind === " " ? [] : [index]);
  let out = "";
  for (let first = 0; first < changed.length;) {
    let last = first;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! <= 2 * CONTEXT + 1) {
      last++;
    }
    const start = Math.max(0, changed[first]! - CONTEXT);
    const end = Math.min(ops.length, changed[last]! + CONTEXT + 1);
    // The lines before the hunk, on each side.
    let [lineA, lineB] = [0, 0];
    for (const op of ops.slice(0, start)) {
      if (op.kind !== "+") lineA++;
      if (op.kind !== "-") lineB++;
    }
    const hunk = ops.slice(start, end);
    const lengthA = hunk.filter((op) => op.kind !== "+").length;
    const lengthB = hunk.filter((op) => op.kind !== "-").length;
    out += `@@ -${range(lineA, lengthA)} +${range(lineB, lengthB)} @@\n`;
    for (const { kind, line } of hunk) {
      out += line.endsWith("\n") ? kind + line : `${kind}${line}\n\\ No newline at end of file\n`;
    }
    first = last + 1;
  }
  return out;
}

/** A hunk's range as diff writes it: `START,LENGTH`, `START` alone for one line. */
function range(before: number, length: number): string {
  if (length === 0) return `${before},0`;
  return length === 1 ? `${before + 1}` : `${before + 1},${length}`;
}
