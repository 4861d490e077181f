/**
 * A small, lossless INI reader and editor for the AWS shared credentials and
 * config files. It reads them the way the AWS SDK for JavaScript does, and
 * edits them without changing a byte it was not asked to change, so that the
 * SDK and botocore (the AWS CLI, boto3) both read the edit.
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
 * - In the credentials file, `[word name]` is no profile: with `profile`,
 *   `sso-session` or `services` as the word it is the section `word.name`,
 *   with any other word the SDK skips the section.
 *
 * botocore reads the same files with Python's configparser, which differs:
 * keys are case-insensitive (`AWS_ACCESS_KEY_ID`), `key: value` sets a key
 * too, only whole lines are comments (`key = value ; note` has the value
 * `value ; note`), a line indented deeper than the key before it continues
 * that key's value, a lone CR ends a line, a repeated section or key is an
 * error for the whole file, and the keys of `[DEFAULT]` belong to every
 * section.
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

/**
 * The keys that the AWS SDK for JavaScript and botocore each read in a section
 * of a credentials file: the SDK's as written, botocore's in lower case and
 * with those of `[DEFAULT]`.
 */
export interface SectionKeys {
  sdk: string[];
  botocore: string[];
}

/**
 * Thrown when the SDK and botocore read the part of a file that an edit
 * touches differently, so that no edit could be right for both.
 */
export class IniLayoutError extends Error {
  override name = "IniLayoutError";
  /** The profile whose section could not be edited, when several were. */
  section?: string;
}

interface RawLine {
  /** The line without its line ending. */
  text: string;
  /** `"\n"`, `"\r\n"`, or `""` for a last line without one. */
  eol: string;
}

/** A line as the SDK reads it. */
export type Line =
  & RawLine
  /** The sub-section open before this line, if any. */
  & { open: string | undefined }
  & (
    | { kind: "header"; name: string }
    /** `key = value`, the value at `text.slice(start, end)`. */
    | { kind: "entry"; key: string; start: number; end: number }
    /** `key =`, which opens a sub-section. */
    | { kind: "opener"; key: string }
    /** A blank line, a comment, or text that sets nothing. */
    | { kind: "other" }
  );

/** A line as botocore's configparser reads it. */
export type BotoLine =
  | { kind: "header"; name: string }
  /** `key = value` or `key: value`, the key in lower case, the value on this line trimmed. */
  | { kind: "option"; key: string; value: string }
  /** A line that continues the value of the option on line `option`. */
  | { kind: "continuation"; option: number }
  /** A blank line or a comment, which changes nothing. */
  | { kind: "skip" }
  /** A line that makes configparser reject the file. */
  | { kind: "error" };

/** A line on its own: a header, a key with its value, or neither. */
type Parsed =
  | { kind: "header"; name: string }
  | { kind: "key"; key: string; value: string; start: number; indented: boolean }
  | { kind: "other" };

// The SDK's rule: a comment starts at `#` or `;` at the start of the line or
// after whitespace, so `a#b` is a value and `a #b` is `a`.
const COMMENT = /(?:^|\s)[#;]/;
const LINE_BREAK = /[\r\n]/;
// The SDK's `[word name]` and the words it knows.
const PREFIXED = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;
const SECTION_TYPES = ["profile", "sso-session", "services"];
const SSO_SESSION = "sso-session.";

// Generators, so that reading a large file never holds all of its lines at once.
function* splitLines(text: string, from = 0): Generator<RawLine> {
  let start = from;
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
  // Most lines hold neither character: no regular expression for them.
  const comment = text.includes("#") || text.includes(";") ? COMMENT.exec(text) : null;
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
    indented: text.length > 0 && JS_SPACE.test(text[0]!),
  };
}

/**
 * The SDK's reading of lines one after the other (`read`); `header` and
 * `entry` pass over a plain header and a plain unindented `key = value` line
 * (see {@link nextUnplainLine}) with the same effect on what follows.
 */
function sdkReader() {
  let inSection = false;
  let open: string | undefined;
  return {
    read(line: string, eol: string): Line {
      const parsed = parseLine(line);
      if (parsed.kind === "header") {
        inSection = true;
        const header: Line = { text: line, eol, open, kind: "header", name: parsed.name };
        open = undefined;
        return header;
      }
      if (parsed.kind === "key" && inSection && parsed.value === "") {
        const opener: Line = { text: line, eol, open, kind: "opener", key: parsed.key };
        open = parsed.key;
        return opener;
      }
      if (parsed.kind === "key" && inSection) {
        // As in the SDK, only an unindented key with a value closes a sub-section.
        const before = open;
        if (!parsed.indented) open = undefined;
        return {
          text: line,
          eol,
          open: before,
          kind: "entry",
          key: open === undefined ? parsed.key : `${open}.${parsed.key}`,
          start: parsed.start,
          end: parsed.start + parsed.value.length,
        };
      }
      return { text: line, eol, open, kind: "other" };
    },
    header() {
      inSection = true;
      open = undefined;
    },
    entry() {
      if (inSection) open = undefined;
    },
  };
}

/** Every line of `text`, with keys resolved through sections and sub-sections. */
function* scan(text: string): Generator<Line> {
  const reader = sdkReader();
  // One object per line, built once: a large file has tens of thousands.
  for (const { text: line, eol } of splitLines(text)) yield reader.read(line, eol);
}

/**
 * Python's str.isspace(), by which configparser strips lines and measures
 * indentation. A comparison, not a regular expression: every line of every
 * run goes through it.
 */
function isPySpace(code: number): boolean {
  return (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x20) || code === 0x85 ||
    code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 ||
    code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000;
}

/** Which end of a key or value a character is at, and which reader trims it there. */
export interface UnevenTrim {
  char: string;
  at: "start" | "end";
  trimmedBy: "sdk" | "botocore";
}

// JavaScript's trim(), by which the SDK trims keys and values: `\s` is the same set.
const JS_SPACE = /\s/;

/**
 * The outermost character at either end of `text` that one reader trims and
 * the other keeps (U+FEFF for the SDK only; U+001C to U+001F and U+0085 for
 * botocore only), or `undefined` when both trim `text` alike.
 */
export function unevenTrim(text: string): UnevenTrim | undefined {
  for (const at of ["start", "end"] as const) {
    for (let offset = 0; offset < text.length; offset++) {
      const char = text[at === "start" ? offset : text.length - 1 - offset]!;
      const bySdk = JS_SPACE.test(char);
      if (bySdk !== isPySpace(char.charCodeAt(0))) {
        return { char, at, trimmedBy: bySdk ? "sdk" : "botocore" };
      }
      if (!bySdk) break;
    }
  }
  return undefined;
}

/** The length of the leading whitespace of `text`, as Python strips it. */
function pyIndent(text: string): number {
  let length = 0;
  while (length < text.length && isPySpace(text.charCodeAt(length))) length++;
  return length;
}

function pyTrim(text: string): string {
  const start = pyIndent(text);
  let end = text.length;
  while (end > start && isPySpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** The indentation of a line, as configparser measures it. */
function indentOf(text: string): string {
  return text.slice(0, pyIndent(text));
}

/**
 * How configparser, as botocore creates it (`RawConfigParser()`), reads lines
 * one after the other (`read`). Lines with a lone CR, which it splits, are
 * refused before. `header`, `option` and `other` pass over a plain line (see
 * {@link nextUnplainLine}) with the same effect on what follows; `option`
 * returns false, passing over nothing, outside any section.
 */
function botocoreReader() {
  let inSection = false;
  let option: number | undefined;
  let indent = 0;
  let index = -1;
  return {
    read(text: string): BotoLine {
      index++;
      const value = pyTrim(text);
      if (value === "" || value.startsWith("#") || value.startsWith(";")) return { kind: "skip" };
      const level = pyIndent(text);
      if (option !== undefined && level > indent) return { kind: "continuation", option };
      indent = level;
      // `\[(.+)\]` matched at the start: the name ends at the line's last `]`.
      const close = value.lastIndexOf("]");
      if (value.startsWith("[") && close >= 2) {
        inSection = true;
        option = undefined;
        return { kind: "header", name: value.slice(1, close) };
      }
      const delimiter = value.search(/[=:]/);
      if (inSection && delimiter > 0) {
        option = index;
        return {
          kind: "option",
          key: pyTrim(value.slice(0, delimiter)).toLowerCase(),
          value: pyTrim(value.slice(delimiter + 1)),
        };
      }
      // A key with no name ends the value before it; a line without a delimiter does not.
      if (delimiter === 0) option = undefined;
      return { kind: "error" };
    },
    header() {
      index++;
      inSection = true;
      option = undefined;
      indent = 0;
    },
    option(): boolean {
      if (!inSection) return false;
      index++;
      option = index;
      indent = 0;
      return true;
    },
    other() {
      index++;
    },
  };
}

/** How botocore reads each of `lines`. */
function scanAsBotocore(lines: readonly RawLine[]): BotoLine[] {
  const reader = botocoreReader();
  return lines.map((line) => reader.read(line.text));
}

/** A line as the AWS SDK for JavaScript reads it and as botocore does. */
export interface BothWays {
  sdk: Line;
  /** `undefined` for a line with a lone CR, which botocore splits and the SDK does not. */
  botocore: BotoLine | undefined;
}

/**
 * Reads the lines of a file one after the other both ways (`read`); or,
 * cheaper, passes over a plain line (see {@link nextUnplainLine}) with the
 * same effect on the lines after it: `header`, `entry` (false, passing over
 * nothing, where botocore reads no option) and `other` (blank, comment).
 */
export function bothWaysReader() {
  const sdk = sdkReader();
  const botocore = botocoreReader();
  let first = true;
  return {
    read(text: string, eol: string): BothWays {
      const line = sdk.read(text, eol);
      if (text.includes("\r")) return { sdk: line, botocore: undefined };
      // botocore rejects a file that starts with a byte order mark whatever
      // follows, so only the lines after it can tell how it reads the rest.
      const boto = botocore.read(first ? text.replace(/^\uFEFF/, "") : text);
      first = false;
      return { sdk: line, botocore: boto };
    },
    header() {
      sdk.header();
      botocore.header();
      first = false;
    },
    entry(): boolean {
      if (!botocore.option()) return false;
      sdk.entry();
      first = false;
      return true;
    },
    other() {
      botocore.other();
      first = false;
    },
  };
}

// Lines both readers read alike, whatever comes before them, and cheaply:
// printable ASCII, no CR, unindented; blank, a comment, `[header]` without `#`
// or `;`, or `key = value` with a key, no `:` before the `=`, and a value
// without `#` or `;`. A regular expression runs over the whole text at native
// speed where a loop over its characters would not.
const PLAIN_LINE = "(?:" + [
  "",
  "[#;][\\t\\x20-\\x7e]*",
  "\\[(?:(?![#;])[\\t\\x20-\\x7e])+\\]",
  "(?![#;\\[=:])[\\x21-\\x7e](?:(?![#;=:])[\\t\\x20-\\x7e])*=[\\t ]*" +
  "(?![#;])[\\x21-\\x7e](?:(?![#;])[\\t\\x20-\\x7e])*",
].join("|") + ")";
// At the start of a line that is not plain: after an LF or at the start, where no plain line follows.
const UNPLAIN_LINE = new RegExp(`(?<![^\\n])(?!${PLAIN_LINE}(?:\\r\\n|\\n|$))`, "g");

/**
 * Where the first line of `text` at or after offset `from` (the start of a
 * line) that is not plain starts, or `Infinity`. A plain line reads the same
 * for both readers whatever is before it: `[NAME]` as a header named `NAME`,
 * `key = value` as that key (in lower case for botocore) with a value, a blank
 * line or a comment as nothing.
 */
export function nextUnplainLine(text: string, from: number): number {
  UNPLAIN_LINE.lastIndex = from;
  const found = UNPLAIN_LINE.exec(text);
  return found === null || found.index >= text.length ? Infinity : found.index;
}

/**
 * Each line of `text` as the AWS SDK for JavaScript reads it and as botocore
 * does, in one pass. A line with a lone CR, which botocore splits and the SDK
 * does not, comes with `botocore: undefined` and ends the scan.
 */
export function* scanBothWays(text: string): Generator<BothWays> {
  const reader = bothWaysReader();
  for (const { text: line, eol } of splitLines(text)) {
    const both = reader.read(line, eol);
    yield both;
    if (both.botocore === undefined) return;
  }
}

/** The name the SDK gives section `[header]` of a credentials file, if it reads it at all. */
function sdkSectionName(header: string): string | undefined {
  const prefixed = PREFIXED.exec(header);
  if (!prefixed) return header === "" ? undefined : header;
  const [, type = "", , name] = prefixed;
  return SECTION_TYPES.includes(type) ? `${type}.${name}` : undefined;
}

/** The kind of AWS file: they name profiles differently. */
export type AwsFileKind = "config" | "credentials";

/** The profile that section `[header]` of an AWS file is for the SDK, if any. */
export function sdkProfileName(header: string, file: AwsFileKind): string | undefined {
  const section = sdkSectionName(header);
  if (file === "credentials" || section === undefined || section === "default") return section;
  // The SDK keeps only `type.name` sections of the config file (`[profile.x]` too), and
  // merges all but profiles into the profiles under their full name.
  const dot = section.indexOf(".");
  const type = section.slice(0, dot);
  if (dot === -1 || !SECTION_TYPES.includes(type)) return undefined;
  return type === "profile" ? section.slice(dot + 1) : section;
}

/** The sso-session that section `[header]` of a config file is for the SDK, if any. */
export function sdkSsoSessionName(header: string): string | undefined {
  // Every such header starts so: a cheap test before the regular expression, for every header.
  if (!header.startsWith("sso-session")) return undefined;
  const section = sdkSectionName(header);
  return section?.startsWith(SSO_SESSION) ? section.slice(SSO_SESSION.length) : undefined;
}

/** The sso-session that section `[header]` of a config file is for botocore, if any. */
export function botocoreSsoSessionName(header: string): string | undefined {
  // build_profile_map(): as for profiles, which it tries first.
  if (header.startsWith("profile") || !header.startsWith("sso-session")) return undefined;
  const words = shlexSplit(header);
  return words?.length === 2 ? words[1] : undefined;
}

/** The profile that section `[header]` of an AWS file is for botocore, if any. */
export function botocoreProfileName(header: string, file: AwsFileKind): string | undefined {
  if (file === "credentials") return header === "DEFAULT" ? undefined : header;
  // botocore's build_profile_map(): any section starting with `profile` that
  // shlex splits into two words, and `[default]`.
  if (header.startsWith("profile")) {
    const words = shlexSplit(header);
    return words?.length === 2 ? words[1] : undefined;
  }
  return header === "default" ? header : undefined;
}

/**
 * Python's `shlex.split(text)`: words split at whitespace, with quotes and
 * backslash escapes; `undefined` where it raises (an open quote, a final backslash).
 */
function shlexSplit(text: string): string[] | undefined {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    const next = text[index + 1];
    if (quote === "'") {
      if (char === quote) quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === quote) quote = undefined;
      else if (char !== "\\") word += char;
      else if (next === undefined) return undefined;
      // In double quotes a backslash escapes only `"` and itself.
      else if (next === '"' || next === "\\") word += text[++index];
      else word += char;
    } else if (" \t\r\n".includes(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (char === "\\") {
      if (next === undefined) return undefined;
      word += text[++index];
      inWord = true;
    } else {
      if (char === "'" || char === '"') quote = char;
      else word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) return undefined;
  if (inWord) words.push(word);
  return words;
}

/** Why both readers would not read `[name]` of a credentials file as profile `name`. */
function unreadable(name: string, file: AwsFileKind): string | undefined {
  if (name === "") return "it is empty";
  if (LINE_BREAK.test(name)) return "it contains a line break";
  const header = sectionHeader(name, file).slice(1, -1);
  const parsed = parseLine(`[${header}]`);
  if (parsed.kind !== "header" || parsed.name !== header) {
    return "the AWS SDK for JavaScript would read part of it as a comment";
  }
  // The SDK stores profiles in a plain object; `__proto__` makes it reject the whole file.
  if (Object.hasOwn(Object.prototype, name)) {
    return `the AWS SDK for JavaScript cannot read a profile named ${name}`;
  }
  if (file === "config") return unreadableInConfig(name, header);
  if (PREFIXED.test(name)) {
    const read = sdkSectionName(name);
    return read === undefined
      ? `the AWS SDK for JavaScript skips a section named [${name}]`
      : `the AWS SDK for JavaScript reads [${name}] as section ${read}`;
  }
  if (name === "DEFAULT") return "botocore reads [DEFAULT] as defaults for every profile";
  return undefined;
}

/** Why both readers would not read `[header]` of a config file as profile `name`. */
function unreadableInConfig(name: string, header: string): string | undefined {
  const sdk = sdkProfileName(header, "config");
  if (sdk !== name) {
    return sdk === undefined
      ? `the AWS SDK for JavaScript skips a section named [${header}]`
      : `the AWS SDK for JavaScript reads [${header}] as profile ${sdk}`;
  }
  const botocore = botocoreProfileName(header, "config");
  if (botocore !== name) {
    return botocore === undefined
      ? `botocore skips a section named [${header}]`
      : `botocore reads [${header}] as profile ${botocore}`;
  }
  // The SDK keeps `[sso-session x]` as `sso-session.x` among the profiles.
  const type = SECTION_TYPES.find((type) => type !== "profile" && name.startsWith(`${type}.`));
  if (type !== undefined) {
    return `the AWS SDK for JavaScript reads it as the [${type} ${
      name.slice(type.length + 1)
    }] section`;
  }
  return undefined;
}

/**
 * Why the section of profile `name` in an AWS file (`[name]` in a credentials
 * file, `[profile name]` in a config file) would not read back as profile
 * `name` in the AWS SDK for JavaScript or botocore, as one line naming it; or
 * `undefined` when both would.
 */
export function profileNameProblem(
  name: string,
  file: AwsFileKind = "credentials",
): string | undefined {
  const reason = unreadable(name, file);
  return reason &&
    `Profile name ${JSON.stringify(name)} would not read back as a profile: ${reason}`;
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
 * Where each section of `text` starts: the offsets of its header lines, by the
 * name the SDK reads in each, in file order.
 */
export function sectionHeaders(text: string): Map<string, number[]> {
  const headers = new Map<string, number[]>();
  let offset = 0;
  for (const { text: line, eol } of splitLines(text)) {
    // Only a line with `[` can be a header: the others need no parse.
    if (line.includes("[")) {
      const parsed = parseLine(line);
      if (parsed.kind === "header") addHeader(headers, parsed.name, offset);
    }
    offset += line.length + eol.length;
  }
  return headers;
}

/** Notes that the section `name` (as the SDK reads its header) starts at `offset`. */
export function addHeader(headers: Map<string, number[]>, name: string, offset: number): void {
  const offsets = headers.get(name);
  if (offsets) offsets.push(offset);
  else headers.set(name, [offset]);
}

/**
 * The keys of the one section whose header line starts at `offset` of `text`,
 * as {@link parseIni} reads them: up to the next header.
 */
export function sectionAt(text: string, offset: number): Record<string, string> {
  const reader = sdkReader();
  const entries = new Map<string, string>();
  let header = true;
  for (const { text: raw, eol } of splitLines(text, offset)) {
    const line = reader.read(raw, eol);
    if (line.kind === "header" && !header) break;
    header = false;
    if (line.kind === "entry") entries.set(line.key, line.text.slice(line.start, line.end));
  }
  // fromEntries defines own properties, so even a key `__proto__` stays a key.
  return Object.fromEntries(entries);
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

/** An AWS file read both ways, line by line. */
interface Scanned {
  lines: Line[];
  boto: BotoLine[];
}

/** Where a profile's section is in a scanned file. */
interface Place {
  /** The index of the profile's header line, if it has one. */
  header: number | undefined;
  /** The index of the line after the profile's last. */
  end: number;
}

const differ = (index: number) =>
  new IniLayoutError(
    `line ${index + 1} is read differently by botocore and the AWS SDK for JavaScript`,
  );

/**
 * `text` read both ways.
 *
 * @throws {IniLayoutError} if a line holds a lone CR, which botocore splits.
 */
function scanFile(text: string): Scanned {
  const lines: Line[] = [];
  const boto: BotoLine[] = [];
  for (const { sdk, botocore } of scanBothWays(text)) {
    // configparser ends a line at a lone CR, the SDK does not.
    if (botocore === undefined) throw differ(lines.length);
    lines.push(sdk);
    boto.push(botocore);
  }
  return { lines, boto };
}

/** The header lines of each profile in `names`, as each reader reads the file. */
function headersOf(
  { lines, boto }: Scanned,
  file: AwsFileKind,
  names: ReadonlySet<string>,
): { sdk: Map<string, number[]>; botocore: Map<string, number[]> } {
  const sdk = new Map<string, number[]>();
  const botocore = new Map<string, number[]>();
  const note = (into: Map<string, number[]>, name: string | undefined, index: number) => {
    if (name !== undefined && names.has(name)) into.set(name, [...into.get(name) ?? [], index]);
  };
  for (const [index, line] of lines.entries()) {
    if (line.kind === "header") note(sdk, sdkProfileName(line.name, file), index);
    const botoLine = boto[index]!;
    if (botoLine.kind === "header") note(botocore, botocoreProfileName(botoLine.name, file), index);
  }
  return { sdk, botocore };
}

/**
 * Where profile `name` is, given its header lines as each reader reads them.
 *
 * @throws {IniLayoutError} if a reader sees the profile twice, or the readers
 * disagree on where it starts or ends.
 */
function placeOf(
  { lines, boto }: Scanned,
  sdkHeaders: readonly number[],
  botoHeaders: readonly number[],
): Place {
  // The SDK merges the copies, botocore rejects the file: either way, which to edit is unclear.
  for (const headers of [sdkHeaders, botoHeaders]) {
    if (headers.length > 1) {
      throw new IniLayoutError(
        `it appears twice, on lines ${headers[0]! + 1} and ${headers[1]! + 1}`,
      );
    }
  }
  const [header] = sdkHeaders;
  if (header !== botoHeaders[0]) {
    throw differ(Math.min(header ?? Infinity, botoHeaders[0] ?? Infinity));
  }
  if (header === undefined) return { header, end: lines.length };
  const next = (isHeader: (index: number) => boolean) => {
    for (let index = header + 1; index < lines.length; index++) if (isHeader(index)) return index;
    return lines.length;
  };
  const end = next((index) => lines[index]!.kind === "header");
  const botoEnd = next((index) => boto[index]!.kind === "header");
  if (end !== botoEnd) throw differ(Math.min(end, botoEnd));
  return { header, end };
}

/** The keys configparser gives every section: those of `[DEFAULT]`. */
function defaultKeys(boto: readonly BotoLine[]): string[] {
  let inDefault = false;
  return boto.flatMap((line) => {
    if (line.kind === "header") inDefault = line.name === "DEFAULT";
    return inDefault && line.kind === "option" ? [line.key] : [];
  });
}

/**
 * The keys that the AWS SDK for JavaScript and botocore read in profile `name`
 * of credentials file `text`, or `undefined` when it has no such profile.
 *
 * @throws {IniLayoutError} if the two readers disagree on where the profile is.
 */
export function readSectionKeys(text: string, name: string): SectionKeys | undefined {
  const scanned = scanFile(text);
  const headers = headersOf(scanned, "credentials", new Set([name]));
  const { header, end } = placeOf(
    scanned,
    headers.sdk.get(name) ?? [],
    headers.botocore.get(name) ?? [],
  );
  if (header === undefined) return undefined;
  const { lines, boto } = scanned;
  const sdk: string[] = [];
  const botocore = defaultKeys(boto);
  for (let index = header + 1; index < end; index++) {
    const line = lines[index]!;
    const botoLine = boto[index]!;
    if (line.kind === "entry") sdk.push(line.key);
    if (botoLine.kind === "option") botocore.push(botoLine.key);
  }
  return { sdk, botocore };
}

/**
 * Credentials file `text` with the keys in `set` set and the keys in `remove`
 * removed in profile `section`, so that the AWS SDK for JavaScript and
 * botocore both read the change, and every other byte unchanged: one
 * {@linkcode updateSections} edit.
 */
export function updateSection(
  text: string,
  section: string,
  set: Record<string, string>,
  remove: string[],
): string {
  return updateSections(text, "credentials", new Map([[section, { set, remove }]]));
}

/**
 * What {@linkcode updateSections} does to one profile's section: set and
 * remove keys, or delete the section.
 */
export type SectionEdit =
  | { set: Readonly<Record<string, string>>; remove: readonly string[] }
  | { delete: true };

/** How a profile's section starts in an AWS file: `[name]`, or `[profile name]` in a config file. */
export function sectionHeader(name: string, file: AwsFileKind): string {
  return file === "credentials" || name === "default" ? `[${name}]` : `[profile ${name}]`;
}

/** The changes to the lines of a file: lines dropped, lines rewritten, lines added after one. */
interface LineChanges {
  drop: Set<number>;
  rewrite: Map<number, string>;
  insertAfter: Map<number, string[]>;
}

/**
 * AWS file `text` with every profile of `edits` edited, in one pass, so that
 * the AWS SDK for JavaScript and botocore both read the change, and every
 * other byte unchanged. Profiles are named as both readers name them: in a
 * config file, `name` is the section `[profile name]`.
 *
 * - A key is found however either reader would read it: in any case, with
 *   `=` or `:`. The line of a key to set is rewritten in place as
 *   `key = value`, keeping its indentation; an inline comment on it goes,
 *   since botocore reads it as part of the value. Every line of a key to
 *   remove goes. The lines that continue such a key's value for botocore go
 *   with it.
 * - A key the section lacks goes on a new `key = value` line after the last
 *   line of the section that is not blank or a comment, so that comments and
 *   blank lines before the next section stay there.
 * - Missing sections are appended with their keys, in the order of `edits`,
 *   each after a blank line; with nothing to set, a missing section stays
 *   missing.
 * - A deleted section loses its header and every line either reader reads
 *   in it, with the blank line before it; its blank and comment lines stay.
 *   Deleting a missing section changes nothing.
 * - New lines use the file's dominant line ending, and a file without a final
 *   line ending keeps lacking one.
 *
 * @throws {TypeError} if a section name or a key or value in `set` would not
 * read back unchanged (a line break, surrounding spaces, an inline comment, an
 * empty value, an upper-case key), or if a key is in both `set` and `remove`.
 * @throws {IniLayoutError} (naming the section in `section`) if the readers
 * would not both read the edit: the section appears twice, or they disagree on
 * where it is or on a line of a key to change, a key to set appears twice in
 * it, or `[DEFAULT]` sets a key to remove; or if a line holds a lone CR.
 */
export function updateSections(
  text: string,
  file: AwsFileKind,
  edits: ReadonlyMap<string, SectionEdit>,
): string {
  for (const [section, edit] of edits) {
    if ("delete" in edit) validateName(section, file);
    else validate(section, file, edit.set, edit.remove);
  }
  const scanned = scanFile(text);
  const { lines, boto } = scanned;
  const headers = headersOf(scanned, file, new Set(edits.keys()));
  const inherited = defaultKeys(boto);
  const eol = dominantEol(lines);
  const changes: LineChanges = { drop: new Set(), rewrite: new Map(), insertAfter: new Map() };
  const appended: string[][] = [];
  for (const [section, edit] of edits) {
    try {
      const { header, end } = placeOf(
        scanned,
        headers.sdk.get(section) ?? [],
        headers.botocore.get(section) ?? [],
      );
      if ("delete" in edit) {
        if (header !== undefined) deleteSection(scanned, { header, end }, changes);
        continue;
      }
      const removed = inherited.find((key) => edit.remove.includes(key));
      if (removed !== undefined) {
        throw new IniLayoutError(
          `its [DEFAULT] section sets ${removed}, which botocore reads into every profile`,
        );
      }
      if (header === undefined) {
        const entries = Object.entries(edit.set);
        if (entries.length > 0) {
          appended.push([
            sectionHeader(section, file),
            ...entries.map(([key, value]) => `${key} = ${value}`),
          ]);
        }
        continue;
      }
      editSection(scanned, { header, end }, edit, changes);
    } catch (error) {
      if (error instanceof IniLayoutError) error.section ??= section;
      throw error;
    }
  }
  return assemble(text, lines, changes, appended, eol);
}

/** The changes that set and remove keys in the section at `place`. */
function editSection(
  { lines, boto }: Scanned,
  { header, end }: { header: number; end: number },
  { set, remove }: { set: Readonly<Record<string, string>>; remove: readonly string[] },
  changes: LineChanges,
): void {
  const changed = new Set([...Object.keys(set), ...remove]);
  // The lines of the keys to change, and those that continue their values for botocore.
  const found = new Map<string, number[]>();
  const drop = new Set<number>();
  let last = header;
  for (let index = header + 1; index < end; index++) {
    const line = lines[index]!;
    const botoLine = boto[index]!;
    if (botoLine.kind !== "skip") last = index;
    const sdkKey = line.kind === "entry" || line.kind === "opener"
      ? line.key.toLowerCase()
      : undefined;
    if (botoLine.kind === "continuation" && drop.has(botoLine.option)) {
      // The SDK reads a key there; it must be one that goes, or in a sub-section of one.
      if (sdkKey !== undefined && !changed.has(sdkKey.split(".")[0]!)) throw differ(index);
      drop.add(index);
      continue;
    }
    const botoKey = botoLine.kind === "option" ? botoLine.key : undefined;
    const key = [botoKey, sdkKey].find((candidate) => changed.has(candidate ?? ""));
    if (key === undefined) continue;
    if (botoKey !== key) throw differ(index);
    found.set(key, [...found.get(key) ?? [], index]);
    drop.add(index);
  }

  for (const [key, at] of found) {
    if (!Object.hasOwn(set, key)) continue;
    if (at.length > 1) {
      throw new IniLayoutError(
        `${key} appears twice in it, on lines ${at[0]! + 1} and ${at[1]! + 1}`,
      );
    }
    const index = at[0]!;
    const line = lines[index]!;
    const text = `${indentOf(line.text)}${key} = ${set[key]}`;
    // The same indentation keeps how botocore reads the lines after it; the SDK
    // must read the new line as the key, not as one of an open sub-section.
    const parsed = parseLine(text);
    if (
      parsed.kind !== "key" || parsed.key !== key || (parsed.indented && line.open !== undefined)
    ) {
      throw differ(index);
    }
    // A line that stays the same is no change.
    if (text !== line.text) changes.rewrite.set(index, text);
    drop.delete(index);
  }

  // New lines take the indentation of the next header, so that botocore still
  // reads that as a header and not as the continuation of a new key.
  const indent = end < lines.length ? indentOf(lines[end]!.text) : "";
  const added = Object.keys(set).filter((key) => !found.has(key));
  if (added.length > 0 && indent !== "" && lines[last + 1]!.open !== undefined) throw differ(end);
  for (const index of drop) changes.drop.add(index);
  if (added.length > 0) {
    changes.insertAfter.set(last, added.map((key) => `${indent}${key} = ${set[key]}`));
  }
}

/**
 * The changes that delete the section at `place`: its header, every line
 * either reader reads in it (not blank lines and comments), and the blank
 * line before it (or, first in the file, after it), which went in with it.
 */
function deleteSection(
  { lines, boto }: Scanned,
  { header, end }: { header: number; end: number },
  changes: LineChanges,
): void {
  const isBlank = (index: number) =>
    index >= 0 && index < lines.length && lines[index]!.text.trim() === "" &&
    boto[index]!.kind === "skip" && !changes.drop.has(index);
  let last = header;
  for (let index = header; index < end; index++) {
    const both = lines[index]!.kind === "other" && boto[index]!.kind === "skip";
    if (both) continue;
    changes.drop.add(index);
    last = index;
  }
  if (isBlank(header - 1)) changes.drop.add(header - 1);
  else if (header === 0 && isBlank(last + 1)) changes.drop.add(last + 1);
}

/** The file's lines with `changes`, then the `appended` sections. */
function assemble(
  text: string,
  lines: readonly RawLine[],
  { drop, rewrite, insertAfter }: LineChanges,
  appended: readonly string[][],
  eol: string,
): string {
  if (drop.size === 0 && rewrite.size === 0 && insertAfter.size === 0 && appended.length === 0) {
    return text;
  }
  const out: RawLine[] = [];
  for (const [index, line] of lines.entries()) {
    if (!drop.has(index)) out.push({ text: rewrite.get(index) ?? line.text, eol: line.eol });
    for (const text of insertAfter.get(index) ?? []) out.push({ text, eol });
  }
  for (const block of appended) {
    const previous = out.at(-1);
    if (previous !== undefined && previous.text.trim() !== "") out.push({ text: "", eol });
    for (const text of block) out.push({ text, eol });
  }
  // A line that was last without a line ending may no longer be last, and a
  // removed or added line may now be last.
  for (const line of out.slice(0, -1)) if (line.eol === "") line.eol = eol;
  const final = out.at(-1);
  if (final && lines.at(-1)?.eol === "") final.eol = "";
  return out.map((line) => line.text + line.eol).join("");
}

function dominantEol(lines: readonly RawLine[]): string {
  let crlf = 0;
  let lf = 0;
  for (const line of lines) {
    if (line.eol === "\r\n") crlf++;
    else if (line.eol === "\n") lf++;
  }
  return crlf > lf ? "\r\n" : "\n";
}

function validateName(section: string, file: AwsFileKind): void {
  const problem = profileNameProblem(section, file);
  if (problem) throw new TypeError(problem);
}

function validate(
  section: string,
  file: AwsFileKind,
  set: Readonly<Record<string, string>>,
  remove: readonly string[],
): void {
  validateName(section, file);
  for (const [key, value] of Object.entries(set)) {
    if (remove.includes(key)) throw new TypeError(`Key ${key} is both set and removed`);
    // The value is left out of messages: it is usually a secret.
    if (LINE_BREAK.test(key) || LINE_BREAK.test(value)) {
      throw new TypeError(`Key ${JSON.stringify(key)} or its value contains a line break`);
    }
    const line = `${key} = ${value}`;
    const sdk = parseLine(line);
    const [, boto] = scanAsBotocore([{ text: "[section]", eol: "\n" }, { text: line, eol: "" }]);
    if (
      sdk.kind !== "key" || sdk.key !== key || sdk.value !== value || value === "" ||
      boto?.kind !== "option" || boto.key !== key ||
      pyTrim(line.slice(line.indexOf("=") + 1)) !== value
    ) {
      throw new TypeError(`Key ${JSON.stringify(key)} and its value would not read back unchanged`);
    }
  }
}

/** A section of an AWS file as written: its header's name and its lines, exactly. */
export interface SectionText {
  name: string;
  /** From the header line to the next header, line endings included. */
  text: string;
}

/**
 * The sections of `text` in file order, each with its lines exactly as written,
 * so that the SDK reads a text made of some of them as it reads those sections
 * in the whole file. Lines before the first header belong to none and are left
 * out.
 */
export function sectionTexts(text: string): SectionText[] {
  const sections: SectionText[] = [];
  let open: { name: string; start: number } | undefined;
  // A header holds a `[`: other lines need no parsing. Found once for all the lines before it.
  let bracket = -1;
  for (let start = 0; start < text.length;) {
    const lf = text.indexOf("\n", start);
    const end = lf === -1 ? text.length : lf + 1;
    if (bracket < start) bracket = text.indexOf("[", start);
    if (bracket === -1) break;
    if (bracket < end) {
      const lineEnd = lf > start && text[lf - 1] === "\r" ? lf - 1 : lf === -1 ? end : lf;
      const parsed = parseLine(text.slice(start, lineEnd));
      if (parsed.kind === "header") {
        if (open) sections.push({ name: open.name, text: text.slice(open.start, start) });
        open = { name: parsed.name, start };
      }
    }
    start = end;
  }
  if (open) sections.push({ name: open.name, text: text.slice(open.start) });
  return sections;
}
