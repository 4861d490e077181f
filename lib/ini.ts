/**
 * A small, lossless INI reader and editor for the AWS shared credentials and
 * config files. It reads them the way the AWS SDK for JavaScript does, and
 * edits them without changing a byte it was not asked to change.
 *
 * The syntax, as the SDK reads it:
 * - `[name]` starts a section. The name is everything between the brackets,
 *   spaces and dots included. Lines before the first section belong to none.
 * - `key = value` sets a key of the current section. Whitespace around the key
 *   and the value is trimmed; keys are case-sensitive; a repeated key keeps its
 *   last value. The value may contain `=`.
 * - `#` or `;` at the start of a line or after whitespace starts a comment,
 *   also after a header or a value (`[name] # note`, `key = value ; note`).
 * - `key =` with nothing after it opens a sub-section: the indented
 *   `child = value` lines after it read as the key `key.child`.
 * - Lines end with LF or CRLF.
 * - A section name that appears twice reads as one section with the keys of
 *   both, the later ones winning.
 *
 * @module
 */

/** A section of an INI file and the keys it sets. */
export interface IniSection {
  /** The name between the brackets, exactly as written. */
  name: string;
  /** The keys in file order, each with its last value. */
  entries: Record<string, string>;
}

interface RawLine {
  /** The line without its line ending. */
  text: string;
  /** `"\n"`, `"\r\n"`, or `""` for a last line without one. */
  eol: string;
}

type Line =
  & RawLine
  & (
    | { kind: "header"; name: string }
    /** `key = value`, the value at `text.slice(start, end)`. */
    | { kind: "entry"; key: string; start: number; end: number }
    /** `key =`, which opens a sub-section. */
    | { kind: "opener" }
    /** A blank line, a comment, or text that sets nothing. */
    | { kind: "other" }
  );

/** A line on its own: a header, a key with its value, or neither. */
type Parsed =
  | { kind: "header"; name: string }
  | { kind: "key"; key: string; value: string; start: number; indented: boolean }
  | { kind: "other" };

// The SDK's rule: a comment starts at `#` or `;` at the start of the line or
// after whitespace, so `a#b` is a value and `a #b` is `a`.
const COMMENT = /(?:^|\s)[#;]/;
const LINE_BREAK = /[\r\n]/;

// Generators, so that reading a large file never holds all of its lines at once.
function* splitLines(text: string): Generator<RawLine> {
  let start = 0;
  while (start < text.length) {
    const lf = text.indexOf("\n", start);
    if (lf === -1) {
      yield { text: text.slice(start), eol: "" };
      break;
    }
    const crlf = lf > start && text[lf - 1] === "\r";
    yield { text: text.slice(start, crlf ? lf - 1 : lf), eol: crlf ? "\r\n" : "\n" };
    start = lf + 1;
  }
}

function parseLine(text: string): Parsed {
  const comment = COMMENT.exec(text);
  const body = comment ? text.slice(0, comment.index) : text;
  const trimmed = body.trim();
  if (trimmed.startsWith("[") && trimmed.endsWith("]")) {
    return { kind: "header", name: trimmed.slice(1, -1) };
  }
  // A line starting with `=` sets nothing, as in the SDK.
  if (trimmed.indexOf("=") <= 0) return { kind: "other" };
  // The first `=` of the line is the first of `trimmed`: both start before any comment.
  const equals = body.indexOf("=");
  const afterEquals = body.slice(equals + 1);
  const value = afterEquals.trim();
  return {
    kind: "key",
    key: body.slice(0, equals).trim(),
    value,
    start: equals + 1 + afterEquals.length - afterEquals.trimStart().length,
    indented: text.trimStart() !== text,
  };
}

/** Every line of `text`, with keys resolved through sections and sub-sections. */
function* scan(text: string): Generator<Line> {
  let inSection = false;
  let parent: string | undefined;
  for (const raw of splitLines(text)) {
    const parsed = parseLine(raw.text);
    if (parsed.kind === "header") {
      inSection = true;
      parent = undefined;
      yield { ...raw, kind: "header", name: parsed.name };
    } else if (parsed.kind === "key" && inSection && parsed.value === "") {
      parent = parsed.key;
      yield { ...raw, kind: "opener" };
    } else if (parsed.kind === "key" && inSection) {
      // As in the SDK, only an unindented key with a value closes a sub-section.
      if (!parsed.indented) parent = undefined;
      yield {
        ...raw,
        kind: "entry",
        key: parent === undefined ? parsed.key : `${parent}.${parsed.key}`,
        start: parsed.start,
        end: parsed.start + parsed.value.length,
      };
    } else {
      yield { ...raw, kind: "other" };
    }
  }
}

/**
 * The sections of `text` in file order, only those whose name `wanted` accepts;
 * a repeated section name appears each time.
 */
export function parseIni(
  text: string,
  wanted: (name: string) => boolean = () => true,
): IniSection[] {
  const sections: { name: string; entries: Map<string, string> }[] = [];
  let entries: Map<string, string> | undefined;
  for (const line of scan(text)) {
    if (line.kind === "header") {
      entries = wanted(line.name) ? new Map() : undefined;
      if (entries) sections.push({ name: line.name, entries });
    } else if (line.kind === "entry") {
      entries?.set(line.key, line.text.slice(line.start, line.end));
    }
  }
  // fromEntries defines own properties, so even a key `__proto__` stays a key.
  return sections.map(({ name, entries }) => ({ name, entries: Object.fromEntries(entries) }));
}

/**
 * The keys of section `name`, or `undefined` when `text` has no such section.
 * A section that appears more than once reads as one, the later keys winning.
 */
export function readSection(text: string, name: string): Record<string, string> | undefined {
  const sections = parseIni(text, (section) => section === name);
  if (sections.length === 0) return undefined;
  return Object.fromEntries(sections.flatMap((section) => Object.entries(section.entries)));
}

/**
 * `text` with the keys in `set` set and the keys in `remove` removed in
 * `section`, and every other byte unchanged.
 *
 * - A key the section has keeps its line and its formatting; only the value
 *   changes. A key written more than once is changed everywhere.
 * - A key the section lacks goes on a new `key = value` line after the last key
 *   of the section, so that comments and blank lines before the next section
 *   stay there.
 * - A missing section is appended with its keys, after a blank line; with
 *   nothing to set, a missing section stays missing.
 * - If `section` appears more than once, only the first is edited.
 * - New lines use the file's dominant line ending, and a file without a final
 *   line ending keeps lacking one.
 *
 * @throws {TypeError} if the section name or a key or value in `set` would not
 * read back unchanged (a line break, surrounding spaces, an inline comment, an
 * empty value), or if a key is in both `set` and `remove`.
 */
export function updateSection(
  text: string,
  section: string,
  set: Record<string, string>,
  remove: string[],
): string {
  validate(section, set, remove);
  const lines = [...scan(text)];
  const eol = dominantEol(lines);
  const header = lines.findIndex((line) => line.kind === "header" && line.name === section);
  if (header === -1) return appendSection(text, lines, eol, section, set);

  const next = lines.findIndex((line, index) => index > header && line.kind === "header");
  const end = next === -1 ? lines.length : next;
  let lastKey = header;
  const present = new Set<string>();
  for (let index = header + 1; index < end; index++) {
    const line = lines[index]!;
    if (line.kind === "entry" || line.kind === "opener") lastKey = index;
    if (line.kind === "entry") present.add(line.key);
  }
  const added = Object.keys(set).filter((key) => !present.has(key));

  const out: RawLine[] = [];
  for (const [index, line] of lines.entries()) {
    const ours = index > header && index < end && line.kind === "entry";
    if (!ours) {
      out.push({ text: line.text, eol: line.eol });
    } else if (Object.hasOwn(set, line.key)) {
      const value = set[line.key];
      out.push({
        text: line.text.slice(0, line.start) + value + line.text.slice(line.end),
        eol: line.eol,
      });
    } else if (!remove.includes(line.key)) {
      out.push({ text: line.text, eol: line.eol });
    }
    if (index === lastKey) {
      for (const key of added) out.push({ text: `${key} = ${set[key]}`, eol });
    }
  }
  // A line that was last without a line ending may no longer be last, and a
  // removed or added line may now be last.
  for (const line of out.slice(0, -1)) if (line.eol === "") line.eol = eol;
  const last = out.at(-1);
  if (last && lines.at(-1)?.eol === "") last.eol = "";
  return out.map((line) => line.text + line.eol).join("");
}

function appendSection(
  text: string,
  lines: Line[],
  eol: string,
  section: string,
  set: Record<string, string>,
): string {
  const entries = Object.entries(set);
  if (entries.length === 0) return text;
  const last = lines.at(-1);
  const block = [`[${section}]`, ...entries.map(([key, value]) => `${key} = ${value}`)].join(eol);
  if (last === undefined) return block + eol;
  const terminate = last.eol === "" ? eol : "";
  const gap = last.text.trim() === "" ? "" : eol;
  // Keep a missing final line ending missing.
  return text + terminate + gap + block + (last.eol === "" ? "" : eol);
}

function dominantEol(lines: RawLine[]): string {
  let crlf = 0;
  let lf = 0;
  for (const line of lines) {
    if (line.eol === "\r\n") crlf++;
    else if (line.eol === "\n") lf++;
  }
  return crlf > lf ? "\r\n" : "\n";
}

function validate(section: string, set: Record<string, string>, remove: string[]): void {
  const header = parseLine(`[${section}]`);
  if (
    section === "" || LINE_BREAK.test(section) || header.kind !== "header" ||
    header.name !== section
  ) {
    throw new TypeError(`Section name ${JSON.stringify(section)} would not read back unchanged`);
  }
  for (const [key, value] of Object.entries(set)) {
    if (remove.includes(key)) throw new TypeError(`Key ${key} is both set and removed`);
    // The value is left out of messages: it is usually a secret.
    if (LINE_BREAK.test(key) || LINE_BREAK.test(value)) {
      throw new TypeError(`Key ${JSON.stringify(key)} or its value contains a line break`);
    }
    const line = parseLine(`${key} = ${value}`);
    if (line.kind !== "key" || line.key !== key || line.value !== value || value === "") {
      throw new TypeError(`Key ${JSON.stringify(key)} and its value would not read back unchanged`);
    }
  }
}
