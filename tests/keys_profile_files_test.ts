/**
 * The config-file edits of `aec keys`: a credential_process line set in
 * `[profile NAME]` with every other byte kept, read back alike by the AWS SDK
 * for JavaScript (aec's INI reader) and botocore.
 */

import assert from "node:assert/strict";
import {
  allProfiles,
  IniLayoutError,
  profileNameProblem,
  updateSections,
} from "../lib/config/mod.ts";
import { readFilesWithBotocore } from "./support/botocore.ts";
import { botocores, requires } from "./support/clients.ts";

const BOTOCORE = await botocores();

const LINE = "/usr/local/bin/aec keys credential-process --store pass dev";

/** Config file `text` with `set` in profile `name`. */
function configEdit(text: string, name: string, set: Record<string, string>): string {
  return updateSections(text, "config", new Map([[name, { set, remove: [] }]]));
}

Deno.test("updateSections() of a config file sets a key in [profile NAME], keeping the rest", () => {
  const config = "# mine\n[default]\nregion = eu-west-1\n\n[profile dev]\n" +
    "region = us-east-1 ; a note\nmfa_serial = arn:aws:iam::1:mfa/a\n\n# after\n[profile other]\n";
  assert.equal(
    configEdit(config, "dev", { credential_process: LINE }),
    config.replace(
      "mfa_serial = arn:aws:iam::1:mfa/a\n",
      `mfa_serial = arn:aws:iam::1:mfa/a\ncredential_process = ${LINE}\n`,
    ),
  );
  assert.equal(
    configEdit(config, "default", { credential_process: LINE }),
    config.replace("region = eu-west-1\n", `region = eu-west-1\ncredential_process = ${LINE}\n`),
  );
  // A new profile is appended as [profile NAME]; a new default as [default].
  assert.equal(
    configEdit("[profile other]\n", "dev", { credential_process: LINE }),
    `[profile other]\n\n[profile dev]\ncredential_process = ${LINE}\n`,
  );
  assert.equal(
    configEdit("", "default", { credential_process: LINE }),
    `[default]\ncredential_process = ${LINE}\n`,
  );
  // [dev] in a config file is no profile dev: the SDK and botocore both skip it.
  assert.equal(
    configEdit("[dev]\nx = 1\n", "dev", { credential_process: LINE }),
    `[dev]\nx = 1\n\n[profile dev]\ncredential_process = ${LINE}\n`,
  );
});

Deno.test("updateSections() of a config file refuses a profile in two spellings", () => {
  assert.throws(
    () =>
      configEdit("[default]\na = 1\n[profile default]\nb = 2\n", "default", {
        credential_process: LINE,
      }),
    IniLayoutError,
  );
});

Deno.test("profileNameProblem() allows in a config file the names [profile NAME] reads back as", () => {
  for (const name of ["dev", "team/prod", "a.b@c+d%e:f", "x_y-z"]) {
    assert.equal(profileNameProblem(name, "config"), undefined, name);
  }
  for (const name of ["two words", 'quo"te', "semi;colon", "__proto__", "tab\tname"]) {
    assert.ok(profileNameProblem(name, "config"), name);
  }
});

Deno.test({
  ...requires("botocore reads the profile updateSections() wrote into a config file", BOTOCORE),
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "aec-config-edit-" });
    try {
      const config = "[default]\nregion = eu-west-1\n\n[profile dev]\nregion = us-east-1\n";
      const path = `${dir}/config`;
      const edited = configEdit(config, "dev", { credential_process: LINE });
      await Deno.writeTextFile(
        path,
        configEdit(edited, "team/prod", { region: "x" }),
      );
      const sdk = allProfiles({ config: await Deno.readTextFile(path), credentials: "" }).profiles;
      for (const botocore of BOTOCORE.found ?? []) {
        const [read] = await readFilesWithBotocore(botocore, [path], "config");
        assert.ok(read && "sections" in read, JSON.stringify(read));
        assert.deepEqual(read.sections, sdk, botocore.version);
        assert.equal(read.sections.dev?.credential_process, LINE);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
