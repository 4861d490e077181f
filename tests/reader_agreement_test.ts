import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import { loadSharedConfigFiles, loadSsoSessionData } from "@smithy/shared-ini-file-loader";
import {
  botocoreProfileName,
  botocoreSsoSessionName,
  sdkProfileName,
  sdkSsoSessionName,
} from "../lib/config/ini.ts";
import { CREDENTIAL_SETTINGS } from "../lib/config/profile_settings.ts";
import { checkReaderAgreement } from "../lib/config/reader_agreement.ts";
import { type BotocoreFile, readFilesWithBotocore } from "./support/botocore.ts";
import { botocores, requires } from "./support/clients.ts";

const BOTOCORE = await botocores();
const BOTOCORES = BOTOCORE.found ?? [];

const files = (config: string, credentials = "") => ({
  config: { path: "/home/u/.aws/config", text: config },
  credentials: { path: "/home/u/.aws/credentials", text: credentials },
});
const KEYS = "aws_access_key_id = AKIAKEY\naws_secret_access_key = SECRET\n";
const readerDisagreement = (
  given: ReturnType<typeof files>,
  profile: string,
  also: string[] = [],
) => checkReaderAgreement(given, profile, also).disagreement;

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

Deno.test("checkReaderAgreement() names the file, the profile and the line that differ", () => {
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

Deno.test("checkReaderAgreement() refuses settings that only one reader sees", () => {
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

Deno.test("checkReaderAgreement() refuses a profile header that only one reader reads", () => {
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

Deno.test("checkReaderAgreement() refuses whole files that the readers cannot agree on", () => {
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

Deno.test("checkReaderAgreement() follows the source_profile chain as either reader reads it", () => {
  const chain = "[profile a]\nrole_arn = arn\nsource_profile = b\n";
  refuses(chain, "[b]\naws_access_key_id: AKIAKEY\n", "a", /read profile "b" differently/);
  // ...and the sso-session a profile names, in the config file.
  const sso = "[profile a]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n";
  refuses(
    `${sso}[sso-session corp]\nsso_start_url = https://a\nsso_region: eu-west-1\n`,
    "",
    "a",
    'The AWS CLI and aec would read sso-session "corp" differently in /home/u/.aws/config: ' +
      'botocore sees sso_region on line 7 (written "sso_region: …"), the AWS SDK for ' +
      'JavaScript does not; write it as "key = value"',
  );
  refuses(
    `${sso}[sso-session  corp]\nsso_start_url = https://a\n`,
    "",
    "a",
    /botocore reads \[sso-session {2}corp\] on line 5 as sso-session "corp", the AWS SDK for JavaScript does not; write it as \[sso-session corp\]$/,
  );
  // An sso-session that nothing names may differ.
  assert.equal(
    readerDisagreement(files(`${sso}[sso-session other]\nsso_region: eu-west-1\n`), "a"),
    undefined,
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

Deno.test("checkReaderAgreement() refuses identity settings whose values the readers take differently", () => {
  const credentials = (text: string) =>
    'The AWS CLI and aec would read profile "p" differently in /home/u/.aws/credentials: ' + text;
  // A byte order mark makes botocore read another key; the SDK never reads `key: value`.
  refuses(
    "",
    "[p]\n\uFEFFaws_access_key_id = AKIAKEY\naws_access_key_id: AKIAOTHER\n",
    "p",
    credentials(
      'botocore sees aws_access_key_id on line 3 (written "aws_access_key_id: …"), the AWS SDK ' +
        'for JavaScript does not and reads it on line 2; write it as "key = value"',
    ),
  );
  refuses(
    "",
    "[p]\naws_access_key_id: AKIAOTHER\n\uFEFFaws_access_key_id = AKIAKEY\n",
    "p",
    credentials(
      "the AWS SDK for JavaScript sees aws_access_key_id on line 3 (written " +
        '"\\ufeffaws_access_key_id = …"), botocore does not and reads it on line 2; delete the ' +
        "U+FEFF before the key",
    ),
  );
  // botocore reads a comment after a value as part of it.
  refuses(
    "[profile p]\nrole_arn = arn\nsource_profile = static # the main keys\n",
    "[static]\naws_access_key_id = AKIAKEY\n",
    "p",
    'The AWS CLI and aec would read profile "p" differently in /home/u/.aws/config: the AWS SDK ' +
      "for JavaScript ends the value of source_profile on line 3 at a comment, botocore reads " +
      "the comment as part of the value; put the comment on a line of its own",
  );
  // ...and the indented lines after it.
  refuses(
    "",
    "[p]\ncredential_process = /bin/creds\n\n  --verbose\n",
    "p",
    credentials(
      "botocore reads line 4 as part of the value of credential_process on line 2, the AWS SDK " +
        "for JavaScript does not; unindent line 4 or delete it",
    ),
  );
  // Characters at either end of a value or key that only one reader trims.
  const trims: [string, string][] = [
    [
      "aws_secret_access_key = SECRET\x1f",
      "the value of aws_secret_access_key on line 2 ends with U+001F, which botocore trims from " +
      "it and the AWS SDK for JavaScript keeps; delete it",
    ],
    [
      "aws_secret_access_key = SECRET\uFEFF",
      "the value of aws_secret_access_key on line 2 ends with U+FEFF, which the AWS SDK for " +
      "JavaScript trims from it and botocore keeps; delete it",
    ],
    [
      "role_arn = \x85arn",
      "the value of role_arn on line 2 starts with U+0085, which botocore trims from it and " +
      "the AWS SDK for JavaScript keeps; delete it",
    ],
    [
      "\x1caws_access_key_id = AKIAKEY",
      'botocore sees aws_access_key_id on line 2 (written "\\u001caws_access_key_id = …"), the ' +
      "AWS SDK for JavaScript does not; delete the U+001C before the key",
    ],
  ];
  for (const [line, problem] of trims) refuses("", `[p]\n${line}\n`, "p", credentials(problem));
  // Every setting that decides an identity, the modifiers of a role too; not the region.
  for (const key of ["external_id", "mfa_serial", "role_session_name", "login_session"]) {
    refuses("", `[p]\n${key} = v ;c\n`, "p", new RegExp(`ends the value of ${key} on line 2`));
    refuses("", `[p]\n${key}: v\n`, "p", new RegExp(`botocore sees ${key} on line 2`));
  }
  assert.equal(readerDisagreement(files("", "[p]\nregion = r ;c\n"), "p"), undefined);
});

Deno.test("checkReaderAgreement() names the files botocore cannot parse at all, and the line", () => {
  const unparsable = (config: string, credentials = "") => {
    const agreement = checkReaderAgreement(files(config, credentials), "p");
    assert.equal(agreement.disagreement, undefined);
    return agreement.unparsable;
  };
  const config = "botocore (the AWS CLI) cannot parse /home/u/.aws/config: ";
  const cases: [string, string][] = [
    [
      "\uFEFF[profile p]\n",
      "line 1 starts with a byte order mark (U+FEFF); save the file without one",
    ],
    [
      "# keys\nregion = r\n[profile p]\n",
      "line 2 comes before any section header; move it into a section",
    ],
    ["[profile p]\n[profile q\nk = v\n", "line 2 is a section header without its ]; close it"],
    ["[profile p]\n= v\n", "line 2 has no key before its =; name the key"],
    [
      "[profile p]\nregion\n",
      'line 2 is neither a section header nor "key = value"; fix it or delete it',
    ],
    ["[q]\n[profile p]\n[q]\n", "section [q] appears again on line 3; merge the two"],
    [
      "[profile p]\nregion = a\nRegion: b\n",
      "section [profile p] sets region again on line 3; keep one",
    ],
    [
      "[DEFAULT]\nregion = a\n[DEFAULT]\nregion = b\n[profile p]\n",
      "section [DEFAULT] sets region again on line 4; keep one",
    ],
    [
      "[profile p]\ns3 =\n  max_concurrent_requests = 10\n  path-style\n",
      'line 4, indented under "s3 =" on line 2, is not "key = value" as botocore needs there; ' +
      "write it so or delete it",
    ],
    // In [DEFAULT] only once botocore gives it to a section.
    [
      "[DEFAULT]\ns3 =\n  path-style\n[profile p]\n",
      'line 3, indented under "s3 =" on line 2, is not "key = value" as botocore needs there; ' +
      "write it so or delete it",
    ],
    // The first line that fails.
    [
      "[profile p]\nx\n[profile p]\n",
      'line 2 is neither a section header nor "key = value"; fix it or delete it',
    ],
  ];
  for (const [text, problem] of cases) {
    assert.deepEqual(unparsable(text), [config + problem], JSON.stringify(text));
  }
  assert.deepEqual(unparsable("", "[p]\nk = v\n[p]\n"), [
    "botocore (the AWS CLI) cannot parse /home/u/.aws/credentials: section [p] appears again " +
    "on line 3; merge the two",
  ]);
  // A file that is not UTF-8, whatever else it holds.
  const notUtf8 = files("[profile p]\nk = \uFFFD\nk = v\n");
  assert.deepEqual(
    checkReaderAgreement({ ...notUtf8, config: { ...notUtf8.config, notUtf8Line: 2 } }, "p")
      .unparsable,
    [config + "line 2 is not UTF-8; save the file as UTF-8"],
  );
  // Files botocore parses, and no file at all.
  for (
    const text of [
      "",
      "# comment\n\n[profile p]\nregion = r\n  more\n\ns3 =\n  max = 1\n",
      "[DEFAULT]\ns3 =\n  path-style\n",
      "  [profile p]\n[sso-session p]\n[profile  p]\n",
    ]
  ) {
    assert.deepEqual(unparsable(text, text), [], JSON.stringify(text));
  }
  // Nothing of a value reaches the line.
  assert.doesNotMatch(unparsable("[profile p]\nAKIAKEY SECRET\n")[0]!, /AKIAKEY|SECRET/);
});

Deno.test("checkReaderAgreement() accepts files both readers read alike", () => {
  const accepted: [string, string][] = [
    ["", ""],
    [`[default]\n${KEYS}`, `[default]\n${KEYS}`],
    // Non-credential settings may differ: region with `:`, in upper case, in [DEFAULT].
    [`[DEFAULT]\nregion = r\n[profile p]\nREGION: r\n${KEYS}`, "[DEFAULT]\noutput: json\n"],
    // Comments after headers and after values that decide no identity, sub-sections, CRLF,
    // indented keys alike.
    [
      `[profile p] # work\r\ns3 =\r\n  max_concurrent_requests = 10\r\n${
        KEYS.replaceAll("\n", "\r\n")
      }region = eu-west-1 # Ireland\r\n`,
      "[p] # note\n  aws_access_key_id = AKIAKEY\n  aws_secret_access_key = SECRET\n",
    ],
    // The same value, though each reader takes it from another line.
    ["", `[p]\n\uFEFFaws_access_key_id = AKIAKEY\naws_access_key_id: AKIAKEY\n`],
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
    "sdkProfileName(), botocoreProfileName() and their sso-session twins name the " +
      "profiles and sso-sessions the readers do",
    BOTOCORE,
  ),
  async fn() {
    const names = [
      ...["default", "profile x", "profile  x", "profile\tx", "profile.x", "profiles x", "x"],
      ...['profile "a b"', "profile 'x'", "profile \"x'", "profile a\\ b", 'profile "a\\"b"'],
      ...["profile x y", "profile", "sso-session s", "services s", "DEFAULT", " default", "a b"],
      ...["sso-session.s", "sso-sessions s", "sso-session  s", 'sso-session "s"', "profile sso"],
      ...fc.sample(
        fc.tuple(
          fc.constantFrom(
            "profile ",
            "profile",
            "profiles ",
            "sso-session ",
            "sso-session",
            "services ",
            "",
          ),
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
        const sessions = await loadSsoSessionData({
          configFilepath: `${dir}/${index}.config`,
        });
        const expected = sdkSsoSessionName(name);
        assert.deepEqual(Object.keys(sessions), expected === undefined ? [] : [expected], name);
        for (const read of botocore) {
          assert.ok("ssoSessions" in read.config, JSON.stringify(read.config));
          const expected = botocoreSsoSessionName(name);
          assert.deepEqual(
            Object.keys(read.config.ssoSessions!),
            expected === undefined ? [] : [expected],
            `sso-session ${JSON.stringify(name)}`,
          );
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
const SESSIONS = ["corp"];
const valueOf = (key: string) =>
  fc.constantFrom(
    ...(key === "source_profile" ? POOL : key === "sso_session" ? SESSIONS : ["v1", "v2"]),
  );
const settingArb = (key: string): fc.Arbitrary<string[]> =>
  fc.tuple(valueOf(key), valueOf(key)).chain(([value, other]) =>
    fc.constantFrom<string[]>(
      ...Array<string[]>(6).fill([`${key} = ${value}`]),
      [`${key}: ${value}`],
      [`${key.toUpperCase()} = ${value}`],
      [`${key} =`],
      [`${key} = ;${value}`],
      [`  ${key} = ${value}`],
      [`${key}=${value} # c`],
      [`${key} = ${value}`, "  more"],
      [`${key} = ${value}`, "", "  more"],
      [`${key} =`, "  sub = 1"],
      // Characters that one reader trims and the other keeps.
      [`${key} = ${value}\x1f`],
      [`${key} = \x85${value}`],
      [`${key} = ${value}\uFEFF`],
      [`\x1c${key} = ${value}`],
      // The SDK reads the first line, botocore the second.
      [`\uFEFF${key} = ${value}`, `${key}: ${other}`],
    )
  );
const SETTINGS = [
  "aws_access_key_id",
  "aws_secret_access_key",
  "credential_process",
  "source_profile",
  "role_arn",
  "mfa_serial",
  "sso_session",
];
// Lines that change no identity, some of which botocore cannot parse.
const OTHERS = [
  ["region = r # c"],
  ["output: json"],
  ["  region_x = r"],
  ["s3 =", "  max = 1"],
  ["# comment"],
  [""],
];
const UNPARSABLE = [["[broken"], ["stray text"], ["s3 =", "  stray"], ["output = json"]];
const bodyArb = (settings: string[]) =>
  fc
    .tuple(
      fc.subarray(settings, { maxLength: Math.min(3, settings.length) }),
      fc.subarray(OTHERS),
      fc.oneof({ arbitrary: fc.constant([]), weight: 10 }, fc.subarray(UNPARSABLE)),
    )
    .chain(([keys, others, unparsable]) =>
      fc.tuple(...keys.map(settingArb)).chain((lines) =>
        fc.shuffledSubarray([...lines, ...others, ...unparsable], {
          minLength: lines.length + others.length + unparsable.length,
        })
      )
    )
    .map((items) => items.flat());
type Header = (name: string) => fc.Arbitrary<string>;
const sectionArb = (header: Header, withSessions: boolean) =>
  fc.constantFrom(...POOL, ...(withSessions ? SESSIONS.map((name) => `sso-session ${name}`) : []))
    .chain((name) => {
      const session = name.startsWith("sso-session ") ? name.slice(12) : undefined;
      return fc.record({
        name: fc.constant(name),
        header: session === undefined ? header(name) : ssoSessionHeaderArb(session),
        trail: fc.constantFrom("", "", " # c", "#c", " ;c"),
        indent: fc.constantFrom("", "", "", "  "),
        body: bodyArb(session === undefined ? SETTINGS : ["sso_start_url", "sso_region"]),
      });
    });
const ssoSessionHeaderArb = (name: string) =>
  fc.constantFrom(
    `[sso-session ${name}]`,
    `[sso-session ${name}]`,
    `[sso-session  ${name}]`,
    `[sso-session "${name}"]`,
    `[sso-session.${name}]`,
  );
const fileArb = (header: Header, withSessions = false) =>
  fc.record({
    bom: fc.oneof({ arbitrary: fc.constant(""), weight: 15 }, fc.constant("\uFEFF")),
    defaults: fc.boolean(),
    // Mostly one section each: botocore cannot parse a file with a section twice.
    sections: fc.array(sectionArb(header, withSessions), { maxLength: 4 }).chain((sections) =>
      fc.constantFrom(
        sections,
        sections.filter((section, index) =>
          sections.findIndex((other) => other.header === section.header) === index
        ),
      )
    ),
    eol: fc.constantFrom("\n", "\r\n"),
  }).map(({ bom, defaults, sections, eol }) => ({
    sections,
    text: bom + [
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
    config: fileArb(configHeaderArb, true),
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

const IDENTITY_SETTINGS = [
  ...CREDENTIAL_SETTINGS,
  "external_id",
  "mfa_serial",
  "role_session_name",
];
const SSO_SESSION_SETTINGS = ["sso_start_url", "sso_region"];

/**
 * Whether the readers differ on the identity settings (their values) or the
 * existence of `profile`, its sources and its sso-sessions, or botocore reads
 * identity settings in [DEFAULT].
 */
function readersDiffer(oracle: Oracle, profile: string): boolean {
  const own = (settings: Record<string, unknown> | undefined, key: string) =>
    settings !== undefined && Object.hasOwn(settings, key) ? settings[key] : undefined;
  // botocore gives every profile the identity settings of [DEFAULT], the SDK none.
  let differ = oracle.botocore.some((botocore) =>
    [botocore.config, botocore.credentials].some((file) =>
      "defaults" in file && IDENTITY_SETTINGS.some((key) => Object.hasOwn(file.defaults, key))
    )
  );
  const pending: [kind: "profile" | "sso-session", name: string][] = [["profile", profile]];
  const checked = new Set<string>();
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const [kind, name] = next;
    if (checked.has(`${kind} ${name}`)) continue;
    checked.add(`${kind} ${name}`);
    for (const botocore of oracle.botocore) {
      if (!("sections" in botocore.config) || !("sections" in botocore.credentials)) continue;
      const pairs = kind === "profile"
        ? [
          [oracle.sdk.config, botocore.config.sections, name],
          [oracle.sdk.credentials, botocore.credentials.sections, name],
        ] as const
        : [[oracle.sdk.config, botocore.config.ssoSessions!, `sso-session.${name}`]] as const;
      for (const [sdk, byBotocore, sdkName] of pairs) {
        const bySdk = own(sdk, sdkName) as Record<string, unknown> | undefined;
        const read = own(byBotocore, name) as Record<string, unknown> | undefined;
        if ((bySdk === undefined) !== (read === undefined)) differ = true;
        for (const key of kind === "profile" ? IDENTITY_SETTINGS : SSO_SESSION_SETTINGS) {
          if (own(bySdk, key) !== own(read, key)) differ = true;
        }
        if (kind === "sso-session") continue;
        for (const settings of [bySdk, read]) {
          const source = own(settings, "source_profile");
          const session = own(settings, "sso_session");
          if (typeof source === "string") pending.push(["profile", source]);
          if (typeof session === "string") pending.push(["sso-session", session]);
        }
      }
    }
  }
  return differ;
}

Deno.test({
  ...requires(
    "checkReaderAgreement() refuses exactly the files botocore and the SDK read " +
      "differently, and names exactly those botocore cannot parse",
    BOTOCORE,
  ),
  async fn() {
    const cases = fc.sample(caseArb, { numRuns: 1000 });
    const dir = await Deno.makeTempDir({ prefix: "aec-agree-" });
    try {
      const oracles = await readAll(dir, cases);
      let compared = 0;
      let refused = 0;
      let unparsable = 0;
      for (const [index, { config, credentials, profile }] of cases.entries()) {
        const oracle = oracles[index]!;
        const context = JSON.stringify({ config, credentials, profile });
        const given = files(config, credentials);
        const agreement = checkReaderAgreement(given, profile);
        // Where botocore rejects a file, the AWS CLI gives no identity to agree with...
        const rejected = oracle.botocore.some((read) =>
          "error" in read.config || "error" in read.credentials
        );
        if (!rejected) {
          compared++;
          if (agreement.disagreement) refused++;
          assert.equal(
            agreement.disagreement !== undefined,
            readersDiffer(oracle, profile),
            `${context}: ${agreement.disagreement}`,
          );
        }
        // ...and aec says so, where it reads on.
        if (agreement.disagreement !== undefined) continue;
        for (const kind of ["config", "credentials"] as const) {
          const { path } = given[kind];
          const named = agreement.unparsable.filter((line) => line.includes(`parse ${path}:`));
          for (const read of oracle.botocore) {
            assert.equal(named.length, "error" in read[kind] ? 1 : 0, `${kind} of ${context}`);
          }
          if (named.length > 0) unparsable++;
        }
      }
      // The generator must keep exercising every outcome.
      assert.ok(compared >= 350, `only ${compared} cases compared`);
      assert.ok(refused > 50 && compared - refused > 50, `${refused} of ${compared} refused`);
      assert.ok(unparsable > 50, `only ${unparsable} files named unparsable`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
