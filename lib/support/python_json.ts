/**
 * `json.dumps(value, sort_keys=True)` as Python writes it, with its default
 * separators (`", "` and `": "`, or `","` and `":"` when compact) and ASCII
 * escapes. The AWS CLI hashes such text into its cache file names; matching
 * it byte for byte lets aec find the CLI's files and the CLI find aec's.
 */

export type PythonJson = string | number | boolean | null | PythonJson[] | {
  [key: string]: PythonJson | undefined;
};

export interface DumpsOptions {
  /** Python's `separators=(",", ":")`, as botocore's SSO credential cache keys use. */
  compact?: boolean;
}

export function pythonJsonDumps(value: PythonJson, options: DumpsOptions = {}): string {
  const [item, key] = options.compact ? [",", ":"] : [", ", ": "];
  const dumps = (value: PythonJson): string => {
    if (value === null) return "null";
    if (typeof value === "string") return pythonString(value);
    if (typeof value === "number" || typeof value === "boolean") return JSON.stringify(value);
    if (Array.isArray(value)) return `[${value.map(dumps).join(item)}]`;
    const entries = Object.entries(value)
      .filter((entry): entry is [string, PythonJson] => entry[1] !== undefined)
      // Python sorts keys by code point; so does comparing UTF-16 for the BMP keys used here.
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${
      entries.map(([name, entry]) => `${pythonString(name)}${key}${dumps(entry)}`).join(item)
    }}`;
  };
  return dumps(value);
}

/** A JSON string with every character outside printable ASCII escaped, as `ensure_ascii` does. */
function pythonString(text: string): string {
  return JSON.stringify(text).replace(
    /[\u007f-\uffff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** The SHA-1 of `text` (UTF-8) in lower-case hex, as the AWS CLI names its cache files. */
export async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
