import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { allProfiles, configSections, credentialsSection } from "../lib/config/aws_profiles.ts";
import { parseIni } from "../lib/config/ini.ts";
import { checkReaderAgreement } from "../lib/config/reader_agreement.ts";

type Entries = Record<string, string>;

// The look-ups as a whole parse of the file answers them (the index before it
// was built from header offsets), for comparison.
const CONFIG_HEADER = /^([\w-]+)\s(["'])?([\w-@+.%:/]+)\2$/;

function configKey(name: string): string | undefined {
  const header = name.trim();
  if (header === "default") return "profile default";
  const match = CONFIG_HEADER.exec(header);
  return match ? `${match[1]} ${match[3]}` : undefined;
}

function byParse(text: string) {
  const sections = parseIni(text);
  const config = (key: string): Entries[] =>
    sections.filter((s) => configKey(s.name) === key).map((s) => s.entries);
  const credentials = (name: string): Entries | undefined => {
    const list = sections.filter((s) => s.name === name).map((s) => s.entries);
    return list.length === 0 ? undefined : Object.fromEntries(list.flatMap(Object.entries));
  };
  return { sections, config, credentials };
}

const NAMES = ["a", "b", "default", "__proto__"];
const lineArb = fc.oneof(
  fc.constantFrom(...NAMES).chain((name) =>
    fc.constantFrom(
      `[${name}]`,
      `[profile ${name}]`,
      `[profile "${name}"]`,
      `[ profile ${name} ]`,
      `[sso-session ${name}]`,
      `  [profile ${name}] # note`,
      `[profile ${name}] ;x`,
      `[${name}`,
    )
  ),
  fc.constantFrom(
    "region = eu-west-1",
    "role_arn=arn:aws:iam::1:role/r",
    "  indented = value",
    "s3 =",
    "  max_concurrent_requests = 20",
    "key: value",
    "__proto__ = polluted",
    "sso_session = a",
    "value = a # comment",
    "value = a#b",
    "= nothing",
    "",
    "# comment",
    "; comment",
    "\ufeffbom = 1",
    "\tindent = tab",
  ),
);

const textArb = fc.tuple(
  fc.array(lineArb, { maxLength: 30 }),
  fc.constantFrom("\n", "\r\n"),
  fc.boolean(),
).map(([lines, eol, final]) => lines.join(eol) + (final ? eol : ""));

function assertLookupsAsParsed(text: string, model: ReturnType<typeof byParse>) {
  for (const name of NAMES) {
    for (const prefix of ["profile", "sso-session"] as const) {
      assert.deepEqual(configSections(text, prefix, name), model.config(`${prefix} ${name}`));
    }
    assert.deepEqual(credentialsSection(text, name), model.credentials(name));
  }
  for (const section of model.sections) {
    assert.deepEqual(credentialsSection(text, section.name), model.credentials(section.name));
  }
}

Deno.test("configSections() and credentialsSection() read each section as parseIni() does", () => {
  fc.assert(
    fc.property(textArb, (text) => {
      assertLookupsAsParsed(text, byParse(text));
    }),
    { numRuns: 500 },
  );
});

Deno.test("the sections indexed by the reader agreement's pass read as parseIni() reads them", () => {
  fc.assert(
    fc.property(textArb, fc.constantFrom(...NAMES), (body, profile) => {
      // A text of its own, which no look-up has indexed before the agreement pass.
      const text = `${body}\n# ${crypto.randomUUID()}\n`;
      const model = byParse(text);
      const empty = { path: "/dev/null", text: "" };
      checkReaderAgreement({ config: { path: "config", text }, credentials: empty }, profile);
      checkReaderAgreement({ config: empty, credentials: { path: "credentials", text } }, profile);
      assertLookupsAsParsed(text, model);
    }),
    { numRuns: 500 },
  );
});

Deno.test("allProfiles() merges each profile's sections in file order", () => {
  const config = "[profile a]\nregion = one\n[sso-session s]\nsso_region = r\n" +
    '[profile "a"]\nregion = two\nkey = k\n[default]\nregion = d\n[profile default]\nx = y\n';
  const credentials = "[a]\naws_access_key_id = A\n[profile b]\nignored = 1\n[c]\nk = v\n";
  assert.deepEqual(allProfiles({ config, credentials }), {
    profiles: {
      a: { region: "two", key: "k", aws_access_key_id: "A" },
      default: { region: "d", x: "y" },
      c: { k: "v" },
    },
    sessions: { s: { sso_region: "r" } },
  });
});
