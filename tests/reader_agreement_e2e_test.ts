/**
 * End to end: aec refuses files that the AWS CLI (botocore) and the AWS SDK
 * for JavaScript read as different identities, before it resolves anything.
 * Each run has a container credentials endpoint serving another role: without
 * the check, aec hands over that role where the AWS CLI uses the profile's
 * own keys, or the reverse. And where botocore is here, the layouts aec
 * accepts resolve to the same keys in botocore as in aec.
 */

import assert from "node:assert/strict";
import {
  type BotocoreCredentials,
  botocoreCredentials,
  readFilesWithBotocore,
} from "./support/botocore.ts";
import { botocores, requires } from "./support/clients.ts";
import { assertRefused, runWithContainer } from "./support/container_role.ts";
import {
  type Sandbox,
  type SandboxFiles,
  STATIC_CREDENTIALS,
  withSandbox,
} from "./support/sandbox.ts";

const BOTOCORE = await botocores();
const BOTOCORES = BOTOCORE.found ?? [];

const KEYS = "aws_access_key_id = AKIAPROFILEKEY000000\naws_secret_access_key = profileSecret\n";

/** Runs aec for `profile` (the default one when undefined) with a container role there. */
async function refusedWith(
  files: SandboxFiles,
  profile: string | undefined,
  line: (sandbox: Sandbox) => RegExp,
): Promise<void> {
  await withSandbox(files, async (sandbox) => {
    const args = profile === undefined ? ["--json"] : ["--profile", profile, "--json"];
    const result = await runWithContainer(sandbox, args);
    assertRefused(result, line(sandbox));
    // Neither a key id nor a secret reaches stderr.
    assert.doesNotMatch(result.stderr, /AKIA|profileSecret/);
  });
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const differently = (profile: string, path: string) =>
  `The AWS CLI and aec would read profile "${profile}" differently in ${escape(path)}: `;

Deno.test("aec refuses `key: value` credential settings, which only botocore reads", async () => {
  const colon = "aws_access_key_id: AKIAUSERKEYX\naws_secret_access_key: s\n";
  await refusedWith(
    { config: `[profile x]\nregion=us-east-1\n${colon}` },
    "x",
    ({ configFile }) =>
      new RegExp(
        differently("x", configFile) +
          'botocore sees aws_access_key_id on line 3 \\(written "aws_access_key_id: …"\\), ' +
          'the AWS SDK for JavaScript does not; write it as "key = value"$',
        "m",
      ),
  );
  await refusedWith(
    { config: "[profile x]\nregion=us-east-1\n", credentials: `[x]\n${colon}` },
    "x",
    ({ credentialsFile }) =>
      new RegExp(differently("x", credentialsFile) + "botocore sees aws_access_key_id on line 2"),
  );
});

Deno.test("aec refuses a [DEFAULT] section with credential settings, which botocore gives every profile", async () => {
  const line = (path: string, key: string) =>
    new RegExp(
      differently("x", path) + `its \\[DEFAULT\\] section sets ${key} on line 2, which botocore ` +
        "gives every profile and the AWS SDK for JavaScript none",
    );
  await refusedWith(
    { config: `[DEFAULT]\n${KEYS}[profile x]\nregion = eu-west-1\n` },
    "x",
    ({ configFile }) => line(configFile, "aws_access_key_id"),
  );
  await refusedWith(
    {
      config: "[profile x]\nregion = eu-west-1\n",
      credentials: "[DEFAULT]\ncredential_process = /bin/false\n[x]\nregion = eu-west-1\n",
    },
    "x",
    ({ credentialsFile }) => line(credentialsFile, "credential_process"),
  );
});

Deno.test("aec refuses a config file with both [default] and [profile default]", async () => {
  await refusedWith(
    { config: `[profile default]\nregion = eu-west-1\n[default]\n${KEYS}` },
    undefined,
    ({ configFile }) =>
      new RegExp(
        differently("default", configFile) +
          "it has both \\[default\\] and \\[profile default\\] \\(lines 1 and 3\\)",
      ),
  );
});

Deno.test("aec refuses a header that only botocore reads as the profile: [profile  default]", async () => {
  await refusedWith(
    { config: `[profile  default]\n${KEYS}` },
    undefined,
    ({ configFile }) =>
      new RegExp(
        differently("default", configFile) +
          'botocore reads \\[profile  default\\] on line 1 as profile "default", the AWS SDK ' +
          "for JavaScript does not; write it as \\[default\\]",
      ),
  );
});

Deno.test("aec refuses empty credential settings, which the SDK reads as sub-sections", async () => {
  const empty = (setting: string) =>
    refusedWith(
      { config: `[profile x]\nregion = eu-west-1\n${setting}` },
      "x",
      ({ configFile }) =>
        new RegExp(
          differently("x", configFile) +
            `botocore sees ${setting.split(" ")[0]} on line 3 \\(written "${
              escape(setting.split("\n")[0]!)
            }", empty\\), the AWS SDK for JavaScript reads it as the start of a sub-section; ` +
            "give it a value or delete the line$",
          "m",
        ),
    );
  await empty("aws_access_key_id =\naws_secret_access_key =\n");
  await empty("credential_process =\n");
  // A secret's name in the message, which stderr shows unredacted: it holds no value.
  await empty("aws_session_token =\n");
});

Deno.test("aec refuses a [__proto__] section, for which the SDK drops the whole file", async () => {
  await refusedWith(
    { credentials: `${STATIC_CREDENTIALS}[default]\n${KEYS}[__proto__]\nregion = x\n` },
    undefined,
    ({ credentialsFile }) =>
      new RegExp(
        differently("default", credentialsFile) +
          "the AWS SDK for JavaScript ignores the whole file for its section \\[__proto__\\] " +
          "on line 7, botocore does not",
      ),
  );
});

Deno.test("aec refuses a header the SDK does not read, which gives [default] another profile's keys", async () => {
  await refusedWith(
    { config: `[default]\nregion=us-east-1\n[profile dev]#work\n${KEYS}` },
    undefined,
    ({ configFile }) =>
      new RegExp(
        differently("default", configFile) +
          "the AWS SDK for JavaScript sees aws_access_key_id on line 4 .*, botocore reads " +
          "that line in section \\[profile dev\\]",
      ),
  );
});

Deno.test("aec refuses lone CR line endings, which only botocore ends lines at", async () => {
  await refusedWith(
    { config: `[default]\r${KEYS.replaceAll("\n", "\r")}` },
    undefined,
    ({ configFile }) =>
      new RegExp(
        differently("default", configFile) + "line 1 ends in a lone CR, which ends a line for " +
          "botocore only; use LF or CRLF line endings",
      ),
  );
});

Deno.test("aec refuses indented keys that botocore reads as part of the value before them", async () => {
  await refusedWith(
    {
      config: "[profile x]\nregion = eu-west-1\n" +
        "  aws_access_key_id = AKIAPROFILEKEY000000\n  aws_secret_access_key = s\n",
    },
    "x",
    ({ configFile }) =>
      new RegExp(
        differently("x", configFile) +
          'the AWS SDK for JavaScript sees aws_access_key_id on line 3 \\(written "  ' +
          'aws_access_key_id = …"\\), botocore reads that line as part of the value on line 2; ' +
          "unindent it",
      ),
  );
});

Deno.test("aec refuses identity settings whose values the readers take differently", async () => {
  // A byte order mark makes botocore read another key, and only botocore reads `key: value`:
  // aec would hand over the first key, the AWS CLI the second.
  await refusedWith(
    {
      config: "[profile x]\nregion = eu-west-1\n",
      credentials: "[x]\n\uFEFFaws_access_key_id = AKIAPROFILEKEY000000\n" +
        "aws_access_key_id: AKIAOTHERKEY00000000\naws_secret_access_key = profileSecret\n",
    },
    "x",
    ({ credentialsFile }) =>
      new RegExp(
        differently("x", credentialsFile) +
          'botocore sees aws_access_key_id on line 3 \\(written "aws_access_key_id: …"\\), the ' +
          'AWS SDK for JavaScript does not and reads it on line 2; write it as "key = value"$',
        "m",
      ),
  );
  // botocore reads the comment into the name of the source profile, and fails.
  await refusedWith(
    {
      config: "[profile x]\nrole_arn = arn:aws:iam::111122223333:role/x\n" +
        "source_profile = static # the main keys\n",
      credentials: `[static]\n${KEYS}`,
    },
    "x",
    ({ configFile }) =>
      new RegExp(
        differently("x", configFile) +
          "the AWS SDK for JavaScript ends the value of source_profile on line 3 at a comment, " +
          "botocore reads the comment as part of the value; put the comment on a line of its own$",
        "m",
      ),
  );
});

Deno.test("aec warns on every run, cache hits too, of a file botocore cannot parse", async () => {
  const encoder = new TextEncoder();
  const broken: [string, Uint8Array, string][] = [
    [
      "a header without its ]",
      encoder.encode(`${ROLE_CONFIG}[profile spare\nregion = eu-west-1\n`),
      "line 5 is a section header without its ]; close it",
    ],
    [
      "a byte order mark",
      encoder.encode(`\uFEFF${ROLE_CONFIG}`),
      "line 1 starts with a byte order mark (U+FEFF); save the file without one",
    ],
    [
      "a byte that is not UTF-8",
      new Uint8Array([...encoder.encode(`${ROLE_CONFIG}# caf`), 0xe9, 0x0a]),
      "line 5 is not UTF-8; save the file as UTF-8",
    ],
  ];
  for (const [what, bytes, problem] of broken) {
    await withSandbox({ credentials: STATIC_CREDENTIALS }, async (sandbox) => {
      await Deno.writeFile(sandbox.configFile, bytes);
      for (const botocore of BOTOCORES) {
        const [read] = await readFilesWithBotocore(botocore, [sandbox.configFile], "config");
        assert.ok(read && "error" in read, `botocore ${botocore.version} parses ${what}`);
      }
      const cache = `${sandbox.home}/cache.json`;
      const args = ["--profile", "admin", "--no-cli-cache", "--cache-file", cache, "--json"];
      const warning = `aec: warning: botocore (the AWS CLI) cannot parse ${sandbox.configFile}: ` +
        `${problem}\n`;
      for (const run of ["first", "cache hit"]) {
        const result = await sandbox.run(args);
        assert.equal(result.code, 0, `${what}, ${run}: ${result.stderr}`);
        assert.equal(result.stderr, warning, `${what}, ${run}`);
        assert.match(JSON.parse(result.stdout).AccessKeyId, /^ASIA/);
        assert.equal(
          sandbox.aws.requests.filter((request) => request.action === "AssumeRole").length,
          1,
          `${what}, ${run}: not answered from the cache`,
        );
      }
    });
  }
});

Deno.test("aec checks every profile of the source_profile chain", async () => {
  await refusedWith(
    {
      config: "[profile x]\nrole_arn = arn:aws:iam::111122223333:role/x\nsource_profile = base\n",
      credentials: "[base]\naws_access_key_id: AKIAPROFILEKEY000000\naws_secret_access_key = s\n",
    },
    "x",
    ({ credentialsFile }) =>
      new RegExp(differently("base", credentialsFile) + "botocore sees aws_access_key_id"),
  );
});

Deno.test("aec refuses before answering from its cache", async () => {
  await withSandbox({ config: "[profile x]\nregion = eu-west-1\n" }, async (sandbox) => {
    const cache = `${sandbox.home}/cache.json`;
    const args = ["--profile", "x", "--cache-file", cache, "--json"];
    // Without credential settings, the profile takes the container role; the cache keeps it.
    const first = await runWithContainer(sandbox, args);
    assert.equal(first.code, 0, first.stderr);
    // Keys only botocore reads change nothing the cache looks at, as the SDK reads the files.
    await Deno.writeTextFile(
      sandbox.configFile,
      "[profile x]\nregion = eu-west-1\naws_access_key_id: AKIAPROFILEKEY000000\n" +
        "aws_secret_access_key: profileSecret\n",
    );
    const result = await sandbox.run(args);
    assertRefused(result, /profile "x" differently in .*config: botocore sees aws_access_key_id/);
  });
});

const ROLE_CONFIG = "[profile admin]\nrole_arn = arn:aws:iam::111122223333:role/admin\n" +
  "source_profile = base\nregion = eu-west-1\n";

Deno.test("aec --serve --exec refuses files where botocore alone reads its profile name or defaults", async () => {
  const cases: [SandboxFiles, RegExp][] = [
    [
      { credentials: `${STATIC_CREDENTIALS}[aec-served]\naws_access_key_id: AKIASHADOW\n` },
      /profile "aec-served" differently in .*credentials: botocore sees aws_access_key_id/,
    ],
    [
      { credentials: `[aec-served];x\n${KEYS}${STATIC_CREDENTIALS}` },
      /profile "aec-served" differently in .*credentials: botocore reads \[aec-served\] on line 1/,
    ],
    [
      { config: `[DEFAULT]\ncredential_process = /bin/false\n${ROLE_CONFIG}` },
      /profile "admin" differently in .*config: its \[DEFAULT\] section sets credential_process/,
    ],
  ];
  for (const [files, line] of cases) {
    await withSandbox({
      config: files.config ?? ROLE_CONFIG,
      credentials: files.credentials ?? STATIC_CREDENTIALS,
    }, async (sandbox) => {
      const marker = `${sandbox.home}/ran`;
      const result = await sandbox.run([
        "--profile",
        "admin",
        "--serve",
        "--exec",
        "touch",
        marker,
      ]);
      assertRefused(result, line);
      await assert.rejects(Deno.stat(marker), Deno.errors.NotFound);
    });
  }
});

// Layouts both readers read alike, though they look tricky: `:` and upper case
// in settings that give no credentials, a [DEFAULT] without credentials,
// quoted and tab-separated headers, comments after headers, sub-sections,
// indented keys, CRLF, a profile in both files (the credentials file wins).
const AGREED_CONFIG = `[default]
region: us-east-1
aws_access_key_id = AKIADEFAULTCONFIG000
aws_secret_access_key = s

[profile "quoted"] ; a comment
REGION = eu-west-1
aws_access_key_id = AKIAQUOTED0000000000
aws_secret_access_key = s

[profile\ttabbed]
s3 =
  addressing_style = path
aws_access_key_id = AKIATABBED0000000000
aws_secret_access_key = s

[profile both]
aws_access_key_id = AKIABOTHCONFIG000000
aws_secret_access_key = s

[profile process]
# the keys come from a command
credential_process = PROCESS
`;
const AGREED_CREDENTIALS = [
  "[DEFAULT]",
  "region = eu-west-1",
  "[indented]",
  "  aws_access_key_id = AKIAINDENTED00000000",
  "  aws_secret_access_key = s",
  "[both] # the credentials file wins",
  "aws_access_key_id=AKIABOTHCREDENTIALS0",
  "aws_secret_access_key=s",
  "",
].join("\r\n");

Deno.test({
  ...requires("aec and botocore resolve the layouts aec accepts to the same keys", BOTOCORE),
  async fn() {
    await withSandbox({ credentials: AGREED_CREDENTIALS }, async (sandbox) => {
      const script = await sandbox.write(
        "process.sh",
        `#!/bin/sh\necho '{"Version": 1, "AccessKeyId": "AKIAPROCESS000000000", ` +
          `"SecretAccessKey": "s"}'\n`,
      );
      await Deno.chmod(script, 0o755);
      await Deno.writeTextFile(sandbox.configFile, AGREED_CONFIG.replace("PROCESS", script));
      const expected: Record<string, string> = {
        default: "AKIADEFAULTCONFIG000",
        quoted: "AKIAQUOTED0000000000",
        tabbed: "AKIATABBED0000000000",
        both: "AKIABOTHCREDENTIALS0",
        process: "AKIAPROCESS000000000",
        indented: "AKIAINDENTED00000000",
      };
      for (const [profile, keyId] of Object.entries(expected)) {
        const result = await runWithContainer(sandbox, ["--profile", profile, "--json"]);
        assert.equal(result.code, 0, `${profile}: ${result.stderr}`);
        assert.equal(JSON.parse(result.stdout).AccessKeyId, keyId, profile);
        for (const botocore of BOTOCORES) {
          const read: BotocoreCredentials = await botocoreCredentials(botocore, sandbox, profile);
          assert.ok(
            "accessKeyId" in read,
            `botocore ${botocore.version}, ${profile}: ${JSON.stringify(read)}`,
          );
          assert.equal(read.accessKeyId, keyId, `botocore ${botocore.version}, ${profile}`);
        }
      }
    });
  },
});
