/**
 * Whether botocore can parse an AWS file at all. Its configparser
 * (`RawConfigParser()`, strict) refuses a whole file for one bad line, and
 * with it every AWS CLI command that reads the file, where the AWS SDK for
 * JavaScript reads on: a byte order mark, a line before any section, a line
 * that is neither a header nor `key = value` (a header without its `]`), a
 * section or a key in one section twice, an indented line without `=` under
 * `key =` (a sub-section for botocore).
 *
 * @module
 */

import type { BotoLine } from "./ini.ts";

/** Follows a file line by line; `problem` then tells why botocore cannot parse it, if it cannot. */
export interface BotocoreParse {
  /** Reads line `index`: `text` as written, `line` as botocore reads it. */
  read(index: number, text: string, line: BotoLine): void;
  /** The first line that makes botocore refuse the file, and the fix, as one sentence. */
  problem(): string | undefined;
}

interface Problem {
  line: number;
  reason: string;
}

/** A {@link BotocoreParse} for one pass over a file. */
export function botocoreParse(): BotocoreParse {
  let first: Problem | undefined;
  const fail = (line: number, reason: string) => {
    if (first === undefined || line < first.line) first = { line, reason };
  };
  // The sections so far, and the keys of [DEFAULT] (all of its sections, which
  // configparser merges). Each key of the other sections maps to the last
  // section that set it, by number: no set per section to empty at each
  // header, which would cost more than reading the line.
  const sections = new Set<string>();
  const defaults = new Set<string>();
  const keys = new Map<string, number>();
  let inSection = false;
  let section = "";
  let sawSection = false;
  // The setting a continuation line continues, and its line.
  let option: Extract<BotoLine, { kind: "option" }> | undefined;
  let optionLine = 0;
  // A bad sub-section in [DEFAULT] breaks botocore only once it merges [DEFAULT] into a section.
  let inDefault: Problem | undefined;

  return {
    read(index, text, line) {
      if (index === 0 && text.startsWith("\uFEFF")) {
        fail(0, "line 1 starts with a byte order mark (U+FEFF); save the file without one");
      }
      if (first !== undefined) return;
      switch (line.kind) {
        case "header": {
          section = line.name;
          option = undefined;
          inSection = true;
          if (section === "DEFAULT") break;
          // One look-up: the set grows unless the section is in it already.
          const count = sections.size;
          if (sections.add(section).size === count) {
            fail(index, `section [${section}] appears again on line ${index + 1}; merge the two`);
          }
          sawSection = true;
          break;
        }
        case "option": {
          let again: boolean;
          if (section === "DEFAULT") {
            const count = defaults.size;
            again = defaults.add(line.key).size === count;
          } else {
            again = keys.get(line.key) === sections.size;
            keys.set(line.key, sections.size);
          }
          if (again) {
            fail(
              index,
              `section [${section}] sets ${line.key} again on line ${index + 1}; keep one`,
            );
          }
          option = line;
          optionLine = index;
          break;
        }
        case "continuation": {
          // botocore reads the lines under `key =` as `key = value` pairs of a sub-section.
          if (option!.value !== "" || text.includes("=")) break;
          const problem = {
            line: index,
            reason: `line ${index + 1}, indented under "${option!.key} =" on line ` +
              `${optionLine + 1}, is not "key = value" as botocore needs there; write it so ` +
              "or delete it",
          };
          if (section !== "DEFAULT") fail(problem.line, problem.reason);
          else inDefault ??= problem;
          break;
        }
        case "error":
          fail(index, unreadableLine(index, text, inSection));
      }
    },
    problem() {
      if (sawSection && inDefault !== undefined) fail(inDefault.line, inDefault.reason);
      return first?.reason;
    },
  };
}

/** Why configparser cannot read line `index`, which is neither a header nor a setting for it. */
function unreadableLine(index: number, text: string, inSection: boolean): string {
  const line = `line ${index + 1}`;
  const trimmed = text.trim();
  if (!inSection) return `${line} comes before any section header; move it into a section`;
  if (trimmed.startsWith("[")) return `${line} is a section header without its ]; close it`;
  if (/^[=:]/.test(trimmed)) return `${line} has no key before its ${trimmed[0]}; name the key`;
  return `${line} is neither a section header nor "key = value"; fix it or delete it`;
}
