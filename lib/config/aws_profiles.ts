/**
 * The AWS config and credentials files read the way the SDK reads them, with
 * aec's own INI reader and no npm module: for the paths that must stay cheap
 * (cache hits, the AWS CLI's cache).
 *
 * @module
 */

import { configFilePath, credentialsFilePath } from "./aws_files.ts";
import { type AwsFileKind, parseIni, sdkProfileName, sectionTexts } from "./ini.ts";
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
 * The sections of one AWS file, parsed once, by the names they are looked up
 * by: so that a look-up per profile (the fingerprint of each profile of `aec
 * profiles`, a `source_profile` chain) costs a map access, not a parse of the
 * file.
 */
interface SectionIndex {
  /** By the header as written: the credentials file's profiles. */
  byHeader: Map<string, Entries[]>;
  /**
   * As the config file's `[prefix name]` (and `[default]`, as `profile
   * default`), keyed `prefix name`; in order of first appearance.
   */
  byConfigName: Map<string, Entries[]>;
}

// The last few files indexed: one process reads a handful of texts, and a text
// it reads again is usually the same string.
const indexes = new Map<string, SectionIndex>();
const MAX_INDEXES = 4;

function push(map: Map<string, Entries[]>, key: string, entries: Entries) {
  const list = map.get(key);
  if (list) list.push(entries);
  else map.set(key, [entries]);
}

/** The sections of `text`, indexed; parsed once for as long as it is among the last few. */
function sectionIndex(text: string): SectionIndex {
  const known = indexes.get(text);
  if (known) return known;
  const index: SectionIndex = { byHeader: new Map(), byConfigName: new Map() };
  for (const section of parseIni(text)) {
    push(index.byHeader, section.name, section.entries);
    const header = section.name.trim();
    if (header === "default") push(index.byConfigName, "profile default", section.entries);
    const match = CONFIG_HEADER.exec(header);
    if (match) push(index.byConfigName, `${match[1]} ${match[3]}`, section.entries);
  }
  if (indexes.size >= MAX_INDEXES) indexes.clear();
  indexes.set(text, index);
  return index;
}

/** Every config-file section the SDK reads as `[prefix name]`, in file order. */
export function configSections(
  config: string,
  prefix: "profile" | "sso-session",
  name: string,
): Entries[] {
  return sectionIndex(config).byConfigName.get(`${prefix} ${name}`) ?? [];
}

/**
 * The keys of section `[name]` of a credentials file, or `undefined` when it
 * has none; sections of one name read as one, the later keys winning.
 */
export function credentialsSection(credentials: string, name: string): Entries | undefined {
  const sections = sectionIndex(credentials).byHeader.get(name);
  // Own properties only, never a prototype: a key may be `__proto__`.
  return sections && Object.fromEntries(sections.flatMap(Object.entries));
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
  for (const [key, list] of sectionIndex(files.config).byConfigName) {
    const space = key.indexOf(" ");
    const [prefix, name] = [key.slice(0, space), key.slice(space + 1)];
    if (prefix === "profile") merge(profiles, name, list);
    if (prefix === "sso-session") merge(sessions, name, list);
  }
  for (const [name, list] of sectionIndex(files.credentials).byHeader) {
    // The SDK reads `[word name]` in the credentials file as another kind of section.
    if (!CONFIG_HEADER.test(name)) merge(profiles, name, list);
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
