/** The credentials aec exports, independent of where they came from. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** RFC 3339 in UTC with whole seconds, e.g. `2026-01-02T03:04:05Z`. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
