import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { fromIni } from "@aws-sdk/credential-providers";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import {
  IniLayoutError,
  type IniSection,
  parseIni,
  profileNameProblem,
  readSection,
  readSectionKeys,
  updateSection,
  updateSections,
} from "../lib/config/ini.ts";
import { readFilesWithBotocore } from "./support/botocore.ts";
import { botocores, requires } from "./support/clients.ts";

const BOTOCORE = await botocores();
const BOTOCORES = BOTOCORE.found ?? [];

// Generated files: a preamble, then sections with keys, sub-sections, comments
// and blank lines, in LF, CRLF or mixed line endings, with or without a final
// line ending. Each knows what it should parse to.

interface Entry {
  key: string;
  value: string;
}

type Item =
  | { type: "entry"; entry: Entry; line: string }
  | { type: "nested"; parent: string; opener: string; children: (Entry & { line: string })[] }
  | { type: "text"; line: string };

interface Section {
  name: string;
  header: string;
  body: Item[];
}

interface Spec {
  preamble: string[];
  sections: Section[];
  eols: readonly string[];
  finalEol: boolean;
}

const spaces = fc.constantFrom("", " ", "  ", "\t");
const nameArb = fc.oneof(
  fc.constantFrom("default", "a b", "x.y", "prod eu.1"),
  fc.string({ unit: fc.constantFrom(..."abXY09 ._-"), minLength: 1, maxLength: 8 }),
);
const keyArb = fc.string({ unit: fc.constantFrom(..."abkxyz_09"), minLength: 1, maxLength: 5 });
// Values as the SDK reads them back: no surrounding spaces, no inline comment.
const valueArb = fc
  .string({ unit: fc.constantFrom(..."aZ09/+=#;:[]._- "), minLength: 1, maxLength: 12 })
  .filter((value) => value.trim() === value && !/^[#;]|\s[#;]/.test(value));
const commentArb = fc
  .tuple(spaces, fc.constantFrom("#", ";"), fc.string({ unit: fc.constantFrom(..."ab =[]#;.") }))
  .map((parts) => parts.join(""));
const textLineArb = fc.oneof(spaces, commentArb);
const trailArb = fc.constantFrom("", " ", "  # note", "\t; [x] k = v");

const entryArb = fc
  .tuple(keyArb, spaces, spaces, valueArb, trailArb)
  .map(([key, before, after, value, trail]): Item => ({
    type: "entry",
    entry: { key, value },
    line: `${key}${before}=${after}${value}${trail}`,
  }));
const nestedArb = fc
  .tuple(
    keyArb,
    trailArb,
    fc.array(fc.tuple(fc.constantFrom("  ", "\t", "    "), keyArb, valueArb), { maxLength: 3 }),
  )
  .map(([parent, trail, children]): Item => ({
    type: "nested",
    parent,
    opener: `${parent} =${trail}`,
    children: children.map(([indent, key, value]) => ({
      key,
      value,
      line: `${indent}${key} = ${value}`,
    })),
  }));
const itemArb = fc.oneof(
  { arbitrary: entryArb, weight: 4 },
  { arbitrary: nestedArb, weight: 1 },
  { arbitrary: textLineArb.map((line): Item => ({ type: "text", line })), weight: 2 },
);
const sectionArb = fc
  .tuple(fc.constantFrom("", "  "), nameArb, trailArb, fc.array(itemArb, { maxLength: 6 }))
  .map(([indent, name, trail, body]): Section => ({
    name,
    header: `${indent}[${name}]${trail}`,
    body,
  }));
// Keys before the first section belong to none, so they read as nothing.
const preambleArb = fc.array(
  fc.oneof(textLineArb, entryArb.map((item) => (item as { line: string }).line)),
  { maxLength: 3 },
);
const eolsArb = fc.oneof(
  fc.constant(["\n"]),
  fc.constant(["\r\n"]),
  fc.array(fc.constantFrom("\n", "\r\n"), { minLength: 1, maxLength: 4 }),
);
const specArb: fc.Arbitrary<Spec> = fc.record({
  preamble: preambleArb,
  sections: fc.array(sectionArb, { maxLength: 5 }),
  eols: eolsArb,
  finalEol: fc.boolean(),
});

// Files that updateSection() edits: botocore reads their sections where the SDK
// does, which takes names both read back, each once, and headers unindented
// and without a `]` after them. botocore reads the other differences (inline
// comments, indented lines as continuations) too, but they move no section.
const readableNameArb = nameArb.filter((name) => profileNameProblem(name) === undefined);
const agreedSectionArb = fc
  .tuple(readableNameArb, fc.constantFrom("", " ", "  # note"), fc.array(itemArb, { maxLength: 6 }))
  .map(([name, trail, body]): Section => ({ name, header: `[${name}]${trail}`, body }));
const agreedSpecArb: fc.Arbitrary<Spec> = fc.record({
  preamble: preambleArb,
  sections: fc.uniqueArray(agreedSectionArb, { selector: (section) => section.name, maxLength: 5 }),
  eols: eolsArb,
  finalEol: fc.boolean(),
});

function itemLines(item: Item): string[] {
  if (item.type === "nested") return [item.opener, ...item.children.map((child) => child.line)];
  return [item.line];
}

function render(spec: Spec): string {
  const lines = [
    ...spec.preamble,
    ...spec.sections.flatMap((section) => [section.header, ...section.body.flatMap(itemLines)]),
  ];
  return lines
    .map((line, index) => {
      const last = index === lines.length - 1;
      return line + (last && !spec.finalEol ? "" : spec.eols[index % spec.eols.length]);
    })
    .join("");
}

/** The entries of `section` in file order, one per line, with sub-section keys resolved. */
function entriesOf(section: Section): Entry[] {
  return section.body.flatMap((item) => {
    if (item.type === "entry") return [item.entry];
    if (item.type === "nested") {
      return item.children.map((child) => ({
        key: `${item.parent}.${child.key}`,
        value: child.value,
      }));
    }
    return [];
  });
}

function model(spec: Spec): IniSection[] {
  return spec.sections.map((section) => ({
    name: section.name,
    entries: Object.fromEntries(new Map(entriesOf(section).map(({ key, value }) => [key, value]))),
  }));
}

/** A section of `spec` chosen by `pick`. */
function pickSection(spec: Spec, pick: number): Section | undefined {
  return spec.sections[pick % Math.max(spec.sections.length, 1)];
}

/**
 * The keys of `section` on a line of their own, each set once: neither a
 * sub-section key nor a repeated one, which botocore reads as an error.
 */
function singleKeys(section: Section): Entry[] {
  const keys = section.body.flatMap((item) =>
    item.type === "entry" ? [item.entry.key] : item.type === "nested" ? [item.parent] : []
  );
  return section.body.flatMap((item) =>
    item.type === "entry" && keys.filter((key) => key === item.entry.key).length === 1
      ? [item.entry]
      : []
  );
}

function otherNames(spec: Spec, name: string): string[] {
  return [...new Set(spec.sections.map((section) => section.name))].filter((other) =>
    other !== name
  );
}

const splitLines = (text: string) => text.split(/\r?\n/);

Deno.test("parseIni() reads generated files as their sections and keys", () => {
  fc.assert(
    fc.property(specArb, (spec) => {
      assert.deepEqual(parseIni(render(spec)), model(spec));
    }),
  );
});

Deno.test("parseIni() keeps only the sections it is asked for", () => {
  fc.assert(
    fc.property(specArb, fc.nat(), (spec, pick) => {
      const name = pickSection(spec, pick)?.name;
      assert.deepEqual(
        parseIni(render(spec), (section) => section === name),
        model(spec).filter((section) => section.name === name),
      );
    }),
  );
});

Deno.test("readSection() agrees with the AWS SDK's parser", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aec-ini-" });
  try {
    const filepath = `${dir}/credentials`;
    const configFilepath = `${dir}/config`;
    await Deno.writeTextFile(configFilepath, "");
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        const text = render(spec);
        await Deno.writeTextFile(filepath, text);
        const { credentialsFile } = await loadSharedConfigFiles({
          filepath,
          configFilepath,
          ignoreCache: true,
        });
        const names = new Set(spec.sections.map((section) => section.name));
        for (const [name, entries] of Object.entries(credentialsFile)) {
          if (names.has(name)) assert.deepEqual(readSection(text, name), entries);
        }
        // The SDK drops empty sections, and reads some names with a space as
        // `prefix name` (e.g. `profile x`), so only the others must be there.
        for (const name of names) {
          const entries = readSection(text, name) ?? {};
          if (!/\s/.test(name) && Object.keys(entries).length > 0) {
            assert.deepEqual(credentialsFile[name], entries);
          }
        }
      }),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("updateSection() with nothing to set or remove returns identical text", () => {
  fc.assert(
    fc.property(agreedSpecArb, readableNameArb, fc.array(keyArb), (spec, name, absent) => {
      const text = render(spec);
      assert.equal(updateSection(text, name, {}, []), text);
      const section = spec.sections.find((candidate) => candidate.name === name);
      const present = new Set(
        section?.body.flatMap((item) =>
          item.type === "entry" ? [item.entry.key] : item.type === "nested" ? [item.parent] : []
        ),
      );
      const remove = absent.filter((key) => !present.has(key));
      assert.equal(updateSection(text, name, {}, remove), text);
    }),
  );
});

Deno.test("updateSection() rewrites exactly one line to edit an existing key", () => {
  fc.assert(
    fc.property(
      agreedSpecArb,
      fc.nat(),
      fc.nat(),
      valueArb,
      (spec, sectionPick, keyPick, value) => {
        const section = pickSection(spec, sectionPick);
        const once = section ? singleKeys(section) : [];
        const entry = once[keyPick % Math.max(once.length, 1)];
        fc.pre(section !== undefined && entry !== undefined && entry.value !== value);
        const text = render(spec);
        const updated = updateSection(text, section!.name, { [entry!.key]: value }, []);

        const before = text.split("\n");
        const after = updated.split("\n");
        assert.equal(after.length, before.length);
        const changed = after.flatMap((line, index) => line === before[index] ? [] : [index]);
        assert.equal(changed.length, 1);
        assert.equal(after[changed[0]!]!.replace(/\r$/, ""), `${entry!.key} = ${value}`);
        const firstEntries = parseIni(updated).find((s) => s.name === section!.name)?.entries;
        assert.deepEqual(firstEntries, {
          ...model(spec).find((s) => s.name === section!.name)?.entries,
          [entry!.key]: value,
        });
      },
    ),
  );
});

Deno.test("updateSection() adds a missing key to its section and changes no other section", () => {
  fc.assert(
    fc.property(agreedSpecArb, fc.nat(), keyArb, valueArb, (spec, pick, suffix, value) => {
      const section = pickSection(spec, pick);
      fc.pre(section !== undefined);
      const key = `new_${suffix}`;
      const text = render(spec);
      const updated = updateSection(text, section!.name, { [key]: value }, []);

      assert.deepEqual(readSection(updated, section!.name), {
        ...readSection(text, section!.name),
        [key]: value,
      });
      for (const name of otherNames(spec, section!.name)) {
        assert.deepEqual(readSection(updated, name), readSection(text, name));
      }
      const inserted = splitLines(updated);
      const index = inserted.indexOf(`${key} = ${value}`);
      assert.notEqual(index, -1);
      inserted.splice(index, 1);
      // Equal line arrays also mean an equal final line ending: `a\n` splits as `a`, ``.
      assert.deepEqual(inserted, splitLines(text));
      // New lines take the dominant line ending: a CRLF file stays CRLF.
      const bareLf = /(^|[^\r])\n/;
      if (text.includes("\r\n") && !bareLf.test(text)) assert.ok(!bareLf.test(updated));
    }),
  );
});

Deno.test("updateSection() appends a missing section and keeps the text before it", () => {
  fc.assert(
    fc.property(agreedSpecArb, readableNameArb, keyArb, valueArb, (spec, name, key, value) => {
      fc.pre(!spec.sections.some((section) => section.name === name));
      const text = render(spec);
      const updated = updateSection(text, name, { [key]: value }, []);

      assert.ok(updated.startsWith(text));
      assert.deepEqual(readSection(updated, name), { [key]: value });
      for (const other of otherNames(spec, name)) {
        assert.deepEqual(readSection(updated, other), readSection(text, other));
      }
      assert.equal(updated.endsWith("\n"), text === "" || text.endsWith("\n"));
    }),
  );
});

Deno.test("updateSection() removes exactly the line of a removed key", () => {
  fc.assert(
    fc.property(agreedSpecArb, fc.nat(), fc.nat(), (spec, sectionPick, keyPick) => {
      const section = pickSection(spec, sectionPick);
      const once = section ? singleKeys(section) : [];
      const entry = once[keyPick % Math.max(once.length, 1)];
      fc.pre(section !== undefined && entry !== undefined);
      const text = render(spec);
      const updated = updateSection(text, section!.name, {}, [entry!.key]);

      const firstEntries = parseIni(updated).find((s) => s.name === section!.name)?.entries;
      assert.ok(firstEntries !== undefined && !Object.hasOwn(firstEntries, entry!.key));
      const before = splitLines(text);
      const after = splitLines(updated);
      assert.equal(after.length, before.length - 1);
      const index = after.findIndex((line, i) => line !== before[i]);
      before.splice(index === -1 ? after.length : index, 1);
      // A missing final line ending stays missing, unless the line left last is blank.
      assert.deepEqual(after, before);
    }),
  );
});

Deno.test("updateSection() keeps CRLF line endings", () => {
  const text = "# creds\r\n[a]\r\nk = old\r\n\r\n[b]\r\nx = 1\r\n";
  assert.equal(
    updateSection(text, "a", { k: "new", j: "2" }, []),
    "# creds\r\n[a]\r\nk = new\r\nj = 2\r\n\r\n[b]\r\nx = 1\r\n",
  );
  assert.equal(
    updateSection(text, "c", { k: "v" }, []),
    `${text}\r\n[c]\r\nk = v\r\n`,
  );
});

Deno.test("updateSection() keeps a missing final line ending", () => {
  assert.equal(updateSection("[a]\nk = v", "a", { j: "2" }, []), "[a]\nk = v\nj = 2");
  assert.equal(updateSection("[a]\nk = v", "a", { k: "w" }, []), "[a]\nk = w");
  assert.equal(updateSection("[a]\nj = 1\nk = v", "a", {}, ["k"]), "[a]\nj = 1");
  assert.equal(
    updateSection("[a]\r\nk = v", "b", { j: "2" }, []),
    "[a]\r\nk = v\r\n\r\n[b]\r\nj = 2",
  );
});

Deno.test("updateSection() inserts a key after the last key, before comments of the next section", () => {
  const text = "[a]\nk = 1\n\n# about b\n[b]\nx = 1\n";
  assert.equal(
    updateSection(text, "a", { j: "2" }, []),
    "[a]\nk = 1\nj = 2\n\n# about b\n[b]\nx = 1\n",
  );
  assert.equal(
    updateSection("[a]\n# empty\n\n[b]\n", "a", { j: "2" }, []),
    "[a]\nj = 2\n# empty\n\n[b]\n",
  );
});

Deno.test("updateSection() rewrites the line of an edited key as `key = value`, keeping its indentation", () => {
  assert.equal(updateSection("[a]\nk=old\n", "a", { k: "new" }, []), "[a]\nk = new\n");
  // botocore reads an inline comment as part of the value, so it goes with the value.
  assert.equal(
    updateSection("[a]\n  k   =\told  # old\n", "a", { k: "new" }, []),
    "[a]\n  k = new\n",
  );
});

Deno.test("updateSection() finds a key in any case and with `:`, as botocore does", () => {
  const text = "[a]\n\tREGION = x\n\tK: old\n\tAws_Key:old=1\nJ  :  j\n[b]\nk: b\n";
  assert.equal(
    updateSection(text, "a", { k: "new", aws_key: "v", region: "y" }, ["j"]),
    "[a]\n\tregion = y\n\tk = new\n\taws_key = v\n[b]\nk: b\n",
  );
  assert.deepEqual(readSectionKeys(text, "a"), {
    sdk: ["REGION", "Aws_Key:old"],
    botocore: ["region", "k", "aws_key", "j"],
  });
});

Deno.test("updateSection() removes the lines that continue a changed key's value for botocore", () => {
  const text = "[a]\nk = old\n  more\n\n  # note\n  k.x = 1\nj = 1\n  j2\n";
  assert.equal(
    updateSection(text, "a", { k: "new" }, ["j"]),
    "[a]\nk = new\n\n  # note\n",
  );
  // A sub-section of a key that goes goes with it.
  assert.equal(updateSection("[a]\nk =\n  x = 1\nj = 2\n", "a", {}, ["k"]), "[a]\nj = 2\n");
});

Deno.test("updateSection() adds keys after the lines that continue the last value", () => {
  assert.equal(
    updateSection("[a]\nk = 1\n  2\n# c\n[b]\n", "a", { j: "3" }, []),
    "[a]\nk = 1\n  2\nj = 3\n# c\n[b]\n",
  );
  assert.equal(
    updateSection("[a]\ns3 =\n  x = 1\n", "a", { j: "3" }, []),
    "[a]\ns3 =\n  x = 1\nj = 3\n",
  );
  // Indented like the next header, which botocore would read as continuing an unindented key.
  assert.equal(
    updateSection("[a]\n  k = 1\n  [b]\n", "a", { j: "3" }, []),
    "[a]\n  k = 1\n  j = 3\n  [b]\n",
  );
});

Deno.test("updateSection() refuses a section that appears twice", () => {
  for (const text of ["[a]\nk = 1\n[b]\n[a]\nj = 3\n", "[profile x]\n[profile.x]\n"]) {
    const name = text.startsWith("[a]") ? "a" : "profile.x";
    assert.throws(
      () => updateSection(text, name, { k: "9" }, []),
      IniLayoutError,
      text.startsWith("[a]") ? "it appears twice, on lines 1 and 4" : "on lines 1 and 2",
    );
  }
});

Deno.test("updateSection() refuses what botocore and the SDK read differently", () => {
  const differ = (text: string, set: Record<string, string>, remove: string[], line: number) =>
    assert.throws(
      () => updateSection(text, "a", set, remove),
      IniLayoutError,
      `line ${line} is read differently by botocore and the AWS SDK for JavaScript`,
    );
  // Where the section starts: botocore reads `[a] # ]` as `a] # `, and an
  // indented header after a key as part of its value.
  differ("[a] # ]\nk = 1\n", { k: "2" }, [], 1);
  differ("[b]\nj = 1\n  [a]\n", { k: "2" }, [], 3);
  // Where it ends.
  differ("[a]\nj = 1\n  [b]\nk = 2\n", { k: "3" }, [], 3);
  // A key the SDK reads that continues another value for botocore.
  differ("[a]\nj = 1\n  k = 2\n", { k: "3" }, [], 3);
  differ("[a]\nj = 1\n  k = 2\n", {}, ["k"], 3);
  // A key botocore reads that the SDK reads in a sub-section.
  differ("[a]\n  s3 =\n  k = 1\n", { k: "3" }, [], 3);
  // A key of another name that continues the value of a key that goes.
  differ("[a]\nk = 1\n  region = x\n", {}, ["k"], 3);
  // A new key that the SDK would read in a sub-section, indented like the next header.
  differ("[a]\n  s3 =\n    x = 1\n  [b]\n", { k: "3" }, [], 4);
  // A lone CR, which ends a line for botocore only.
  differ("[b]\nj = 1\r[a]\n", { k: "2" }, [], 2);
});

Deno.test("updateSection() refuses to set a key that appears twice, and removes every copy", () => {
  assert.throws(
    () => updateSection("[a]\nk = 1\nK: 2\n", "a", { k: "3" }, []),
    IniLayoutError,
    "k appears twice in it, on lines 2 and 3",
  );
  assert.equal(
    updateSection("[a]\nk = 1\nj = 0\nK: 2\n", "a", {}, ["k"]),
    "[a]\nj = 0\n",
  );
});

Deno.test("updateSection() refuses to remove a key that [DEFAULT] gives every section in botocore", () => {
  const text = "[DEFAULT]\nK = 1\n[b]\n";
  assert.throws(
    () => updateSection(text, "a", { j: "1" }, ["k"]),
    IniLayoutError,
    "its [DEFAULT] section sets k, which botocore reads into every profile",
  );
  assert.deepEqual(readSectionKeys(text, "b"), { sdk: [], botocore: ["k"] });
});

Deno.test("updateSection() keeps `=` in values", () => {
  const text = "[a]\nk = a=b==\n";
  assert.deepEqual(readSection(text, "a"), { k: "a=b==" });
  const updated = updateSection(text, "a", { k: "c=d=" }, []);
  assert.equal(updated, "[a]\nk = c=d=\n");
  assert.deepEqual(readSection(updated, "a"), { k: "c=d=" });
});

Deno.test("updateSection() writes an empty file as just the new section", () => {
  assert.equal(updateSection("", "a b.c d", { k: "v", j: "w" }, []), "[a b.c d]\nk = v\nj = w\n");
  assert.equal(updateSection("", "a", {}, ["k"]), "");
});

Deno.test("updateSection() appends after a file of only comments", () => {
  assert.equal(updateSection("# one\n; two", "a", { k: "v" }, []), "# one\n; two\n\n[a]\nk = v");
  assert.equal(updateSection("# one\n\n", "a", { k: "v" }, []), "# one\n\n[a]\nk = v\n");
});

Deno.test("updateSection() finds headers with trailing spaces or comments", () => {
  const text = "[a]   \nk = 1\n[b] # note\n k = 2\n [c] ; note\n";
  assert.deepEqual(parseIni(text).map((section) => section.name), ["a", "b", "c"]);
  assert.equal(
    updateSection(text, "b", { j: "3" }, []),
    "[a]   \nk = 1\n[b] # note\n k = 2\n j = 3\n [c] ; note\n",
  );
});

Deno.test("updateSection() refuses names, keys and values that would not read back unchanged", () => {
  for (const name of ["", "a #b", "a ;b", "a\nb"]) {
    assert.throws(() => updateSection("", name, { k: "v" }, []), TypeError, name);
  }
  for (const value of ["", " v", "v ", "v # c", "#v", "a\nb", "a\r"]) {
    assert.throws(() => updateSection("[a]\n", "a", { k: value }, []), TypeError, value);
  }
  for (const key of ["", " k", "k=", "#k", "[k"]) {
    assert.throws(() => updateSection("[a]\n", "a", { [key]: "v]" }, []), TypeError, key);
  }
  assert.throws(() => updateSection("[a]\n", "a", { k: "v" }, ["k"]), /both set and removed/);
});

Deno.test("updateSection() leaves secrets out of its errors", () => {
  assert.throws(
    () => updateSection("", "a", { k: "SECRET\n" }, []),
    (error: Error) => !error.message.includes("SECRET"),
  );
});

Deno.test("parseIni() reads comments, sub-sections and keys the way the SDK does", () => {
  const text = [
    "top = ignored",
    "\uFEFF# comment",
    "[p]",
    "Key = Upper",
    "key = lower # comment",
    "url = http://x#anchor",
    "; k = commented out",
    "s3 =",
    "  max = 10",
    "\tmin = 1",
    "after = 1",
    "=nokey",
    "garbage",
    "[q.r s]",
  ].join("\n");
  assert.deepEqual(parseIni(text), [
    {
      name: "p",
      entries: {
        Key: "Upper",
        key: "lower",
        url: "http://x#anchor",
        "s3.max": "10",
        "s3.min": "1",
        after: "1",
      },
    },
    { name: "q.r s", entries: {} },
  ]);
});

Deno.test("readSection() tells a missing section from an empty one", () => {
  assert.equal(readSection("[a]\nk = v\n", "b"), undefined);
  assert.deepEqual(readSection("[a]\n[b]\nk = v\n", "a"), {});
  assert.equal(readSection("", "a"), undefined);
});

Deno.test("parseIni() keeps a key named __proto__ as a key", () => {
  const [section] = parseIni("[a]\n__proto__ = x\n");
  assert.ok(section && Object.hasOwn(section.entries, "__proto__"));
  assert.deepEqual(Object.entries(readSection("[a]\n__proto__ = x\n", "a") ?? {}), [[
    "__proto__",
    "x",
  ]]);
});

Deno.test({
  ...requires(
    "profileNameProblem() accepts exactly the names botocore and the SDK read back",
    BOTOCORE,
  ),
  async fn() {
    const names = new Set([
      ...["default", "a b", "a b c", " a ", "x.y", "profile.x", "profile x", "profile 'x'"],
      ...["sso-session y", "services z", "a #b", "a#b", "#a", ";a", "a ;b", "[a]", "a]b", "a=b"],
      ...["a:b", "DEFAULT", "Default", "__proto__", "constructor", "toString", "a\nb", "a\rb"],
      ...["a\u00a0#b", "a\x1cb", "a\u3000b c", "é", "a\tb", "a\tb c", "a 'b'", 'a "b', "-x"],
      ...fc.sample(
        fc.string({ unit: fc.constantFrom(..."ab .-:'\"#;=[]\t_"), minLength: 1, maxLength: 5 }),
        { numRuns: 300 },
      ),
    ]);
    const dir = await Deno.makeTempDir({ prefix: "aec-names-" });
    try {
      const configFilepath = `${dir}/config`;
      await Deno.writeTextFile(configFilepath, "");
      const files = [...names].map((name, index) => ({ name, path: `${dir}/${index}` }));
      for (const { name, path } of files) {
        await Deno.writeTextFile(
          path,
          `[${name}]\naws_access_key_id = k\naws_secret_access_key = s\n`,
        );
      }
      // Read back as a profile: the SDK's provider finds its keys.
      const readBack = await Promise.all(
        files.map(({ name, path }) =>
          fromIni({ profile: name, filepath: path, configFilepath, ignoreCache: true })()
            .then((credentials) => credentials.accessKeyId === "k", () => false)
        ),
      );
      for (const botocore of BOTOCORES) {
        const read = await readFilesWithBotocore(botocore, files.map(({ path }) => path));
        for (const [index, { name }] of files.entries()) {
          const file = read[index]!;
          readBack[index] &&= "sections" in file &&
            (file.sections[name] as Record<string, unknown> | undefined)?.aws_access_key_id === "k";
        }
      }
      for (const [index, { name }] of files.entries()) {
        const problem = profileNameProblem(name);
        assert.equal(problem === undefined, readBack[index], `${JSON.stringify(name)}: ${problem}`);
        // One line, whatever the name holds.
        if (problem) assert.ok(!/[\r\n]/.test(problem), problem);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("updateSections() makes several edits as updateSection() makes them one at a time", () => {
  const editArb = fc.tuple(
    fc.oneof(readableNameArb, fc.constant("fresh")),
    fc.dictionary(keyArb.map((key) => `new_${key}`), valueArb, { maxKeys: 3 }),
    fc.array(keyArb, { maxLength: 2 }),
  );
  fc.assert(
    fc.property(
      agreedSpecArb,
      fc.uniqueArray(editArb, { selector: ([name]) => name }),
      (spec, edits) => {
        const text = render(spec);
        const outcome = (edit: () => string) => {
          try {
            return edit();
          } catch (error) {
            return (error as Error).name;
          }
        };
        const oneByOne = outcome(() =>
          edits.reduce(
            (current, [name, set, remove]) => updateSection(current, name, set, remove),
            text,
          )
        );
        const batch = outcome(() =>
          updateSections(
            text,
            "credentials",
            new Map(edits.map(([name, set, remove]) => [name, { set, remove }])),
          )
        );
        assert.equal(batch, oneByOne);
      },
    ),
  );
});

Deno.test("updateSections() deleting a section it appended gives back the file", () => {
  fc.assert(
    fc.property(agreedSpecArb, valueArb, (spec, value) => {
      const text = render(spec);
      // A blank last line is the file's own, not the one an append adds.
      fc.pre(splitLines(text.replace(/\r?\n$/, "")).at(-1)?.trim() !== "");
      fc.pre(!spec.sections.some((section) => section.name === "added"));
      const appended = updateSection(text, "added", { key: value }, []);
      assert.notEqual(appended, text);
      const deleted = updateSections(
        appended,
        "credentials",
        new Map([["added", { delete: true }]]),
      );
      assert.equal(deleted, text);
    }),
  );
});

Deno.test("updateSections() deletes a section's header and settings, keeping its comments", () => {
  const text = "[a]\nk = 1\n\n[gone]\nx = 1\n# a note\n  y = 2\nz: 3\n\n[b]\nk = 2\n";
  assert.equal(
    updateSections(text, "credentials", new Map([["gone", { delete: true }]])),
    "[a]\nk = 1\n# a note\n\n[b]\nk = 2\n",
  );
  // First in the file: the blank line after it goes instead.
  assert.equal(
    updateSections(
      "[gone]\nx = 1\n\n[b]\nk = 2",
      "credentials",
      new Map([["gone", { delete: true }]]),
    ),
    "[b]\nk = 2",
  );
  // A missing section stays missing.
  assert.equal(updateSections(text, "credentials", new Map([["nosuch", { delete: true }]])), text);
});

Deno.test("updateSections() edits the [profile NAME] sections of a config file", () => {
  const text = [
    "# top",
    "[default]",
    "region = eu-west-1",
    "",
    '[profile "quoted"]',
    "region = us-east-1",
    "",
    "[profile keep]",
    "k = v",
    "",
    "[sso-session corp]",
    "sso_region = us-east-1",
    "",
  ].join("\n");
  const edited = updateSections(
    text,
    "config",
    new Map([
      ["quoted", { set: { region: "eu-north-1", output: "json" }, remove: [] }],
      ["new", { set: { sso_session: "corp" }, remove: [] }],
      ["default", { set: {}, remove: ["region"] }],
      ["keep", { delete: true }],
    ]),
  );
  assert.equal(
    edited,
    [
      "# top",
      "[default]",
      "",
      '[profile "quoted"]',
      "region = eu-north-1",
      "output = json",
      "",
      "[sso-session corp]",
      "sso_region = us-east-1",
      "",
      "[profile new]",
      "sso_session = corp",
      "",
    ].join("\n"),
  );
  // A config file names no profile `[name]`, and reads `[profile a b]` as no profile.
  assert.throws(
    () => updateSections(text, "config", new Map([["a b", { set: { k: "v" }, remove: [] }]])),
    /Profile name "a b" would not read back as a profile: the AWS SDK for JavaScript skips/,
  );
  assert.throws(
    () =>
      updateSections(
        "[profile x]\nk = 1\n[profile  x]\nk = 2\n",
        "config",
        new Map([["x", { set: { k: "3" }, remove: [] }]]),
      ),
    (error: unknown) =>
      // botocore reads both headers as profile x.
      error instanceof IniLayoutError && error.section === "x" &&
      /appears twice, on lines 1 and 3/.test(error.message),
  );
});

Deno.test({
  ...requires(
    "profileNameProblem() accepts only config-file names botocore and the SDK read back",
    BOTOCORE,
  ),
  async fn() {
    const names = [
      ...["default", "a.b", "a/b", "a:b", "a@b+c", "a%b", "-x", "..", "a b", "a#b", "a;b", "[a]"],
      ...["é", "a'b", 'a"b', "a=b", "a,b", "sso-session.x", "services.y", "__proto__", "a\tb"],
      ...fc.sample(
        fc.string({ unit: fc.constantFrom(..."ab .-:'\"#;=[]/@+%é"), minLength: 1, maxLength: 5 }),
        { numRuns: 200 },
      ),
    ];
    const dir = await Deno.makeTempDir({ prefix: "aec-config-names-" });
    try {
      const files = names.map((name, index) => ({ name, path: `${dir}/${index}` }));
      for (const { name, path } of files) {
        const header = name === "default" ? "[default]" : `[profile ${name}]`;
        await Deno.writeTextFile(path, `${header}\nregion = r\n`);
      }
      const readBack = await Promise.all(files.map(async ({ name, path }) => {
        const { configFile } = await loadSharedConfigFiles({
          filepath: `${dir}/none`,
          configFilepath: path,
          ignoreCache: true,
        }).catch(() => ({ configFile: {} as Record<string, Record<string, string>> }));
        return Object.hasOwn(configFile, name) && configFile[name]?.region === "r";
      }));
      for (const botocore of BOTOCORES) {
        const read = await readFilesWithBotocore(botocore, files.map(({ path }) => path), "config");
        for (const [index, { name }] of files.entries()) {
          const file = read[index]!;
          readBack[index] &&= "sections" in file &&
            (file.sections[name] as Record<string, unknown> | undefined)?.region === "r";
        }
      }
      for (const [index, { name }] of files.entries()) {
        const problem = profileNameProblem(name, "config");
        if (problem === undefined) assert.ok(readBack[index], JSON.stringify(name));
        // Refused though read back: names the SDK files with other sections, or keeps on Object.
        const collides = /^(sso-session|services)\./.test(name) ||
          Object.hasOwn(Object.prototype, name);
        if (readBack[index] && !collides) assert.equal(problem, undefined, JSON.stringify(name));
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
