/**
 * The reader agreement check. The AWS CLI (botocore, through Python's
 * configparser) and aec (the AWS SDK for JavaScript) parse the AWS config and
 * credentials files differently, and some files read as different
 * identities: `key: value` and `KEY = value`, which only botocore reads;
 * `key =`, which the SDK reads as the start of a sub-section; an indented key
 * after a value, which botocore reads as part of that value; text after a
 * header's `]`; a profile in two spellings of its header; `[DEFAULT]`, whose
 * keys botocore gives every profile; a lone CR; `[__proto__]`, for which the
 * SDK drops the whole file.
 *
 * {@link readerDisagreement} finds where the two readings of the profiles
 * that matter differ in their credential settings or their sections, before
 * anything resolves, so that aec refuses rather than hand over an identity
 * the AWS CLI would not. Pure and free of npm modules, since it runs before
 * cache hits too: each file is read in one pass, keeping only its headers and
 * credential settings.
 *
 * @module
 */

import {
  type AwsFileKind,
  botocoreProfileName,
  type BotoLine,
  type Line,
  scanBothWays,
  sdkProfileName,
} from "./ini.ts";
import { CREDENTIAL_SETTINGS } from "./profile_settings.ts";

/** An AWS file and its text ("" when it is missing). */
export interface AwsFile {
  path: string;
  text: string;
}

/** A line where one reader finds a header or a credential setting, as both read it. */
interface Seen {
  /** The index of the line. */
  line: number;
  sdk: Line;
  botocore: BotoLine;
  /** The names of the sections each reader reads the line in. */
  sdkSection: string | undefined;
  botocoreSection: string | undefined;
}

/** A profile in one file, as one reader reads it. */
interface Profile {
  /** The headers of its sections. */
  headers: Seen[];
  /** Its credential settings, each where it is set last; for botocore, those of its last section. */
  settings: Map<string, Seen>;
}

/** A profile as botocore reads it: only its last section counts. */
interface BotocoreProfile extends Profile {
  /** The name of its last section. */
  section: string;
}

/** A file as both readers read it: the profiles wanted when it was read. */
interface Reading {
  path: string;
  kind: AwsFileKind;
  sdk: Map<string, Profile>;
  botocore: Map<string, BotocoreProfile>;
  /** The credential settings whose value botocore continues on later lines. */
  continued: Set<number>;
  /** Every profile either reader finds in the file. */
  names: Set<string>;
}

const SDK = "the AWS SDK for JavaScript";
// A section the SDK reads that makes it drop the whole file.
const SDK_REJECTED = ["__proto__", "profile __proto__"];

/**
 * Why the AWS CLI and aec would read the files as different identities for
 * `profile`, as one line naming the file, the profile and what differs; or
 * `undefined` when they would not. It compares the credential settings and
 * the sections of `profile`, of every profile on its `source_profile` chain
 * (as either reader reads it) and of the profiles in `also`, file by file;
 * and refuses outright a file with a lone CR, a `[__proto__]` section, a
 * `[DEFAULT]` section with a credential setting, or a config file with both
 * `[default]` and `[profile default]`.
 */
export function readerDisagreement(
  files: { config: AwsFile; credentials: AwsFile },
  profile: string,
  also: readonly string[] = [],
): string | undefined {
  const sources = [["config", files.config], ["credentials", files.credentials]] as const;
  const readings: (Reading | undefined)[] = [];
  const wanted = new Set([profile, ...also]);
  // Each file is read once, and again only if a source_profile found later
  // names a profile it has already passed.
  const stale = sources.map(() => true);
  for (let index = stale.indexOf(true); index !== -1; index = stale.indexOf(true)) {
    stale[index] = false;
    const [kind, file] = sources[index]!;
    const reading = read(file, kind, wanted, (name, passed) => {
      if (wanted.has(name)) return;
      wanted.add(name);
      if (passed.has(name)) stale[index] = true;
      readings.forEach((other, at) => {
        if (other?.names.has(name)) stale[at] = true;
      });
    });
    if (typeof reading === "string") return differently(profile, file.path, reading);
    readings[index] = reading;
  }
  const pending = [profile, ...also];
  const checked = new Set<string>();
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    if (checked.has(name)) continue;
    checked.add(name);
    for (const reading of readings) {
      const problem = compare(reading!, name);
      if (problem) return differently(name, reading!.path, problem);
      pending.push(...sourceProfiles(reading!, name));
    }
  }
  return undefined;
}

function differently(profile: string, path: string, problem: string): string {
  const line = `The AWS CLI and aec would read profile ${JSON.stringify(profile)} differently ` +
    `in ${path}: ${problem}`;
  // Names appear as written, but no character in them may break the line.
  return line.replace(
    /(?!\t)[\p{Cc}\u2028\u2029]/gu,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The file read both ways in one pass, keeping the headers and credential
 * settings of the `wanted` profiles only; or why it cannot be read the same
 * way at all. `discover` hears of each source_profile of a wanted profile,
 * with the profiles the pass has found so far.
 */
function read(
  file: AwsFile,
  kind: AwsFileKind,
  wanted: ReadonlySet<string>,
  discover: (name: string, passed: ReadonlySet<string>) => void,
): Reading | string {
  const names = new Set<string>();
  const sdk = new Map<string, Profile>();
  // botocore's configparser sections of wanted profiles and [DEFAULT], in order of first appearance.
  const sections = new Map<string, Profile>();
  const options = new Set<number>();
  const continued = new Set<number>();
  // The first `[default]` and `[profile default]` header, as either reader reads it.
  const defaults = {
    plain: undefined as number | undefined,
    prefixed: undefined as number | undefined,
  };
  let sdkProfile: Profile | undefined;
  let section: Profile | undefined;
  let sdkSection: string | undefined;
  let botocoreSection: string | undefined;
  let index = -1;
  for (const { sdk: sdkLine, botocore } of scanBothWays(file.text)) {
    index++;
    if (botocore === undefined) {
      return `line ${index + 1} ends in a lone CR, which ends a line for botocore only; ` +
        "use LF or CRLF line endings";
    }
    if (sdkLine.kind === "header") sdkSection = sdkLine.name;
    if (botocore.kind === "header") botocoreSection = botocore.name;

    if (sdkLine.kind === "header") {
      if (SDK_REJECTED.includes(sdkLine.name)) {
        return `${SDK} ignores the whole file for its section [${sdkLine.name}] on line ` +
          `${index + 1}, botocore does not; rename that section`;
      }
      const name = sdkProfileName(sdkLine.name, kind);
      if (name !== undefined) names.add(name);
      sdkProfile = name !== undefined && wanted.has(name) ? profileIn(sdk, name) : undefined;
      sdkProfile?.headers.push(seen(index, sdkLine, botocore, sdkSection, botocoreSection));
      if (kind === "config" && name === "default") noteDefault(defaults, sdkLine.name, index);
    } else if (
      sdkProfile && sdkLine.kind === "entry" && CREDENTIAL_SETTINGS.includes(sdkLine.key)
    ) {
      sdkProfile.settings.set(
        sdkLine.key,
        seen(index, sdkLine, botocore, sdkSection, botocoreSection),
      );
      if (sdkLine.key === "source_profile") {
        discover(sdkLine.text.slice(sdkLine.start, sdkLine.end), names);
      }
    }
    if (botocore.kind === "header") {
      const name = botocoreProfileName(botocore.name, kind);
      if (name !== undefined) names.add(name);
      const kept = botocore.name === "DEFAULT" || (name !== undefined && wanted.has(name));
      section = kept ? profileIn(sections, botocore.name) : undefined;
      section?.headers.push(seen(index, sdkLine, botocore, sdkSection, botocoreSection));
      if (kind === "config" && name === "default") noteDefault(defaults, botocore.name, index);
    } else if (
      section && botocore.kind === "option" && CREDENTIAL_SETTINGS.includes(botocore.key)
    ) {
      section.settings.set(
        botocore.key,
        seen(index, sdkLine, botocore, sdkSection, botocoreSection),
      );
      options.add(index);
      if (botocore.key === "source_profile") discover(botocore.value, names);
    } else if (botocore.kind === "continuation" && options.has(botocore.option)) {
      continued.add(botocore.option);
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

  const botocoreProfiles = new Map<string, BotocoreProfile>();
  for (const [name, section] of sections) {
    const profile = botocoreProfileName(name, kind);
    if (profile === undefined) continue;
    // build_profile_map(): a later section of a profile replaces the earlier ones.
    const headers = botocoreProfiles.get(profile)?.headers ?? [];
    botocoreProfiles.set(profile, {
      headers: [...headers, ...section.headers],
      settings: section.settings,
      section: name,
    });
  }
  return { path: file.path, kind, sdk, botocore: botocoreProfiles, continued, names };
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

function profileIn(profiles: Map<string, Profile>, name: string): Profile {
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

/** How the readers differ on profile `name` of the file, if they do. */
function compare(reading: Reading, name: string): string | undefined {
  const sdk = reading.sdk.get(name);
  const botocore = reading.botocore.get(name);
  if (sdk === undefined && botocore === undefined) return undefined;
  if (sdk === undefined) return onlyBotocoreHeader(reading, name, botocore!.headers[0]!);
  if (botocore === undefined) return onlySdkHeader(reading, name, sdk.headers[0]!);
  for (const key of CREDENTIAL_SETTINGS) {
    const bySdk = sdk.settings.get(key);
    const byBotocore = botocore.settings.get(key);
    const empty = byBotocore !== undefined && isEmpty(reading, byBotocore);
    if (byBotocore !== undefined && (bySdk === undefined || empty)) {
      return onlyBotocoreSetting(key, byBotocore, empty, bySdk);
    }
    if (bySdk !== undefined && byBotocore === undefined) {
      return onlySdkSetting(reading, name, key, bySdk);
    }
  }
  return undefined;
}

function isEmpty(reading: Reading, seen: Seen): boolean {
  return seen.botocore.kind === "option" && seen.botocore.value === "" &&
    !reading.continued.has(seen.line);
}

/** The `source_profile` of profile `name` in the file, as each reader reads it. */
function sourceProfiles(reading: Reading, name: string): string[] {
  const sources: string[] = [];
  const bySdk = reading.sdk.get(name)?.settings.get("source_profile")?.sdk;
  if (bySdk?.kind === "entry") sources.push(bySdk.text.slice(bySdk.start, bySdk.end));
  const byBotocore = reading.botocore.get(name)?.settings.get("source_profile")?.botocore;
  if (byBotocore?.kind === "option") sources.push(byBotocore.value);
  return sources;
}

/** How the profile's header should be written for both readers. */
function header(reading: Reading, name: string): string {
  return reading.kind === "credentials" || name === "default" ? `[${name}]` : `[profile ${name}]`;
}

/** The line up to its delimiter, then an ellipsis for the value, which may be a secret. */
function written(seen: Seen, delimiter: number, empty = false): string {
  const key = seen.sdk.text.slice(0, delimiter + 1).trimEnd();
  return JSON.stringify(empty ? key : `${key} …`);
}

/** How botocore reads a line that the SDK reads as a header or setting, where botocore does not. */
function botocoreReading(seen: Seen, fix: string): string {
  const { botocore } = seen;
  if (botocore.kind === "continuation") {
    return `botocore reads that line as part of the value on line ${botocore.option + 1}; ` +
      "unindent it";
  }
  if (botocore.kind === "error") return `botocore cannot read that line; ${fix}`;
  if (botocore.kind === "header") return `botocore reads it as section [${botocore.name}]; ${fix}`;
  return `botocore does not; ${fix}`;
}

function onlyBotocoreHeader(reading: Reading, name: string, seen: Seen): string {
  const botocore = seen.botocore as Extract<BotoLine, { kind: "header" }>;
  const start = `botocore reads [${botocore.name}] on line ${seen.line + 1} as profile ` +
    `${JSON.stringify(name)}, ${SDK}`;
  return seen.sdk.kind === "header"
    ? `${start} does not; write it as ${header(reading, name)}`
    : `${start} does not read that line as a header; put comments on a line of their own`;
}

function onlySdkHeader(reading: Reading, name: string, seen: Seen): string {
  const sdk = seen.sdk as Extract<Line, { kind: "header" }>;
  return `${SDK} reads [${sdk.name}] on line ${seen.line + 1} as profile ` +
    `${JSON.stringify(name)}, ${botocoreReading(seen, `write it as ${header(reading, name)}`)}`;
}

function onlyBotocoreSetting(
  key: string,
  seen: Seen,
  empty: boolean,
  bySdk: Seen | undefined,
): string {
  const { sdk } = seen;
  const delimiter = sdk.text.search(/[=:]/);
  // `"key =", empty`: not `"key =")`, which redact() would take for a secret after the `=`.
  const as = `${key} on line ${seen.line + 1} (written ${written(seen, delimiter, empty)}` +
    `${empty ? ", empty" : ""})`;
  const start = `botocore sees ${as}, ${SDK}`;
  const fill = empty ? "give it a value or delete the line" : "write its value on that line";
  if (bySdk !== undefined) return `${start} reads the value on line ${bySdk.line + 1}; ${fill}`;
  if (sdk.kind === "opener" && sdk.text.slice(delimiter + 1).trim() === "") {
    return `${start} reads it as the start of a sub-section; ${fill}`;
  }
  if (empty) return `${start} does not; ${fill}`;
  if (sdk.text[delimiter] === ":") return `${start} does not; write it as "key = value"`;
  if (sdk.text.slice(0, delimiter).trim() !== key) {
    return `${start} does not; write the key in lower case`;
  }
  if (sdk.kind === "opener") {
    return `${start} reads its value as a comment; put comments on a line of their own`;
  }
  if (sdk.kind === "entry" && sdk.open !== undefined) {
    return `${start} reads it in the sub-section ${sdk.open}; unindent it`;
  }
  return seen.sdkSection === undefined
    ? `${start} reads it before any section`
    : `${start} reads it in section [${seen.sdkSection}]`;
}

function onlySdkSetting(reading: Reading, name: string, key: string, seen: Seen): string {
  const start = `${SDK} sees ${key} on line ${seen.line + 1} (written ` +
    `${written(seen, seen.sdk.text.indexOf("="))}), `;
  const section = seen.botocoreSection;
  if (seen.botocore.kind !== "option" || section === undefined) {
    return start + botocoreReading(seen, 'write it as "key = value" in the profile\'s section');
  }
  if (section === reading.botocore.get(name)!.section) return `${start}botocore does not`;
  const where = `${start}botocore reads that line in section [${section}]`;
  return botocoreProfileName(section, reading.kind) === name
    ? `${where}, which a later section of profile ${JSON.stringify(name)} replaces; keep one`
    : where;
}
