/**
 * Fuzzy matching for `aec pick`: a query matches a text when its characters
 * appear in the text in order (case-insensitive), and matches that run
 * together or start words rank first, as in fzf.
 *
 * @module
 */

/** How well `query` matches `text`: a higher number is better; `undefined` for no match. */
export function fuzzyScore(query: string, text: string): number | undefined {
  if (query === "") return 0;
  const needle = query.toLowerCase();
  const haystack = text.toLowerCase();
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const char of needle) {
    const at = haystack.indexOf(char, from);
    if (at === -1) return undefined;
    score += 1;
    if (at === previous + 1) score += 4;
    if (at === 0 || /[^a-z0-9]/.test(haystack[at - 1]!)) score += 3;
    previous = at;
    from = at + 1;
  }
  // An exact or prefix match beats a scattered one of the same length.
  if (haystack === needle) score += 20;
  else if (haystack.startsWith(needle)) score += 10;
  return score - (haystack.length - needle.length) / 100;
}

/** Something to pick, with the texts a query may match (the first weighs most). */
export interface Choice {
  name: string;
  fields: readonly string[];
}

/**
 * The choices that match `query`, best first; ties keep their order. Every
 * word of the query must match some field (`prod admin` finds the admin role
 * of a prod account).
 */
export function rankChoices<T extends Choice>(choices: readonly T[], query: string): T[] {
  const words = query.trim().split(/\s+/).filter((word) => word !== "");
  if (words.length === 0) return [...choices];
  const scored: { choice: T; score: number; index: number }[] = [];
  choices.forEach((choice, index) => {
    let total = 0;
    for (const word of words) {
      let best: number | undefined;
      choice.fields.forEach((field, rank) => {
        const score = fuzzyScore(word, field);
        // The name counts a little more than the account or role.
        if (score !== undefined) best = Math.max(best ?? -Infinity, score + (rank === 0 ? 1 : 0));
      });
      if (best === undefined) return;
      total += best;
    }
    scored.push({ choice, score: total, index });
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map(({ choice }) => choice);
}
