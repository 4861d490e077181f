const encoder = new TextEncoder();

/** Writes `text` to stdout whole: one write() may take only part of it. */
export async function writeStdout(text: string): Promise<void> {
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) {
    written += await Deno.stdout.write(bytes.subarray(written));
  }
}
