/**
 * The AWS config and credentials files read the way the SDK reads them, with
 * aec's own INI reader and no npm module: for the paths that must stay cheap
 * (cache hits, the AWS CLI's cache).
 *
 * @module
 */

import { configFilePath, credentialsFilePath } from "./aws_files.ts";
import {
  type AwsFileKind,
  sdkProfileName,
  sectionAt,
  sectionHeaders,
  sectionTexts,
} from "./ini.ts";
import { readRegularFile } from "../files/mod.ts";

type Env = Readonly<Record<string, string | undefined>>;

// A byte order mark stays, as the SDK reads it: botocore cannot parse a file that starts with one.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// Real config and credentials files are kilobytes; the SDK needs some fifteen
// times a file's size to parse it, so a huge one is refused, not read.
export const MAX_AWS_FILE_BYTES = 16 * 1024 * 1024;

/** An AWS file and its text ("" when it is missing). */
export interface AwsFile {
  path: string;
  text: string;
  /**
   * The first line (from 1) that is not UTF-8, if any: the text has U+FFFD
   * there, as the SDK reads it, and botocore cannot decode the file.
   */
  notUtf8Line?: number;
}

/** An AWS file and its text; "" for a missing one or `/dev/null`, as the SDK reads them. */
export async function readAwsFile(path: string): Promise<AwsFile> {
  const contents = await readRegularFile(path, { nullDevice: true, maxSize: MAX_AWS_FILE_BYTES });
  if (contents === undefined) return { path, text: "" };
  try {
    return { path, text: strictDecoder.decode(contents.bytes) };
  } catch {
    const { bytes } = contents;
    return { path, text: decoder.decode(bytes), notUtf8Line: firstNotUtf8Line(bytes) };
  }
}

/** The first line of `bytes`, which are not all UTF-8, that is not UTF-8. */
function firstNotUtf8Line(bytes: Uint8Array): number {
  for (let line = 1, start = 0;; line++) {
    const end = bytes.indexOf(0x0a, start);
    // An LF is never part of a multi-byte sequence, so the last line is the culprit if none before is.
    if (end === -1) return line;
    try {
      strictDecoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
}

/** The text of a config file; "" for a missing one or `/dev/null`, as the SDK reads them. */
export async function readIfPresent(path: string): Promise<string> {
  return (await readAwsFile(path)).text;
}

// The SDK's reading of a config-file header: `[default]`, or `[PREFIX NAME]`
// with NAME optionally quoted (`[profile "dev"]`, `[profile default]`).
const CONFIG_HEADER = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;

type Entries = Record<string, string>;

/**
 * The sections of one AWS file by the names they are looked up by, each parsed
 * when first looked up: so that a look-up per profile (the fingerprint of each
 * profile of `aec profiles`, a `source_profile` chain) costs a map access and
 * the lines of its sections, not a parse of the file.
 */
interface SectionIndex {
  /** By the header as written: the credentials file's profiles. */
  byHeader: Map<string, number[]>;
  /**
   * As the config file's `[prefix name]` (and `[default]`, as `profile
   * default`), keyed `prefix name`; in order of first appearance.
   */
  byConfigName: Map<string, number[]>;
  /** Each section's keys, by the offset of its header, once parsed. */
  parsed: Map<number, Entries>;
}

// The last few files indexed: one process reads a handful of texts, and a text
// it reads again is usually the same string.
const indexes = new Map<string, SectionIndex>();
const MAX_INDEXES = 4;

/**
 * Indexes `text` by `headers`, the offsets of its header lines by the name the
 * SDK reads in each (as {@link sectionHeaders} finds them), for a reader that
 * passed over the whole text already: the index then needs no pass of its own.
 */
export function indexSections(text: string, headers: Map<string, number[]>): void {
  const index: SectionIndex = { byHeader: headers, byConfigName: new Map(), parsed: new Map() };
  for (const [name, offsets] of headers) {
    const key = configName(name);
    if (key !== undefined) {
      index.byConfigName.set(key, [...index.byConfigName.get(key) ?? [], ...offsets]);
    }
  }
  // In file order, as each name's sections were before they were merged.
  for (const offsets of index.byConfigName.values()) offsets.sort((a, b) => a - b);
  if (indexes.size >= MAX_INDEXES) indexes.clear();
  indexes.set(text, index);
}

/** How the SDK names config-file section `[header]`: `prefix name`, or `undefined`. */
function configName(header: string): string | undefined {
  const trimmed = header.trim();
  if (trimmed === "default") return "profile default";
  const match = CONFIG_HEADER.exec(trimmed);
  return match ? `${match[1]} ${match[3]}` : undefined;
}

/** The sections of `text`, indexed once for as long as it is among the last few. */
function sectionIndex(text: string): SectionIndex {
  const known = indexes.get(text);
  if (known) return known;
  indexSections(text, sectionHeaders(text));
  return indexes.get(text)!;
}

/** The keys of the sections at `offsets` of `text`, in the order given. */
function sectionsOf(text: string, offsets: readonly number[]): Entries[] {
  const { parsed } = sectionIndex(text);
  return offsets.map((offset) => {
    let entries = parsed.get(offset);
    if (entries === undefined) {
      entries = sectionAt(text, offset);
      parsed.set(offset, entries);
    }
    return entries;
  });
}

/** Every config-file section the SDK reads as `[prefix name]`, in file order. */
export function configSections(
  config: string,
  prefix: "profile" | "sso-session",
  name: string,
): Entries[] {
  return sectionsOf(config, sectionIndex(config).byConfigName.get(`${prefix} ${name}`) ?? []);
}

/**
 * The keys of section `[name]` of a credentials file, or `undefined` when it
 * has none; sections of one name read as one, the later keys winning.
 */
export function credentialsSection(credentials: string, name: string): Entries | undefined {
  const offsets = sectionIndex(credentials).byHeader.get(name);
  // Own properties only, never a prototype: a key may be `__proto__`.
  return offsets && Object.fromEntries(sectionsOf(credentials, offsets).flatMap(Object.entries));
}

/** The texts of the config file and the credentials file. */
export interface AwsFileTexts {
  config: string;
  credentials: string;
}

/** Both files' text; "" for a missing one. */
export async function readAwsFiles(env: Env): Promise<AwsFileTexts> {
  const [config, credentials] = await Promise.all([
    readIfPresent(configFilePath(env)),
    readIfPresent(credentialsFilePath(env)),
  ]);
  return { config, credentials };
}

/**
 * Profile `name`'s settings as the SDK merges them: its config-file sections
 * in file order, then its credentials-file section, each later value winning.
 */
export function profileSettingsFromFiles(
  files: { config: string; credentials: string },
  name: string,
): Record<string, string> | undefined {
  const sections = [
    ...configSections(files.config, "profile", name),
    credentialsSection(files.credentials, name),
  ].filter((section) => section !== undefined);
  if (sections.length === 0) return undefined;
  return Object.fromEntries(sections.flatMap((section) => Object.entries(section)));
}

type Sections = Record<string, Record<string, string>>;

/**
 * Every profile and sso-session of both files, merged as the SDK merges
 * them, in file order (the config file's first).
 */
export function allProfiles(
  files: { config: string; credentials: string },
): { profiles: Sections; sessions: Sections } {
  const profiles = new Map<string, Record<string, string>>();
  const sessions = new Map<string, Record<string, string>>();
  // Spread defines own properties: a key `__proto__` stays a key.
  const merge = (into: Map<string, Record<string, string>>, name: string, list: Entries[]) =>
    into.set(
      name,
      list.reduce((merged, entries) => ({ ...merged, ...entries }), into.get(name) ?? {}),
    );
  for (const [key, offsets] of sectionIndex(files.config).byConfigName) {
    const list = sectionsOf(files.config, offsets);
    const space = key.indexOf(" ");
    const [prefix, name] = [key.slice(0, space), key.slice(space + 1)];
    if (prefix === "profile") merge(profiles, name, list);
    if (prefix === "sso-session") merge(sessions, name, list);
  }
  for (const [name, offsets] of sectionIndex(files.credentials).byHeader) {
    // The SDK reads `[word name]` in the credentials file as another kind of section.
    if (!CONFIG_HEADER.test(name)) merge(profiles, name, sectionsOf(files.credentials, offsets));
  }
  // fromEntries defines own properties: even a profile `__proto__` stays a profile.
  return { profiles: Object.fromEntries(profiles), sessions: Object.fromEntries(sessions) };
}

// What follows is for handing the SDK only the sections a resolution reads:
// it reads and parses the files again at each step of one, which on a config
// of thousands of profiles costs more than the rest of aec.

/** A section of an AWS file as written, with the profile the SDK files it under. */
export interface SdkSection {
  profile: string | undefined;
  text: string;
}

// Kept whatever the profiles: every sso-session and services section, which the
// SDK merges among the profiles under these names.
const NOT_A_PROFILE = /^(?:sso-session|services)\./;

/** The sections of `text`, an AWS file of kind `file`, split once for {@link sectionsFor}. */
export function sdkSections(text: string, file: AwsFileKind): SdkSection[] {
  return sectionTexts(text).map(({ name, text }) => ({
    profile: sdkProfileName(name, file),
    text,
  }));
}

/**
 * The sections the SDK reads as one of `profiles`, or as no profile
 * (sso-sessions, services, sections it skips), in file order: the SDK reads
 * each of `profiles` from their text as from the whole file.
 */
export function sectionsFor(
  sections: readonly SdkSection[],
  profiles: ReadonlySet<string>,
): SdkSection[] {
  return sections.filter(({ profile }) =>
    profile === undefined || profiles.has(profile) || NOT_A_PROFILE.test(profile) ||
    // The SDK refuses a whole file with it: so must it still.
    profile === "__proto__"
  );
}
