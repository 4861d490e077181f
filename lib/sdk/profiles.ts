/** The AWS config files as the SDK itself parses them (this loads the SDK's INI loader). */

import {
  type AwsFileKind,
  type Profiles,
  readAwsFile,
  type SdkSection,
  sdkSections,
  sectionsFor,
  SERVED_PROFILE,
} from "../config/mod.ts";
import type { Logger } from "../support/mod.ts";

/** Every profile, and every sso-session, of the config and credentials files. */
export async function readSdkProfiles(
  profile: string,
): Promise<{ profiles: Profiles; sessions: Profiles }> {
  const { parseKnownFiles, loadSsoSessionData } = await import("@smithy/shared-ini-file-loader");
  const [profiles, sessions] = await Promise.all([
    parseKnownFiles({ profile }),
    loadSsoSessionData(),
  ]);
  return { profiles, sessions };
}

/** A file the SDK reads, by the path it reads it at, split into sections. */
interface HandedFile {
  path: string;
  sections: SdkSection[];
}

/**
 * What this process hands the SDK: each file read once, as the SDK itself
 * caches a file's text for the life of the process, and every profile handed
 * so far, so that a provider made earlier still finds its own.
 */
let handed: { files: Promise<HandedFile[]>; profiles: Set<string>; whole: boolean } | undefined;

/**
 * The profiles and sso-sessions that resolving `profile` reads, as the SDK
 * reads them, after handing the SDK, in place of the AWS files, only their
 * sections it reads for that: the profile and its `source_profile` chain,
 * `default` and `AWS_PROFILE`'s (clients read their settings),
 * {@link SERVED_PROFILE} (which `--serve --exec` must not find), and every
 * sso-session and services section. The SDK reads and parses the files again
 * at each step of a resolution; on a config of thousands of profiles, that
 * was the slow part. A profile the files do not have gets the whole files, for
 * the names in its message.
 */
export async function readSdkProfilesFor(
  profile: string,
  log: Logger,
): Promise<{ profiles: Profiles; sessions: Profiles }> {
  const { externalDataInterceptor } = await import("@smithy/shared-ini-file-loader");
  handed ??= { files: filesTheSdkReads(), profiles: new Set(), whole: false };
  const { profiles: names } = handed;
  for (const name of [profile, "default", Deno.env.get("AWS_PROFILE"), SERVED_PROFILE]) {
    if (name) names.add(name);
  }
  const files = await handed.files;
  for (;;) {
    const counts = files.map(({ path, sections }) => {
      const kept = handed!.whole ? sections : sectionsFor(sections, names);
      externalDataInterceptor.interceptFile(path, kept.map(({ text }) => text).join(""));
      return `${kept.length} of ${sections.length} sections of ${path}`;
    });
    const read = await readSdkProfiles(profile);
    if (handed.whole) return read;
    if (!Object.hasOwn(read.profiles, profile)) {
      handed.whole = true;
      continue;
    }
    // The chain as the SDK reads it; a link aec's reading missed is added, and read again.
    const missing = sourceChain(read.profiles, profile).filter((name) => !names.has(name));
    if (missing.length === 0) {
      log.debug(`the SDK reads ${counts.join(" and ")} (profiles ${[...names].join(", ")})`);
      return read;
    }
    for (const name of missing) names.add(name);
  }
}

/** `profile` and the profiles its `source_profile`s lead to. */
function sourceChain(profiles: Profiles, profile: string): string[] {
  const chain: string[] = [];
  for (let name: string | undefined = profile; name !== undefined && !chain.includes(name);) {
    chain.push(name);
    name = Object.hasOwn(profiles, name) ? profiles[name]?.source_profile : undefined;
  }
  return chain;
}

/**
 * The config and credentials files at the paths the SDK reads them, as it
 * reads them; a file aec cannot read so (not a regular file, say) is left to
 * the SDK.
 */
async function filesTheSdkReads(): Promise<HandedFile[]> {
  const [{ getHomeDir }, { join }] = await Promise.all([
    import("@smithy/shared-ini-file-loader"),
    import("node:path"),
  ]);
  // As the SDK's loadSharedConfigFiles() resolves them.
  const sdkPath = (variable: string, file: string) => {
    const path = Deno.env.get(variable) || join(getHomeDir(), ".aws", file);
    return path.startsWith("~/") ? join(getHomeDir(), path.slice(2)) : path;
  };
  const read = async (path: string, kind: AwsFileKind) => {
    try {
      const { text } = await readAwsFile(path);
      return [{ path, sections: sdkSections(text, kind) }];
    } catch {
      return [];
    }
  };
  const files = await Promise.all([
    read(sdkPath("AWS_CONFIG_FILE", "config"), "config"),
    read(sdkPath("AWS_SHARED_CREDENTIALS_FILE", "credentials"), "credentials"),
  ]);
  return files.flat();
}
