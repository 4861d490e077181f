import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import { botocoreProfileName, sdkProfileName } from "../lib/config/ini.ts";
import { CREDENTIAL_SETTINGS } from "../lib/config/profile_settings.ts";
import { readerDisagreement } from "../lib/config/reader_agreement.ts";
import { type BotocoreFile, readFilesWithBotocore } from "./support/botocore.ts";
import { botocores, requires } from "./support/clients.ts";

const BOTOCORE = await botocores();
const BOTOCORES = BOTOCORE.found ?? [];

const files = (config: string, credentials = "") => ({
  config: { path: "/home/u/.aws/config", text: config },
  credentials: { path: "/home/u/.aws/credentials", text: credentials },
});
const KEYS = "aws_access_key_id = AKIAKEY\naws_secret_access_key = SECRET\n";

function refuses(
  config: string,
  credentials: string,
  profile: string,
  message: string | RegExp,
  also: string[] = [],
) {
  const problem = readerDisagreement(files(config, credentials), profile, also);
  assert.ok(problem !== undefined, `accepted: ${JSON.stringify({ config, credentials })}`);
  if (typeof message === "string") assert.equal(problem, message);
  else assert.match(problem, message);
  assert.doesNotMatch(problem, /AKIAKEY|SECRET|[\r\n]/);
}

Deno.test("readerDisagreement() names the file, the profile and the line that differ", () => {
  refuses(
    "[profile x]\nregion=us-east-1\naws_access_key_id: AKIAKEY\naws_secret_access_key: SECRET\n",
    "",
    "x",
    'The AWS CLI and aec would read profile "x" differently in /home/u/.aws/config: botocore ' +
      'sees aws_access_key_id on line 3 (written "aws_access_key_id: …"), the AWS SDK for ' +
      'JavaScript does not; write it as "key = value"',
  );
  refuses(
    "",
    "[x]\nAws_Secret_Access_Key = SECRET\n",
    "x",
    'The AWS CLI and aec would read profile "x" differently in /home/u/.aws/credentials: ' +
      'botocore sees aws_secret_access_key on line 2 (written "Aws_Secret_Access_Key = …"), ' +
      "the AWS SDK for JavaScript does not; write the key in lower case",
  );
});

Deno.test("readerDisagreement() refuses settings that only one reader sees", () => {
  const cases: [string, RegExp][] = [
    // `key =` opens a sub-section for the SDK; botocore reads an empty value.
    [
      "[profile x]\ncredential_process =\n",
      /botocore sees credential_process on line 2 \(written "credential_process =", empty\), the AWS SDK for JavaScript reads it as the start of a sub-section; give it a value or delete the line$/,
    ],
    // ...and reads the lines after it, for botocore the value's continuation.
    [
      "[profile x]\naws_access_key_id =\n  sub = 1\n",
      /botocore sees aws_access_key_id on line 2 \(written "aws_access_key_id = …"\), the AWS SDK for JavaScript reads it as the start of a sub-section; write its value on that line$/,
    ],
    // An indented key after a value continues the value for botocore.
    [
      "[profile x]\nregion = r\n  aws_access_key_id = AKIAKEY\n",
      /the AWS SDK for JavaScript sees aws_access_key_id on line 3 \(written " {2}aws_access_key_id = …"\), botocore reads that line as part of the value on line 2; unindent it$/,
    ],
    // A value that is all comment for the SDK.
    [
      "[profile x]\naws_access_key_id = ;AKIAKEY\n",
      /botocore sees aws_access_key_id on line 2 .*, the AWS SDK for JavaScript reads its value as a comment/,
    ],
    // A key in an indented sub-section for the SDK, an option for botocore.
    [
      "[profile x]\n  s3 =\n  role_arn = arn\n",
      /botocore sees role_arn on line 3 .*, the AWS SDK for JavaScript reads it in the sub-section s3; unindent it$/,
    ],
    // Two spellings of one profile's header: botocore keeps the later only.
    [
      `[profile x]\n${KEYS}[profile "x"]\nregion = r\n`,
      /the AWS SDK for JavaScript sees aws_access_key_id on line 2 .*, botocore reads that line in section \[profile x\], which a later section of profile "x" replaces; keep one$/,
    ],
  ];
  for (const [config, message] of cases) refuses(config, "", "x", message);
});

Deno.test("readerDisagreement() refuses a profile header that only one reader reads", () => {
  refuses(
    `[profile  default]\n${KEYS}`,
    "",
    "default",
    /botocore reads \[profile {2}default\] on line 1 as profile "default", the AWS SDK for JavaScript does not; write it as \[default\]$/,
  );
  refuses(
    `[default]\nregion = r\n[profile dev]#work\n${KEYS}`,
    "",
    "dev",
    /botocore reads \[profile dev\] on line 3 as profile "dev", the AWS SDK for JavaScript does not read that line as a header; put comments on a line of their own$/,
  );
  // ...and the keys after it land in [default] for the SDK.
  refuses(
    `[default]\nregion = r\n[profile dev]#work\n${KEYS}`,
    "",
    "default",
    /the AWS SDK for JavaScript sees aws_access_key_id on line 4 .*, botocore reads that line in section \[profile dev\]$/,
  );
  refuses(
    `[profile.x]\n${KEYS}`,
    "",
    "x",
    /the AWS SDK for JavaScript reads \[profile\.x\] on line 1 as profile "x", botocore reads it as section \[profile\.x\]; write it as \[profile x\]$/,
  );
  refuses(
    `[profiles x]\n${KEYS}`,
    "",
    "x",
    /botocore reads \[profiles x\] on line 1 as profile "x", the AWS SDK for JavaScript does not; write it as \[profile x\]$/,
  );
  refuses(
    "",
    `[a]\nregion = r\n  [x]\n${KEYS}`,
    "x",
    /the AWS SDK for JavaScript reads \[x\] on line 3 as profile "x", botocore reads that line as part of the value on line 2; unindent it$/,
  );
});

Deno.test("readerDisagreement() refuses whole files that the readers cannot agree on", () => {
  const path = (file: string) =>
    `The AWS CLI and aec would read profile "p" differently in ${file}: `;
  const config = path("/home/u/.aws/config");
  const credentials = path("/home/u/.aws/credentials");
  refuses(
    "[profile x]\r\nregion = r\r\n[b]\rk = v\n",
    "",
    "p",
    `${config}line 3 ends in a lone CR, which ends a line for botocore only; use LF or CRLF line endings`,
  );
  refuses(
    "",
    `[x]\n${KEYS}[__proto__]\nk = v\n`,
    "p",
    `${credentials}the AWS SDK for JavaScript ignores the whole file for its section [__proto__] ` +
      "on line 4, botocore does not; rename that section",
  );
  refuses("[profile __proto__]\nk = v\n", "", "p", /section \[profile __proto__\] on line 1/);
  refuses(
    "",
    "[DEFAULT]\nregion = r\nCredential_Process: run\n[p]\nk = v\n",
    "p",
    `${credentials}its [DEFAULT] section sets credential_process on line 3, which botocore ` +
      "gives every profile and the AWS SDK for JavaScript none; move it into the profiles that " +
      "need it",
  );
  for (const other of ["[profile default]", '[profile "default"]', "[profiles default]"]) {
    refuses(
      `[default]\nregion = r\n${other}\n${KEYS}`,
      "",
      "p",
      `${config}it has both [default] and [profile default] (lines 1 and 3): the AWS SDK for ` +
        "JavaScript reads [profile default], botocore the later one; keep one",
    );
  }
});

Deno.test("readerDisagreement() follows the source_profile chain as either reader reads it", () => {
  const chain = "[profile a]\nrole_arn = arn\nsource_profile = b\n";
  refuses(chain, "[b]\naws_access_key_id: AKIAKEY\n", "a", /read profile "b" differently/);
  // botocore reads the inline comment into the name: a profile of its own, also checked.
  refuses(
    "[profile a]\nrole_arn = arn\nsource_profile = b ;c\n",
    "[b ;c]\naws_access_key_id: AKIAKEY\n",
    "a",
    /read profile "b ;c" differently/,
  );
  // A source found after the pass over its sections reads the file again.
  const base = "[profile base]\naws_access_key_id: AKIAKEY\n";
  const role = "role_arn = arn\nsource_profile = base\n";
  refuses(`${base}[profile a]\n${role}`, "", "a", /read profile "base" differently in .*config/);
  refuses(base, `[a]\n${role}`, "a", /read profile "base" differently in .*config/);
  // A cycle ends.
  assert.equal(
    readerDisagreement(
      files("[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\n"),
      "a",
    ),
    undefined,
  );
  // The profiles in `also` are checked too.
  refuses("", "[aec-served];x\nregion = r\n", "p", /profile "aec-served"/, ["aec-served"]);
  assert.equal(readerDisagreement(files("", "[aec-served];x\nregion = r\n"), "p"), undefined);
});

Deno.test("readerDisagreement() accepts files both readers read alike", () => {
  const accepted: [string, string][] = [
    ["", ""],
    [`[default]\n${KEYS}`, `[default]\n${KEYS}`],
    // Non-credential settings may differ: region with `:`, in upper case, in [DEFAULT].
    [`[DEFAULT]\nregion = r\n[profile p]\nREGION: r\n${KEYS}`, "[DEFAULT]\noutput: json\n"],
    // Comments after headers and values, sub-sections, CRLF, indented keys alike.
    [
      `[profile p] # work\r\ns3 =\r\n  max_concurrent_requests = 10\r\n${
        KEYS.replaceAll("\n", "\r\n")
      }`,
      "[p]\n  aws_access_key_id = AKIAKEY # note\n  aws_secret_access_key = SECRET\n",
    ],
    // Quoted and tab-separated profile names.
    [`[profile "p"]\n${KEYS}[profile\tq]\n${KEYS}`, ""],
    // Sections that are no profile, and errors that make botocore reject the whole file.
    [`[sso-session p]\nsso_start_url: u\n[services p]\nk = v\n[p]\n${KEYS}`, "k = v\n[p]\n[p]\n"],
    // Other profiles may differ.
    [
      `[profile p]\n${KEYS}[profile q]\naws_access_key_id: AKIAKEY\n`,
      "[q]\nregion = r\n  role_arn = x\n",
    ],
  ];
  for (const [config, credentials] of accepted) {
    assert.equal(
      readerDisagreement(files(config, credentials), "p"),
      undefined,
      JSON.stringify({ config, credentials }),
    );
  }
});

// The readers themselves are the oracles: the SDK's loader, and botocore.

type Sections = Record<string, Record<string, unknown>>;

interface Oracle {
  sdk: { config: Sections; credentials: Sections };
  botocore: { config: BotocoreFile; credentials: BotocoreFile }[];
}

async function readAll(
  dir: string,
  cases: readonly { config: string; credentials: string }[],
): Promise<Oracle[]> {
  const paths = cases.map((_, index) => ({
    config: `${dir}/${index}.config`,
    credentials: `${dir}/${index}.credentials`,
  }));
  for (const [index, { config, credentials }] of cases.entries()) {
    await Deno.writeTextFile(paths[index]!.config, config);
    await Deno.writeTextFile(paths[index]!.credentials, credentials);
  }
  const byBotocore = await Promise.all(BOTOCORES.map(async (botocore) => {
    const [config, credentials] = await Promise.all([
      readFilesWithBotocore(botocore, paths.map((path) => path.config), "config"),
      readFilesWithBotocore(botocore, paths.map((path) => path.credentials)),
    ]);
    return config.map((file, index) => ({ config: file, credentials: credentials[index]! }));
  }));
  return await Promise.all(paths.map(async (path, index) => {
    const { configFile, credentialsFile } = await loadSharedConfigFiles({
      filepath: path.credentials,
      configFilepath: path.config,
      ignoreCache: true,
    });
    return {
      sdk: { config: configFile as Sections, credentials: credentialsFile as Sections },
      botocore: byBotocore.map((files) => files[index]!),
    };
  }));
}

Deno.test({
  ...requires(
    "sdkProfileName() and botocoreProfileName() name the profiles the readers do",
    BOTOCORE,
  ),
  async fn() {
    const names = [
      ...["default", "profile x", "profile  x", "profile\tx", "profile.x", "profiles x", "x"],
      ...['profile "a b"', "profile 'x'", "profile \"x'", "profile a\\ b", 'profile "a\\"b"'],
      ...["profile x y", "profile", "sso-session s", "services s", "DEFAULT", " default", "a b"],
      ...fc.sample(
        fc.tuple(
          fc.constantFrom("profile ", "profile", "profiles ", "sso-session ", "services ", ""),
          fc.string({ unit: fc.constantFrom(..."ab. \t'\"\\-:_"), maxLength: 6 }),
        ).map(([prefix, name]) => prefix + name),
        { numRuns: 300 },
      ),
    ].filter((name) => !/^\s|\s$|__proto__/.test(name) && name !== "");
    const dir = await Deno.makeTempDir({ prefix: "aec-agree-names-" });
    try {
      const text = (name: string) => `[${name}]\nnote = v\n`;
      const oracles = await readAll(
        dir,
        names.map((name) => ({
          config: text(name),
          credentials: text(name),
        })),
      );
      for (const [index, name] of names.entries()) {
        const { sdk, botocore } = oracles[index]!;
        for (const kind of ["config", "credentials"] as const) {
          const expected = sdkProfileName(name, kind);
          assert.deepEqual(Object.keys(sdk[kind]), expected === undefined ? [] : [expected], name);
          for (const read of botocore) {
            const file = read[kind];
            assert.ok("sections" in file, JSON.stringify(file));
            const expected = botocoreProfileName(name, kind);
            assert.deepEqual(
              Object.keys(file.sections),
              expected === undefined ? [] : [expected],
              `${kind} ${JSON.stringify(name)}`,
            );
          }
        }
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// Generated files: profiles in every header spelling either reader reads,
// with credential settings written every way one of them reads differently.
const POOL = ["default", "dev", "base"];
const configHeaderArb = (name: string) =>
  fc.constantFrom(
    name === "default" ? "[default]" : `[profile ${name}]`,
    name === "default" ? "[default]" : `[profile ${name}]`,
    `[profile  ${name}]`,
    `[profile "${name}"]`,
    `[profile\t${name}]`,
    `[profile.${name}]`,
    `[profiles ${name}]`,
    `[${name}]`,
  );
const credentialsHeaderArb = (name: string) =>
  fc.constantFrom(`[${name}]`, `[${name}]`, `[profile ${name}]`, `[${name} ]`);
const valueOf = (key: string) => fc.constantFrom(...(key === "source_profile" ? POOL : ["v1"]));
const settingArb = (key: string): fc.Arbitrary<string[]> =>
  valueOf(key).chain((value) =>
    fc.constantFrom<string[]>(
      [`${key} = ${value}`],
      [`${key} = ${value}`],
      [`${key}: ${value}`],
      [`${key.toUpperCase()} = ${value}`],
      [`${key} =`],
      [`${key} = ;${value}`],
      [`  ${key} = ${value}`],
      [`${key}=${value} # c`],
      [`${key} = ${value}`, "  more"],
      [`${key} =`, "  sub = 1"],
    )
  );
const SETTINGS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "credential_process",
  "source_profile",
  "role_arn",
];
const OTHERS = [["region = r"], ["output: json"], ["  region_x = r"], ["s3 =", "  max = 1"]];
const bodyArb = fc
  .tuple(fc.subarray(SETTINGS), fc.subarray([...OTHERS, ["# comment"], [""]]))
  .chain(([keys, others]) =>
    fc.tuple(...keys.map(settingArb)).chain((settings) =>
      fc.shuffledSubarray([...settings, ...others], {
        minLength: settings.length + others.length,
      })
    )
  )
  .map((items) => items.flat());
const sectionArb = (header: (name: string) => fc.Arbitrary<string>) =>
  fc.constantFrom(...POOL).chain((name) =>
    fc.record({
      name: fc.constant(name),
      header: header(name),
      trail: fc.constantFrom("", "", " # c", "#c", " ;c"),
      indent: fc.constantFrom("", "", "", "  "),
      body: bodyArb,
    })
  );
const fileArb = (header: (name: string) => fc.Arbitrary<string>) =>
  fc.record({
    defaults: fc.boolean(),
    // botocore rejects a file with a section twice.
    sections: fc.uniqueArray(sectionArb(header), {
      selector: (section) => section.header,
      maxLength: 4,
    }),
    eol: fc.constantFrom("\n", "\r\n"),
  }).map(({ defaults, sections, eol }) => ({
    sections,
    text: [
      ...(defaults ? ["[DEFAULT]", "region = r"] : []),
      // A first setting on its own line, so that the SDK keeps every section it reads.
      ...sections.flatMap((section, index) => [
        `${section.indent}${section.header}${section.trail}`,
        `note_${index} = v`,
        ...section.body,
      ]),
    ].map((line) => line + eol).join(""),
  }));
const caseArb = fc
  .record({
    config: fileArb(configHeaderArb),
    credentials: fileArb(credentialsHeaderArb),
    profile: fc.constantFrom(...POOL),
  })
  // Both [default] and a prefixed one are refused whatever the readers make of them.
  .filter(({ config }) => {
    const defaults = config.sections.filter((section) => section.name === "default");
    return !(defaults.some((section) => section.header === "[default]") &&
      defaults.some((section) => section.header !== "[default]"));
  })
  .map(({ config, credentials, profile }) => ({
    config: config.text,
    credentials: credentials.text,
    profile,
  }));

/**
 * Whether the readers differ on the credential settings or existence of
 * `profile` and its sources, or botocore reads credential settings in [DEFAULT].
 */
function readersDiffer(oracle: Oracle, profile: string): boolean {
  const views = oracle.botocore.map((botocore) => {
    if (!("sections" in botocore.config) || !("sections" in botocore.credentials)) return undefined;
    return [
      [oracle.sdk.config, botocore.config.sections],
      [oracle.sdk.credentials, botocore.credentials.sections],
    ] as const;
  });
  // botocore gives every profile the credential settings of [DEFAULT], the SDK none.
  let differ = oracle.botocore.some((botocore) =>
    [botocore.config, botocore.credentials].some((file) =>
      "defaults" in file && CREDENTIAL_SETTINGS.some((key) => Object.hasOwn(file.defaults, key))
    )
  );
  const pending = [profile];
  const checked = new Set<string>();
  for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
    if (checked.has(name)) continue;
    checked.add(name);
    for (const view of views) {
      for (const [sdk, botocore] of view ?? []) {
        const bySdk = Object.hasOwn(sdk, name) ? sdk[name] : undefined;
        const byBotocore = Object.hasOwn(botocore, name) ? botocore[name] : undefined;
        if ((bySdk === undefined) !== (byBotocore === undefined)) differ = true;
        for (const key of CREDENTIAL_SETTINGS) {
          const value = byBotocore?.[key];
          const sdkHas = bySdk !== undefined && Object.hasOwn(bySdk, key);
          if (sdkHas ? value === undefined || value === "" : value !== undefined) differ = true;
        }
        for (const source of [bySdk?.source_profile, byBotocore?.source_profile]) {
          if (typeof source === "string") pending.push(source);
        }
      }
    }
  }
  return differ;
}

Deno.test({
  ...requires(
    "readerDisagreement() refuses exactly the files botocore and the SDK read differently",
    BOTOCORE,
  ),
  async fn() {
    const cases = fc.sample(caseArb, { numRuns: 800 });
    const dir = await Deno.makeTempDir({ prefix: "aec-agree-" });
    try {
      const oracles = await readAll(dir, cases);
      let compared = 0;
      let refused = 0;
      for (const [index, { config, credentials, profile }] of cases.entries()) {
        const oracle = oracles[index]!;
        // Where botocore rejects a file, the AWS CLI gives no identity to agree with.
        const rejected = oracle.botocore.some((read) =>
          "error" in read.config || "error" in read.credentials
        );
        if (rejected) continue;
        compared++;
        const problem = readerDisagreement(files(config, credentials), profile);
        if (problem) refused++;
        assert.equal(
          problem !== undefined,
          readersDiffer(oracle, profile),
          `${JSON.stringify({ config, credentials, profile })}: ${problem}`,
        );
      }
      // The generator must keep exercising both outcomes.
      assert.ok(compared >= 350, `only ${compared} cases compared`);
      assert.ok(refused > 50 && compared - refused > 50, `${refused} of ${compared} refused`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
