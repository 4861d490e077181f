/**
 * The platforms aec is released for: every target `deno compile --target`
 * offers in the pinned Deno (see `deno compile --target x` for the list).
 * scripts/compile.ts builds them and the release workflow smoke-tests each on
 * a native runner; tests/workflows_test.ts checks that the two agree.
 */

export interface Target {
  /** The target triple `deno compile --target` takes. */
  readonly triple: string;
  /** The archive format usual on the platform. */
  readonly archive: "tar.gz" | "zip";
  /** The binary's file name inside the archive. */
  readonly binary: "aec" | "aec.exe";
}

export const TARGETS: readonly Target[] = [
  { triple: "x86_64-unknown-linux-gnu", archive: "tar.gz", binary: "aec" },
  { triple: "aarch64-unknown-linux-gnu", archive: "tar.gz", binary: "aec" },
  { triple: "x86_64-apple-darwin", archive: "tar.gz", binary: "aec" },
  { triple: "aarch64-apple-darwin", archive: "tar.gz", binary: "aec" },
  { triple: "x86_64-pc-windows-msvc", archive: "zip", binary: "aec.exe" },
  { triple: "aarch64-pc-windows-msvc", archive: "zip", binary: "aec.exe" },
];

/** The folder every archive unpacks to: `aec-<version>-<triple>`. */
export function archiveRoot(version: string, target: Target): string {
  return `aec-${version}-${target.triple}`;
}

/** The archive's file name: `aec-<version>-<triple>.tar.gz` (`.zip` for Windows). */
export function archiveName(version: string, target: Target): string {
  return `${archiveRoot(version, target)}.${target.archive}`;
}
