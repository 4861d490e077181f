/**
 * The reader agreement check. The AWS CLI (botocore, through Python's
 * configparser) and aec (the AWS SDK for JavaScript) parse the AWS config and
 * credentials files differently, and some files read as different
 * identities: `key: value` and `KEY = value`, which only botocore reads;
 * `key =`, which the SDK reads as the start of a sub-section; an indented line
 * after a value, which botocore reads as part of that value; a comment after
 * a value, which botocore reads as part of it; a byte order mark or a control
 * character that one reader trims and the other keeps; text after a header's
 * `]`; a profile in two spellings of its header; `[DEFAULT]`, whose keys
 * botocore gives every profile; a lone CR; `[__proto__]`, for which the SDK
 * drops the whole file.
 *
 * {@link checkReaderAgreement} finds where the two readings of the profiles
 * (and sso-sessions) that matter differ in the settings that decide an
 * identity, which lines set them and to what, or in their sections, before
 * anything resolves, so that aec refuses rather than hand over an identity the
 * AWS CLI would not. It also tells which files botocore cannot parse at all.
 * Pure and free of npm modules, since it runs before cache hits too: each file
 * is read in one pass, keeping only its headers and identity settings.
 *
 * @module
 */

import { type AwsFile, indexSections } from "./aws_profiles.ts";
import { botocoreParse } from "./botocore_parse.ts";
import {
  addHeader,
  type AwsFileKind,
  bothWaysReader,
  botocoreProfileName,
  botocoreSsoSessionName,
  type BotoLine,
  type Line,
  nextUnplainLine,
  sdkProfileName,
  sdkSsoSessionName,
  unevenTrim,
} from "./ini.ts";
import { CREDENTIAL_SETTINGS } from "./profile_settings.ts";

/** What the readers make of the files: where they differ, and what botocore cannot parse. */
export interface ReaderAgreement {
  /**
   * Why the AWS CLI and aec would read the files as different identities, as
   * one line naming the file, the profile, the line and the fix; or
   * `undefined` when they would not.
   */
  disagreement: string | undefined;
  /**
   * Where the readers agree: one line for each file that botocore cannot
   * parse at all, naming the file, the line and the fix.
   */
  unparsable: string[];
}

/** A line where one reader finds a header or an identity setting, as both read it. */
interface Seen {
  /** The index of the line. */
  line: number;
  sdk: Line;
  botocore: BotoLine;
  /** The names of the sections each reader reads the line in. */
  sdkSection: string | undefined;
  botocoreSection: string | undefined;
}

/** A profile or sso-session in one file, as one reader reads it. */
interface Profile {
  /** The headers of its sections. */
  headers: Seen[];
  /** Its identity settings, each where it is set last; for botocore, those of its last section. */
  settings: Map<string, Seen>;
}

/** A profile as botocore reads it: only its last section counts. */
interface BotocoreProfile extends Profile {
  /** The name of its last section. */
  section: string;
}

/** A file as both readers read it: the subjects wanted when it was read. */
interface Reading {
  path: string;
  kind: AwsFileKind;
  sdk: Map<Subject, Profile>;
  botocore: Map<Subject, BotocoreProfile>;
  /** For each identity setting whose value botocore continues on later lines, the first of them. */
  continued: Map<number, number>;
  /** Every profile and sso-session either reader finds in the file. */
  names: Names;
  /** Why botocore cannot parse the file at all, if it cannot. */
  unparsable: string | undefined;
}

/** What a section is for: a profile, or an sso-session, which profiles name. */
type Kind = "profile" | "sso-session";
/** A kind and a name, as a section is for one. */
type Found = [kind: Kind, name: string];
/** Names of each kind. */
type Names = Record<Kind, Set<string>>;
const noNames = (): Names => ({ profile: new Set(), "sso-session": new Set() });

/**
 * A profile or an sso-session, written `profile NAME` or `sso-session NAME`:
 * the two share maps, and a profile may be named like an sso-session.
 */
type Subject = string;
const subjectOf = ([kind, name]: Found): Subject => `${kind} ${name}`;

/** The kind and the name of a subject. */
function split(subject: Subject): Found {
  const space = subject.indexOf(" ");
  return [subject.slice(0, space) as Kind, subject.slice(space + 1)];
}

const describe = (subject: Subject) => {
  const [kind, name] = split(subject);
  return `${kind} ${JSON.stringify(name)}`;
};

/** The settings that decide the identity a profile gives: its credential settings and a role's. */
const IDENTITY_SETTINGS = [
  ...CREDENTIAL_SETTINGS,
  "external_id",
  "mfa_serial",
  "role_session_name",
];
/** Those that decide it in an sso-session section. */
const SSO_SESSION_SETTINGS = ["sso_start_url", "sso_region"];

const SDK = "the AWS SDK for JavaScript";
// A section the SDK reads that makes it drop the whole file.
const SDK_REJECTED = ["__proto__", "profile __proto__"];

/**
 * How the AWS CLI and aec read the files for `profile`. It compares, file by
 * file, the sections and the identity settings (which lines set them, and the
 * values each reader takes) of `profile`, of every profile on its
 * `source_profile` chain and every sso-session named by `sso_session` (as
 * either reader reads them), and of the profiles in `also`; and refuses
 * outright a file with a lone CR, a `[__proto__]` section, a `[DEFAULT]`
 * section with an identity setting, or a config file with both `[default]` and
 * `[profile default]`. Where they agree, it names the files botocore cannot
 * parse at all.
 */
export function checkReaderAgreement(
  files: { config: AwsFile; credentials: AwsFile },
  profile: string,
  also: readonly string[] = [],
): ReaderAgreement {
  const refuse = (subject: Subject, path: string, problem: string) => ({
    disagreement: oneLine(
      `The AWS CLI and aec would read ${describe(subject)} differently in ` +
        `${path}: ${problem}`,
    ),
    unparsable: [],
  });
  const sources = [["config", files.config], ["credentials", files.credentials]] as const;
  const readings: (Reading | undefined)[] = [];
  const wanted = noNames();
  for (const name of [profile, ...also]) wanted.profile.add(name);
  // Each file is read once, and again only if a subject found later names one
  // it has already passed.
  const stale = sources.map(() => true);
  for (let index = stale.indexOf(true); index !== -1; index = stale.indexOf(true)) {
    stale[index] = false;
    const [kind, file] = sources[index]!;
    const reading = read(file, kind, wanted, ([type, name], passed) => {
      if (isWanted(wanted, [type, name])) return;
      wanted[type].add(name);
      if (passed[type].has(name)) stale[index] = true;
      readings.forEach((other, at) => {
        if (other?.names[type].has(name)) stale[at] = true;
      });
    });
    if (typeof reading === "string") {
      return refuse(subjectOf(["profile", profile]), file.path, reading);
    }
    readings[index] = reading;
  }
  const pending = [profile, ...also].map((name) => subjectOf(["profile", name]));
  const checked = new Set<Subject>();
  for (let subject = pending.shift(); subject !== undefined; subject = pending.shift()) {
    if (checked.has(subject)) continue;
    checked.add(subject);
    for (const reading of readings) {
      const problem = compare(reading!, subject);
      if (problem) return refuse(subject, reading!.path, problem);
      pending.push(...references(reading!, subject));
    }
  }
  return {
    disagreement: undefined,
    unparsable: readings.flatMap((reading) =>
      reading!.unparsable === undefined
        ? []
        : [oneLine(`botocore (the AWS CLI) cannot parse ${reading!.path}: ${reading!.unparsable}`)]
    ),
  };
}

/** `line` as written, but with no character in it that could break the line or hide. */
function oneLine(line: string): string {
  return line.replace(
    /(?!\t)[\p{Cc}\p{Cf}\u2028\u2029]/gu,
    (char) => `\\u${char.codePointAt(0)!.toString(16).padStart(4, "0")}`,
  );
}

/** A character as `U+FEFF`, for messages: the ones they name are invisible. */
function codePoint(char: string): string {
  return `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** What section `[header]` of an AWS file is for in the SDK, if anything. */
function sdkFound(header: string, kind: AwsFileKind): Found | undefined {
  const session = kind === "config" ? sdkSsoSessionName(header) : undefined;
  if (session !== undefined) return ["sso-session", session];
  const name = sdkProfileName(header, kind);
  return name === undefined ? undefined : ["profile", name];
}

/** What section `[header]` of an AWS file is for in botocore, if anything. */
function botocoreFound(header: string, kind: AwsFileKind): Found | undefined {
  const name = botocoreProfileName(header, kind);
  if (name !== undefined) return ["profile", name];
  const session = kind === "config" ? botocoreSsoSessionName(header) : undefined;
  return session === undefined ? undefined : ["sso-session", session];
}

/**
 * Whether the sections of `found` are read both ways and kept: those of the
 * profiles wanted, and of every sso-session. Files hold few sso-sessions, and
 * a profile usually names one found before it, which would otherwise take a
 * second pass over the file once the profile is found.
 */
function isWanted(wanted: Names, [kind, name]: Found): boolean {
  return kind === "sso-session" || wanted[kind].has(name);
}

/** What an identity setting names, if it names something: a source profile, an sso-session. */
function named(key: string, value: string): Found | undefined {
  if (key === "source_profile") return ["profile", value];
  if (key === "sso_session") return ["sso-session", value];
  return undefined;
}

/**
 * The file read both ways in one pass, keeping the headers and identity
 * settings of the `wanted` subjects only; or why it cannot be read the same
 * way at all. `discover` hears of each subject a wanted one names, with the
 * subjects the pass has found so far.
 */
function read(
  file: AwsFile,
  kind: AwsFileKind,
  wanted: Names,
  discover: (found: Found, passed: Names) => void,
): Reading | string {
  const names = noNames();
  // Where every section starts, by the SDK's name for it: the index of the
  // file's sections (aws_profiles.ts) needs no pass of its own then.
  const headers = new Map<string, number[]>();
  const sdk = new Map<Subject, Profile>();
  // botocore's configparser sections of wanted subjects and [DEFAULT], in order of first appearance.
  const sections = new Map<string, Profile>();
  const options = new Set<number>();
  const continued = new Map<number, number>();
  const parse = botocoreParse();
  // The first `[default]` and `[profile default]` header, as either reader reads it.
  const defaults = {
    plain: undefined as number | undefined,
    prefixed: undefined as number | undefined,
  };
  const isDefault = (found: Found | undefined) =>
    kind === "config" && found?.[0] === "profile" && found[1] === "default";
  // The subject of a section, if it is wanted.
  const wantedSubject = (found: Found | undefined) =>
    found !== undefined && isWanted(wanted, found) ? subjectOf(found) : undefined;
  let sdkProfile: Profile | undefined;
  let section: Profile | undefined;
  let sdkSection: string | undefined;
  let botocoreSection: string | undefined;
  const { text } = file;
  const lines = bothWaysReader();
  let unplain = nextUnplainLine(text, 0);
  for (let start = 0, index = 0; start < text.length; index++) {
    // Most lines of a large file are plain and in sections no subject needs:
    // passed over without building a line, the way both readers read them.
    if (start < unplain && sdkProfile === undefined && section === undefined) {
      const passed = passPlainLines(
        { text, kind, lines, parse, names, wanted, headers },
        start,
        index,
        unplain,
      );
      if (passed.header !== undefined) sdkSection = botocoreSection = passed.header;
      ({ start, index } = passed);
      if (start >= text.length) break;
    }
    const lf = text.indexOf("\n", start);
    const next = lf === -1 ? text.length : lf + 1;
    const end = lf === -1 ? text.length : lf > start && text[lf - 1] === "\r" ? lf - 1 : lf;
    const line = start;
    start = next;
    if (line === unplain) unplain = nextUnplainLine(text, next);
    const { sdk: sdkLine, botocore } = lines.read(text.slice(line, end), text.slice(end, next));
    if (botocore === undefined) {
      return `line ${index + 1} ends in a lone CR, which ends a line for botocore only; ` +
        "use LF or CRLF line endings";
    }
    parse.read(index, sdkLine.text, botocore);
    if (sdkLine.kind === "header") sdkSection = sdkLine.name;
    if (botocore.kind === "header") botocoreSection = botocore.name;

    if (sdkLine.kind === "header") {
      addHeader(headers, sdkLine.name, line);
      if (SDK_REJECTED.includes(sdkLine.name)) {
        return `${SDK} ignores the whole file for its section [${sdkLine.name}] on line ` +
          `${index + 1}, botocore does not; rename that section`;
      }
      const found = sdkFound(sdkLine.name, kind);
      if (found !== undefined) names[found[0]].add(found[1]);
      const subject = wantedSubject(found);
      sdkProfile = subject === undefined ? undefined : profileIn(sdk, subject);
      sdkProfile?.headers.push(seen(index, sdkLine, botocore, sdkSection, botocoreSection));
      if (isDefault(found)) noteDefault(defaults, sdkLine.name, index);
    } else if (
      sdkProfile && sdkLine.kind === "entry" && IDENTITY_SETTINGS.includes(sdkLine.key)
    ) {
      sdkProfile.settings.set(
        sdkLine.key,
        seen(index, sdkLine, botocore, sdkSection, botocoreSection),
      );
      const other = named(sdkLine.key, sdkLine.text.slice(sdkLine.start, sdkLine.end));
      if (other !== undefined) discover(other, names);
    }
    if (botocore.kind === "header") {
      const found = botocoreFound(botocore.name, kind);
      if (found !== undefined) names[found[0]].add(found[1]);
      const kept = botocore.name === "DEFAULT" || wantedSubject(found) !== undefined;
      section = kept ? profileIn(sections, botocore.name) : undefined;
      section?.headers.push(seen(index, sdkLine, botocore, sdkSection, botocoreSection));
      if (isDefault(found)) noteDefault(defaults, botocore.name, index);
    } else if (
      section && botocore.kind === "option" && IDENTITY_SETTINGS.includes(botocore.key)
    ) {
      section.settings.set(
        botocore.key,
        seen(index, sdkLine, botocore, sdkSection, botocoreSection),
      );
      options.add(index);
      const other = named(botocore.key, botocore.value);
      if (other !== undefined) discover(other, names);
    } else if (
      botocore.kind === "continuation" && options.has(botocore.option) &&
      !continued.has(botocore.option)
    ) {
      continued.set(botocore.option, index);
    }
  }

  const [inherited] = sections.get("DEFAULT")?.settings.values() ?? [];
  if (inherited?.botocore.kind === "option") {
    return `its [DEFAULT] section sets ${inherited.botocore.key} on line ${inherited.line + 1}, ` +
      `which botocore gives every profile and ${SDK} none; move it into the profiles that need it`;
  }
  if (defaults.plain !== undefined && defaults.prefixed !== undefined) {
    const [first, second] = [defaults.plain, defaults.prefixed].sort((a, b) => a - b);
    return `it has both [default] and [profile default] (lines ${first! + 1} and ` +
      `${second! + 1}): ${SDK} reads [profile default], botocore the later one; keep one`;
  }

  const botocoreProfiles = new Map<Subject, BotocoreProfile>();
  for (const [name, section] of sections) {
    const found = botocoreFound(name, kind);
    if (found === undefined) continue;
    const subject = subjectOf(found);
    // build_profile_map(): a later section of a profile replaces the earlier ones.
    const headers = botocoreProfiles.get(subject)?.headers ?? [];
    botocoreProfiles.set(subject, {
      headers: [...headers, ...section.headers],
      settings: section.settings,
      section: name,
    });
  }
  indexSections(text, headers);
  // Python decodes the whole file before configparser reads a line of it.
  const unparsable = file.notUtf8Line === undefined
    ? parse.problem()
    : `line ${file.notUtf8Line} is not UTF-8; save the file as UTF-8`;
  return { path: file.path, kind, sdk, botocore: botocoreProfiles, continued, names, unparsable };
}

const CR = 0x0d;
const HASH = 0x23;
const SEMICOLON = 0x3b;
const OPEN_BRACKET = 0x5b;
// Names in headers that both readers read alike: no quote, no space, nothing the SDK drops.
const PLAIN_NAME = /^[\w@+.%:/-]+$/;

/**
 * What the plain header `[header]` is for, where both readers read it alike
 * and neither as a default profile, nor `[DEFAULT]`, nor a section the SDK
 * rejects; `undefined` for the other headers.
 */
function plainFound(header: string, kind: AwsFileKind): Found | undefined {
  if (kind === "credentials") {
    return PLAIN_NAME.test(header) && header !== "DEFAULT" && !SDK_REJECTED.includes(header)
      ? ["profile", header]
      : undefined;
  }
  const space = header.indexOf(" ");
  const type = header.slice(0, space);
  const name = header.slice(space + 1);
  if (type !== "profile" && type !== "sso-session") return undefined;
  if (!PLAIN_NAME.test(name) || name === "default" || name === "__proto__") return undefined;
  return [type, name];
}

/** What {@link passPlainLines} reads with. */
interface PlainPass {
  text: string;
  kind: AwsFileKind;
  lines: ReturnType<typeof bothWaysReader>;
  parse: ReturnType<typeof botocoreParse>;
  names: Names;
  wanted: Names;
  headers: Map<string, number[]>;
}

/**
 * Passes over the plain lines from offset `start` (line `index`) on, up to
 * `unplain`, and stops at the first it cannot pass over: a header of a wanted
 * subject, or of a name the readers may read differently, or a setting
 * before any section. A small function of its own, so that it runs compiled.
 */
function passPlainLines(
  { text, kind, lines, parse, names, wanted, headers }: PlainPass,
  start: number,
  index: number,
  unplain: number,
): { start: number; index: number; header: string | undefined } {
  let header: string | undefined;
  for (; start < unplain && start < text.length; index++) {
    let end = text.indexOf("\n", start);
    const next = end === -1 ? text.length : end + 1;
    if (end === -1) end = text.length;
    else if (end > start && text.charCodeAt(end - 1) === CR) end--;
    const first = text.charCodeAt(start);
    if (start === end || first === HASH || first === SEMICOLON) {
      lines.other();
    } else if (first === OPEN_BRACKET) {
      const name = text.slice(start + 1, end - 1);
      const found = plainFound(name, kind);
      if (found === undefined || isWanted(wanted, found)) break;
      names[found[0]].add(found[1]);
      addHeader(headers, name, start);
      header = name;
      lines.header();
      parse.header(index, name);
    } else if (lines.entry()) {
      parse.option(index, text.slice(start, text.indexOf("=", start)).trim().toLowerCase());
    } else {
      break;
    }
    start = next;
  }
  return { start, index, header };
}

function seen(
  line: number,
  sdk: Line,
  botocore: BotoLine,
  sdkSection: string | undefined,
  botocoreSection: string | undefined,
): Seen {
  return { line, sdk, botocore, sdkSection, botocoreSection };
}

function profileIn<Key>(profiles: Map<Key, Profile>, name: Key): Profile {
  let profile = profiles.get(name);
  if (profile === undefined) {
    profile = { headers: [], settings: new Map() };
    profiles.set(name, profile);
  }
  return profile;
}

function noteDefault(
  defaults: { plain: number | undefined; prefixed: number | undefined },
  header: string,
  index: number,
): void {
  const kind = header === "default" ? "plain" : "prefixed";
  defaults[kind] ??= index;
}

/** How the readers differ on `subject` in the file, if they do. */
function compare(reading: Reading, subject: Subject): string | undefined {
  const sdk = reading.sdk.get(subject);
  const botocore = reading.botocore.get(subject);
  if (sdk === undefined && botocore === undefined) return undefined;
  if (sdk === undefined) return onlyBotocoreHeader(reading, subject, botocore!.headers[0]!);
  if (botocore === undefined) return onlySdkHeader(reading, subject, sdk.headers[0]!);
  const [kind] = split(subject);
  for (const key of kind === "profile" ? IDENTITY_SETTINGS : SSO_SESSION_SETTINGS) {
    const bySdk = sdk.settings.get(key);
    const byBotocore = botocore.settings.get(key);
    const empty = byBotocore !== undefined && isEmpty(reading, byBotocore);
    if (byBotocore !== undefined && (bySdk === undefined || empty)) {
      return onlyBotocoreSetting(key, byBotocore, empty, bySdk);
    }
    if (bySdk === undefined) continue;
    if (byBotocore === undefined) return onlySdkSetting(reading, subject, key, bySdk);
    // Both read the setting: to the same value?
    if (valueBySdk(bySdk) === valueByBotocore(reading, byBotocore)) continue;
    if (byBotocore.line > bySdk.line) return onlyBotocoreSetting(key, byBotocore, false, bySdk);
    if (bySdk.line > byBotocore.line) {
      return onlySdkSetting(reading, subject, key, bySdk, byBotocore);
    }
    return differentValues(reading, key, bySdk);
  }
  return undefined;
}

/** The value of the setting the SDK reads on line `seen`. */
function valueBySdk(seen: Seen): string {
  const { sdk } = seen;
  return sdk.kind === "entry" ? sdk.text.slice(sdk.start, sdk.end) : "";
}

/**
 * The value of the setting botocore reads on line `seen`, when it is all on
 * that line: continued on later lines, it holds a line break, which no value
 * of the SDK's does.
 */
function valueByBotocore(reading: Reading, seen: Seen): string | undefined {
  const { botocore } = seen;
  return botocore.kind === "option" && !reading.continued.has(seen.line)
    ? botocore.value
    : undefined;
}

function isEmpty(reading: Reading, seen: Seen): boolean {
  return seen.botocore.kind === "option" && seen.botocore.value === "" &&
    !reading.continued.has(seen.line);
}

/** Why the readers take different values for setting `key`, which both read on line `seen`. */
function differentValues(reading: Reading, key: string, seen: Seen): string {
  const at = `line ${seen.line + 1}`;
  const continuation = reading.continued.get(seen.line);
  if (continuation !== undefined) {
    return `botocore reads line ${continuation + 1} as part of the value of ${key} on ${at}, ` +
      `${SDK} does not; unindent line ${continuation + 1} or delete it`;
  }
  const sdk = seen.sdk as Extract<Line, { kind: "entry" }>;
  if (/^[#;]/.test(sdk.text.slice(sdk.end).trimStart())) {
    return `${SDK} ends the value of ${key} on ${at} at a comment, botocore reads the comment ` +
      "as part of the value; put the comment on a line of its own";
  }
  // Both take the rest of the line after the `=`, each trimmed its own way.
  const uneven = unevenTrim(sdk.text.slice(sdk.text.indexOf("=") + 1));
  if (uneven === undefined) return `botocore and ${SDK} read different values of ${key} on ${at}`;
  const [trims, keeps] = uneven.trimmedBy === "sdk" ? [SDK, "botocore"] : ["botocore", SDK];
  return `the value of ${key} on ${at} ${uneven.at === "start" ? "starts" : "ends"} with ` +
    `${codePoint(uneven.char)}, which ${trims} trims from it and ${keeps} keeps; delete it`;
}

/** The subjects `subject` names in the file, as each reader reads them. */
function references(reading: Reading, subject: Subject): Subject[] {
  const found: Subject[] = [];
  for (const key of ["source_profile", "sso_session"]) {
    const bySdk = reading.sdk.get(subject)?.settings.get(key)?.sdk;
    const byBotocore = reading.botocore.get(subject)?.settings.get(key)?.botocore;
    const values = [
      bySdk?.kind === "entry" ? bySdk.text.slice(bySdk.start, bySdk.end) : undefined,
      byBotocore?.kind === "option" ? byBotocore.value : undefined,
    ];
    for (const value of values) {
      const other = value === undefined ? undefined : named(key, value);
      if (other !== undefined) found.push(subjectOf(other));
    }
  }
  return found;
}

/** How the subject's header should be written for both readers. */
function header(reading: Reading, subject: Subject): string {
  const [kind, name] = split(subject);
  if (kind === "sso-session") return `[sso-session ${name}]`;
  return reading.kind === "credentials" || name === "default" ? `[${name}]` : `[profile ${name}]`;
}

/** The line up to its delimiter, then an ellipsis for the value, which may be a secret. */
function written(seen: Seen, delimiter: number, empty = false): string {
  const key = seen.sdk.text.slice(0, delimiter + 1).trimEnd();
  return JSON.stringify(empty ? key : `${key} …`);
}

/** What one reader does with a line, and the fix, if there is one to give. */
type Treatment = [what: string, fix?: string];

/** What botocore does with a line that the SDK reads as a header or setting, where botocore does not. */
function botocoreReading(seen: Seen, fix: string): Treatment {
  const { botocore } = seen;
  if (botocore.kind === "continuation") {
    return [`reads that line as part of the value on line ${botocore.option + 1}`, "unindent it"];
  }
  if (botocore.kind === "error") return ["cannot read that line", fix];
  if (botocore.kind === "header") return [`reads it as section [${botocore.name}]`, fix];
  return ["does not", fix];
}

/** The sentence of a setting one reader reads on a line: what the other does, then the fix. */
function sentence(start: string, [what, fix]: Treatment, elsewhere: Seen | undefined): string {
  const also = elsewhere === undefined ? "" : ` and reads it on line ${elsewhere.line + 1}`;
  return `${start}${what}${also}${fix === undefined ? "" : `; ${fix}`}`;
}

function onlyBotocoreHeader(reading: Reading, subject: Subject, seen: Seen): string {
  const botocore = seen.botocore as Extract<BotoLine, { kind: "header" }>;
  const start = `botocore reads [${botocore.name}] on line ${seen.line + 1} as ` +
    `${describe(subject)}, ${SDK}`;
  return seen.sdk.kind === "header"
    ? `${start} does not; write it as ${header(reading, subject)}`
    : `${start} does not read that line as a header; put comments on a line of their own`;
}

function onlySdkHeader(reading: Reading, subject: Subject, seen: Seen): string {
  const sdk = seen.sdk as Extract<Line, { kind: "header" }>;
  return sentence(
    `${SDK} reads [${sdk.name}] on line ${seen.line + 1} as ${describe(subject)}, botocore `,
    botocoreReading(seen, `write it as ${header(reading, subject)}`),
    undefined,
  );
}

/**
 * Setting `key` as botocore reads it on line `seen`, where the SDK does not
 * (or reads it empty): `bySdk` is where the SDK reads the setting instead.
 */
function onlyBotocoreSetting(
  key: string,
  seen: Seen,
  empty: boolean,
  bySdk: Seen | undefined,
): string {
  const delimiter = seen.sdk.text.search(/[=:]/);
  // `"key =", empty`: not `"key =")`, which redact() would take for a secret after the `=`.
  const as = `${key} on line ${seen.line + 1} (written ${written(seen, delimiter, empty)}` +
    `${empty ? ", empty" : ""})`;
  return sentence(
    `botocore sees ${as}, ${SDK} `,
    sdkReading(key, seen, delimiter, empty),
    bySdk,
  );
}

/** What the SDK does with line `seen`, where botocore reads setting `key`. */
function sdkReading(key: string, seen: Seen, delimiter: number, empty: boolean): Treatment {
  const { sdk } = seen;
  const fill = empty ? "give it a value or delete the line" : "write its value on that line";
  if (sdk.kind === "opener" && sdk.text.slice(delimiter + 1).trim() === "") {
    return ["reads it as the start of a sub-section", fill];
  }
  if (empty) return ["does not", fill];
  if (sdk.text[delimiter] === ":") return ["does not", 'write it as "key = value"'];
  const written = sdk.text.slice(0, delimiter);
  if (written.trim() !== key) {
    const uneven = unevenTrim(written);
    return uneven === undefined
      ? ["does not", "write the key in lower case"]
      : ["does not", `delete the ${codePoint(uneven.char)} ${placed(uneven.at)} the key`];
  }
  if (sdk.kind === "opener") {
    return ["reads its value as a comment", "put comments on a line of their own"];
  }
  if (sdk.kind === "entry" && sdk.open !== undefined) {
    return [`reads it in the sub-section ${sdk.open}`, "unindent it"];
  }
  return [
    seen.sdkSection === undefined
      ? "reads it before any section"
      : `reads it in section [${seen.sdkSection}]`,
  ];
}

const placed = (at: "start" | "end") => at === "start" ? "before" : "after";

/**
 * Setting `key` of `subject` as the SDK reads it on line `seen`, where
 * botocore does not: `byBotocore` is where botocore reads the setting instead.
 */
function onlySdkSetting(
  reading: Reading,
  subject: Subject,
  key: string,
  seen: Seen,
  byBotocore?: Seen,
): string {
  const delimiter = seen.sdk.text.indexOf("=");
  const start = `${SDK} sees ${key} on line ${seen.line + 1} (written ` +
    `${written(seen, delimiter)}), botocore `;
  const section = seen.botocoreSection;
  if (seen.botocore.kind !== "option" || section === undefined) {
    // A line that continues the setting's value needs no word on where botocore reads it.
    const continues = seen.botocore.kind === "continuation" &&
      seen.botocore.option === byBotocore?.line;
    return sentence(
      start,
      botocoreReading(seen, 'write it as "key = value" in the profile\'s section'),
      continues ? undefined : byBotocore,
    );
  }
  if (section === reading.botocore.get(subject)!.section) {
    // botocore reads another key there: one with a character the SDK trims from keys.
    const uneven = unevenTrim(seen.sdk.text.slice(0, delimiter));
    const fix = uneven && `delete the ${codePoint(uneven.char)} ${placed(uneven.at)} the key`;
    return sentence(start, fix === undefined ? ["does not"] : ["does not", fix], byBotocore);
  }
  const where = `reads that line in section [${section}]`;
  const found = botocoreFound(section, reading.kind);
  return sentence(
    start,
    found !== undefined && subjectOf(found) === subject
      ? [`${where}, which a later section of ${describe(subject)} replaces`, "keep one"]
      : [where],
    byBotocore,
  );
}
