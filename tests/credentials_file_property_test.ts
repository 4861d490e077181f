/**
 * A property of `aec -c`: whatever credentials file botocore and the AWS SDK
 * for JavaScript both accept, after writeCredentialsProfile() both still
 * read every profile, the others as before and the target with the new
 * credentials; or it refuses long-term keys and leaves every byte.
 *
 * The real readers are the oracles: the SDK's own parser, and botocore (every
 * version here), which reads all the files of a run in one process.
 */

import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import type { Credentials } from "../lib/support/credentials.ts";
import { writeCredentialsProfile } from "../lib/output/credentials_file.ts";
import { CredentialError } from "../lib/support/errors.ts";
import { profileNameProblem } from "../lib/config/ini.ts";
import { type BotocoreFile, readFilesWithBotocore } from "./support/botocore.ts";
import { botocores, requires } from "./support/clients.ts";

const BOTOCORE = await botocores();
const BOTOCORES = BOTOCORE.found ?? [];

const OURS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_credential_expiration",
];
const TEMPORARY: Credentials = {
  accessKeyId: "ASIANEWEXAMPLE",
  secretAccessKey: "new/secret+=",
  sessionToken: "new/token==",
  expiration: new Date("2030-01-02T03:04:05Z"),
};
const LONG_TERM: Credentials = { accessKeyId: "AKIANEWEXAMPLE", secretAccessKey: "new/long+" };

// Generated files: sections with keys in any case, `=` or `:`, inline comments
// (botocore reads them as part of the value), values continued on indented
// lines, sub-sections, comments and blank lines, in LF, CRLF or both.

const spaces = fc.constantFrom("", " ", "  ", "\t");
const indent = fc.constantFrom("  ", "\t", "    ");
const spell = (key: string) =>
  fc.constantFrom(
    key,
    key,
    key.toUpperCase(),
    key.replace(/(^|_)([a-z])/g, (_, before, letter) => before + letter.toUpperCase()),
  );
// No value starts a comment for the SDK, and a continued value holds no `=`
// (the SDK would read a key there).
const valueArb = fc
  .string({ unit: fc.constantFrom(..."aZ09/+=._-:[]# "), minLength: 1, maxLength: 10 })
  .filter((value) => value.trim() === value && !/^[#;]|\s[#;]/.test(value));
const textArb = fc.string({ unit: fc.constantFrom(..."abc /:._"), minLength: 1, maxLength: 8 })
  .filter((text) => text.trim() === text);

interface Item {
  /** The key in lower case, as botocore reads it; none for a comment or blank line. */
  key?: string;
  lines: string[];
}

const entryArb = (key: string) =>
  fc
    .tuple(
      spell(key),
      spaces,
      fc.constantFrom("=", ":"),
      spaces,
      valueArb,
      fc.constantFrom("", "", " # note", " ; note"),
      fc.array(fc.tuple(indent, textArb), { maxLength: 2 }),
    )
    .map(([spelled, before, delimiter, after, value, trail, continued]): Item => ({
      key,
      lines: [
        `${spelled}${before}${delimiter}${after}${value}${trail}`,
        ...continued.map(([space, text]) => space + text),
      ],
    }));
const nestedArb = fc
  .tuple(
    fc.constantFrom("s3", "sts"),
    fc.uniqueArray(fc.tuple(indent, fc.constantFrom("max", "style", "x_y"), valueArb), {
      selector: ([, key]) => key,
      minLength: 1,
      maxLength: 3,
    }),
  )
  .map(([key, children]): Item => ({
    key,
    lines: [`${key} =`, ...children.map(([space, child, value]) => `${space}${child} = ${value}`)],
  }));
const otherArb = fc.oneof(
  fc.tuple(spaces, fc.constantFrom("#", ";"), textArb).map((parts) => parts.join("")),
  spaces,
).map((line): Item => ({ lines: [line] }));
const keyArb = fc.oneof(
  fc.constantFrom("region", "output", "role_arn", "source_profile"),
  fc.string({ unit: fc.constantFrom(..."abcxyz_"), minLength: 1, maxLength: 6 }),
);
const itemArb = fc.oneof(
  { arbitrary: keyArb.chain(entryArb), weight: 3 },
  { arbitrary: fc.constantFrom(...OURS).chain(entryArb), weight: 2 },
  { arbitrary: nestedArb, weight: 1 },
  { arbitrary: otherArb, weight: 2 },
);
const credentialItems = (kind: "temporary" | "long-term" | "none") =>
  kind === "none"
    ? fc.constant([])
    : fc.tuple(...OURS.slice(0, kind === "temporary" ? 3 : 2).map(entryArb));

const nameArb = fc.oneof(
  fc.constantFrom("default", "dev", "prod-eu", "team a b", "x.y", "Upper", "a:b", "profile.x"),
  fc.string({ unit: fc.constantFrom(..."abXY09._-"), minLength: 1, maxLength: 6 }),
).filter((name) => profileNameProblem(name) === undefined);

const sectionArb = fc
  .tuple(
    nameArb,
    fc.constantFrom("", " ", "  # note", " ; x"),
    fc.constantFrom("temporary", "long-term", "none") as fc.Arbitrary<
      "temporary" | "long-term" | "none"
    >,
    fc.array(itemArb, { maxLength: 5 }),
  )
  .chain(([name, trail, kind, items]) =>
    credentialItems(kind).chain((credentials) =>
      // The credentials go anywhere among the other keys.
      fc.shuffledSubarray([...credentials, ...items], {
        minLength: credentials.length + items.length,
      }).map((body) => {
        // botocore rejects a key set twice in a section, in any spelling.
        const seen = new Set<string>();
        const unique = body.filter((item) =>
          item.key === undefined || (!seen.has(item.key) && seen.add(item.key))
        );
        return [`[${name}]${trail}`, ...unique.flatMap((item) => item.lines)];
      })
    ).map((lines) => ({ name, lines }))
  );

const caseArb = fc.record({
  comment: fc.boolean(),
  sections: fc.uniqueArray(sectionArb, { selector: (section) => section.name, maxLength: 4 }),
  eols: fc.oneof(
    fc.constant(["\n"]),
    fc.constant(["\r\n"]),
    fc.array(fc.constantFrom("\n", "\r\n"), { minLength: 1, maxLength: 3 }),
  ),
  finalEol: fc.boolean(),
  target: fc.oneof(fc.nat(), nameArb),
  temporary: fc.boolean(),
});

function render(lines: string[], eols: readonly string[], finalEol: boolean): string {
  return lines
    .map((line, index) =>
      line + (index === lines.length - 1 && !finalEol ? "" : eols[index % eols.length])
    )
    .join("");
}

/** What the SDK reads from a credentials file: each profile's keys. */
async function readBySdk(filepath: string, configFilepath: string) {
  const { credentialsFile } = await loadSharedConfigFiles({
    filepath,
    configFilepath,
    ignoreCache: true,
  });
  return credentialsFile as Record<string, Record<string, string>>;
}

interface Run {
  text: string;
  target: string;
  credentials: Credentials;
  /** The file after the write, or the error it threw. */
  after: string | unknown;
  sdkBefore: Record<string, Record<string, string>>;
  sdkAfter: Record<string, Record<string, string>>;
  dir: string;
}

const holdsLongTermKeys = (keys: Record<string, unknown> | undefined) =>
  keys !== undefined && "aws_access_key_id" in keys && !("aws_session_token" in keys);

/** `keys` without those writeCredentialsProfile() sets or removes, in any spelling. */
function othersOf(keys: Record<string, unknown> = {}) {
  return Object.fromEntries(
    Object.entries(keys).filter(([key]) =>
      !OURS.some((ours) => key.toLowerCase().startsWith(ours))
    ),
  );
}

function expectedKeys(credentials: Credentials): Record<string, string> {
  return {
    aws_access_key_id: credentials.accessKeyId,
    aws_secret_access_key: credentials.secretAccessKey,
    ...credentials.sessionToken &&
      {
        aws_session_token: credentials.sessionToken,
        aws_credential_expiration: "2030-01-02T03:04:05Z",
      },
  };
}

/** Each reader's profiles after the run, checked against those before. */
function assertReadsAsWritten(
  reader: string,
  run: Run,
  before: Record<string, Record<string, unknown>>,
  after: Record<string, Record<string, unknown>>,
) {
  const context = `${reader}, profile ${JSON.stringify(run.target)} of ${JSON.stringify(run.text)}`;
  const { [run.target]: targetBefore, ...othersBefore } = before;
  const { [run.target]: targetAfter, ...othersAfter } = after;
  assert.deepEqual(othersAfter, othersBefore, context);
  assert.deepEqual(
    targetAfter,
    { ...othersOf(targetBefore), ...expectedKeys(run.credentials) },
    context,
  );
}

Deno.test({
  ...requires(
    "writeCredentialsProfile() leaves every profile readable by botocore and the SDK",
    BOTOCORE,
  ),
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "aec-property-" });
    try {
      const configFilepath = `${root}/config`;
      await Deno.writeTextFile(configFilepath, "");
      const runs: Run[] = [];
      await fc.assert(
        fc.asyncProperty(caseArb, async (spec) => {
          const lines = [
            ...spec.comment ? ["# credentials"] : [],
            ...spec.sections.flatMap((section) => section.lines),
          ];
          const text = render(lines, spec.eols, spec.finalEol);
          const target = typeof spec.target === "number"
            ? spec.sections[spec.target % Math.max(spec.sections.length, 1)]?.name ?? "fresh"
            : spec.target;
          const dir = `${root}/${runs.length}`;
          await Deno.mkdir(dir);
          const path = `${dir}/credentials`;
          await Deno.writeTextFile(`${dir}/before`, text);
          await Deno.writeTextFile(path, text);
          const credentials = spec.temporary ? TEMPORARY : LONG_TERM;
          const sdkBefore = await readBySdk(path, configFilepath);
          const after = await writeCredentialsProfile({ path, profile: target, credentials })
            .then(() => Deno.readTextFile(path), (error) => error);
          const sdkAfter = await readBySdk(path, configFilepath);
          runs.push({ text, target, credentials, after, sdkBefore, sdkAfter, dir });
        }),
        { numRuns: 200 },
      );

      const outcomes = { written: 0, created: 0, refused: 0 };
      for (const botocore of BOTOCORES) {
        const read = (name: string) =>
          readFilesWithBotocore(botocore, runs.map((run) => `${run.dir}/${name}`));
        const [before, after] = await Promise.all([read("before"), read("credentials")]);
        for (const [index, run] of runs.entries()) {
          const botoBefore = before[index]!;
          const botoAfter = after[index]!;
          const context = `botocore ${botocore.version} on ${JSON.stringify(run.text)}`;
          // The generator makes only files that botocore accepts.
          assert.ok("sections" in botoBefore, `${context}: ${JSON.stringify(botoBefore)}`);
          const sectionsBefore = botoBefore.sections;
          const longTerm = holdsLongTermKeys(run.sdkBefore[run.target]) ||
            holdsLongTermKeys(sectionsBefore[run.target]);
          if (typeof run.after !== "string") {
            assert.ok(run.after instanceof CredentialError, `${context}: ${run.after}`);
            assert.ok(longTerm, `${context}: ${run.after.message}`);
            assert.match(run.after.message, /^Refusing to overwrite long-term keys /);
            assert.equal(await Deno.readTextFile(`${run.dir}/credentials`), run.text);
            outcomes.refused++;
            continue;
          }
          assert.ok(!longTerm, `${context}: overwrote long-term keys`);
          assert.ok(
            "sections" in botoAfter,
            `${context}: ${(botoAfter as BotocoreFile & { error: string }).error}`,
          );
          assertReadsAsWritten(
            `botocore ${botocore.version}`,
            run,
            sectionsBefore,
            botoAfter.sections,
          );
          assertReadsAsWritten("the SDK", run, run.sdkBefore, run.sdkAfter);
          outcomes[run.target in sectionsBefore ? "written" : "created"]++;
        }
      }
      // Every kind of case came up.
      assert.ok(Object.values(outcomes).every((count) => count > 0), JSON.stringify(outcomes));
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
