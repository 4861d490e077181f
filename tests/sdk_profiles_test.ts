import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { parseKnownFiles } from "@smithy/shared-ini-file-loader";
import { sdkSections, sectionsFor, sectionTexts } from "../lib/config/mod.ts";
import { readSdkProfilesFor } from "../lib/sdk/mod.ts";
import { createLogger } from "../lib/support/mod.ts";

const CONFIG = [
  "# before any section\n",
  "[default]\nregion = eu-west-1\n",
  "[profile app]  ; the one resolved\r\nrole_arn = arn:aws:iam::111122223333:role/app\n" +
  "source_profile = base\ns3 =\n  max_concurrent_requests = 4\n",
  "[profile other]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = R\n",
  "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
  "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n",
  "[profile app]\nregion = us-west-2\n",
  "[profile base]\nregion = ap-south-1",
].join("");
const CREDENTIALS = "[base]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = secret\n" +
  "[other]\naws_access_key_id = AKIAOTHER\n[unrelated]\nx = 1\n";

Deno.test("sectionTexts() splits a file into its sections' exact lines", () => {
  const sections = sectionTexts(CONFIG);
  assertEquals(sections.map(({ name }) => name), [
    "default",
    "profile app",
    "profile other",
    "sso-session corp",
    "services local",
    "profile app",
    "profile base",
  ]);
  // Only the lines before the first header are left out.
  assertEquals(sections.map(({ text }) => text).join(""), CONFIG.slice(CONFIG.indexOf("[")));
});

Deno.test("sectionsFor() keeps the profiles asked for, sso-sessions and services", () => {
  const kept = sectionsFor(sdkSections(CONFIG, "config"), new Set(["app"]));
  assertEquals(kept.map(({ profile }) => profile), [
    "app",
    "sso-session.corp",
    "services.local",
    "app",
  ]);
});

Deno.test("readSdkProfilesFor() hands the SDK only the sections of the profile's chain", async () => {
  const dir = await Deno.makeTempDir({ prefix: "aec-sdk-profiles-" });
  const saved = Deno.env.toObject();
  try {
    await Deno.writeTextFile(`${dir}/config`, CONFIG);
    await Deno.writeTextFile(`${dir}/credentials`, CREDENTIALS);
    // The same files elsewhere: what the SDK reads of the whole files, for comparison.
    await Deno.writeTextFile(`${dir}/config.whole`, CONFIG);
    await Deno.writeTextFile(`${dir}/credentials.whole`, CREDENTIALS);
    Deno.env.set("HOME", dir);
    Deno.env.set("AWS_CONFIG_FILE", `${dir}/config`);
    Deno.env.set("AWS_SHARED_CREDENTIALS_FILE", `${dir}/credentials`);
    Deno.env.delete("AWS_PROFILE");

    const { profiles, sessions } = await readSdkProfilesFor("app", createLogger(false));
    const whole = await parseKnownFiles({
      configFilepath: `${dir}/config.whole`,
      filepath: `${dir}/credentials.whole`,
    });
    const expected = ["app", "base", "default", "services.local", "sso-session.corp"];
    assertEquals(Object.keys(profiles).sort(), expected);
    for (const name of expected) assertEquals(profiles[name], whole[name]);
    assertEquals(Object.keys(sessions), ["corp"]);
    // The SDK's own reading of the files at their paths, as its providers read them.
    assertEquals(Object.keys(await parseKnownFiles({})).sort(), expected);
  } finally {
    for (const name of ["HOME", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"]) {
      if (saved[name] === undefined) Deno.env.delete(name);
      else Deno.env.set(name, saved[name]);
    }
    await Deno.remove(dir, { recursive: true });
  }
});
