/** One line of progress on a terminal's stderr, redrawn in place and cleared when done. */

const encoder = new TextEncoder();
// Redrawing more often only makes the terminal flicker.
const REDRAW_GAP_MS = 100;

export interface ProgressLine {
  /** Shows `text`, unless the last one is younger than a tenth of a second and `final` is not set. */
  show(text: string, final?: boolean): void;
  /** Erases the line, if one is shown. */
  clear(): void;
}

/** A progress line, or one that shows nothing when `terminal` is false (stderr is a pipe, or `--debug` writes lines there). */
export function progressLine(terminal: boolean): ProgressLine {
  let shownAt = 0;
  let shown = false;
  return {
    show(text, final = false) {
      const now = Date.now();
      if (!terminal || (now - shownAt < REDRAW_GAP_MS && !final)) return;
      shownAt = now;
      shown = true;
      Deno.stderr.writeSync(encoder.encode(`\r\x1b[K${text}`));
    },
    clear() {
      if (shown) Deno.stderr.writeSync(encoder.encode("\r\x1b[K"));
      shown = false;
    },
  };
}
