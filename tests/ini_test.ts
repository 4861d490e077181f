import assert from "node:assert/strict";
import fc from "fast-check";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import { type IniSection, parseIni, readSection, updateSection } from "../lib/ini.ts";

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
const specArb: fc.Arbitrary<Spec> = fc.record({
  // Keys before the first section belong to none, so they read as nothing.
  preamble: fc.array(
    fc.oneof(textLineArb, entryArb.map((item) => (item as { line: string }).line)),
    {
      maxLength: 3,
    },
  ),
  sections: fc.array(sectionArb, { maxLength: 5 }),
  eols: fc.oneof(
    fc.constant(["\n"]),
    fc.constant(["\r\n"]),
    fc.array(fc.constantFrom("\n", "\r\n"), { minLength: 1, maxLength: 4 }),
  ),
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

/** A section of `spec` chosen by `pick`, always the first of its name: the one edits apply to. */
function firstSection(spec: Spec, pick: number): Section | undefined {
  const section = spec.sections[pick % Math.max(spec.sections.length, 1)];
  return section && spec.sections.find((candidate) => candidate.name === section.name);
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
      const name = firstSection(spec, pick)?.name;
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
    fc.property(specArb, nameArb, fc.array(keyArb), (spec, name, absent) => {
      const text = render(spec);
      assert.equal(updateSection(text, name, {}, []), text);
      const section = spec.sections.find((candidate) => candidate.name === name);
      const present = new Set(section ? entriesOf(section).map((entry) => entry.key) : []);
      const remove = absent.filter((key) => !present.has(key));
      assert.equal(updateSection(text, name, {}, remove), text);
    }),
  );
});

Deno.test("updateSection() changes exactly one line to edit an existing key", () => {
  fc.assert(
    fc.property(specArb, fc.nat(), fc.nat(), valueArb, (spec, sectionPick, keyPick, value) => {
      const section = firstSection(spec, sectionPick);
      const entries = section ? entriesOf(section) : [];
      const once = entries.filter((entry) =>
        entries.filter((e) => e.key === entry.key).length === 1
      );
      const entry = once[keyPick % Math.max(once.length, 1)];
      fc.pre(section !== undefined && entry !== undefined && entry.value !== value);
      const text = render(spec);
      const updated = updateSection(text, section!.name, { [entry!.key]: value }, []);

      const before = text.split("\n");
      const after = updated.split("\n");
      assert.equal(after.length, before.length);
      const changed = after.flatMap((line, index) => line === before[index] ? [] : [index]);
      assert.equal(changed.length, 1);
      assert.ok(after[changed[0]!]!.includes(value));
      const firstEntries = parseIni(updated).find((s) => s.name === section!.name)?.entries;
      assert.deepEqual(firstEntries, {
        ...model(spec).find((s) => s.name === section!.name)?.entries,
        [entry!.key]: value,
      });
    }),
  );
});

Deno.test("updateSection() adds a missing key to its section and changes no other section", () => {
  fc.assert(
    fc.property(specArb, fc.nat(), keyArb, valueArb, (spec, pick, suffix, value) => {
      const section = firstSection(spec, pick);
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
    fc.property(specArb, nameArb, keyArb, valueArb, (spec, name, key, value) => {
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
    fc.property(specArb, fc.nat(), fc.nat(), (spec, sectionPick, keyPick) => {
      const section = firstSection(spec, sectionPick);
      const entries = section ? entriesOf(section) : [];
      const once = entries.filter((entry) =>
        entries.filter((e) => e.key === entry.key).length === 1
      );
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

Deno.test("updateSection() keeps the formatting and inline comment of an edited key", () => {
  assert.equal(updateSection("[a]\nk=old\n", "a", { k: "new" }, []), "[a]\nk=new\n");
  assert.equal(
    updateSection("[a]\n  k   =\told  # keep me\n", "a", { k: "new" }, []),
    "[a]\n  k   =\tnew  # keep me\n",
  );
});

Deno.test("updateSection() edits only the first of duplicate sections", () => {
  const text = "[a]\nk = 1\n[b]\nk = 2\n[a]\nj = 3\n";
  const updated = updateSection(text, "a", { k: "9", n: "4" }, []);
  assert.equal(updated, "[a]\nk = 9\nn = 4\n[b]\nk = 2\n[a]\nj = 3\n");
  assert.deepEqual(readSection(updated, "a"), { k: "9", n: "4", j: "3" });
  assert.deepEqual(parseIni(updated).map((section) => section.name), ["a", "b", "a"]);
});

Deno.test("updateSection() changes every copy of a key repeated in the section", () => {
  assert.equal(
    updateSection("[a]\nk = 1\nk = 2\n", "a", { k: "3" }, []),
    "[a]\nk = 3\nk = 3\n",
  );
  assert.equal(updateSection("[a]\nk = 1\nj = 0\nk = 2\n", "a", {}, ["k"]), "[a]\nj = 0\n");
});

Deno.test("updateSection() keeps `=` in values", () => {
  const text = "[a]\nk = a=b==\n";
  assert.deepEqual(readSection(text, "a"), { k: "a=b==" });
  const updated = updateSection(text, "a", { k: "c=d=" }, []);
  assert.equal(updated, "[a]\nk = c=d=\n");
  assert.deepEqual(readSection(updated, "a"), { k: "c=d=" });
});

Deno.test("updateSection() writes an empty file as just the new section", () => {
  assert.equal(updateSection("", "a b.c", { k: "v", j: "w" }, []), "[a b.c]\nk = v\nj = w\n");
  assert.equal(updateSection("", "a", {}, ["k"]), "");
});

Deno.test("updateSection() appends after a file of only comments", () => {
  assert.equal(updateSection("# one\n; two", "a", { k: "v" }, []), "# one\n; two\n\n[a]\nk = v");
  assert.equal(updateSection("# one\n\n", "a", { k: "v" }, []), "# one\n\n[a]\nk = v\n");
});

Deno.test("updateSection() finds headers with trailing spaces or comments", () => {
  const text = "[a]   \nk = 1\n[b] # note\nk = 2\n  [c] ; note\n";
  assert.deepEqual(parseIni(text).map((section) => section.name), ["a", "b", "c"]);
  assert.equal(
    updateSection(text, "b", { j: "3" }, []),
    "[a]   \nk = 1\n[b] # note\nk = 2\nj = 3\n  [c] ; note\n",
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
