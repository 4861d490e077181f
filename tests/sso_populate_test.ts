import assert from "node:assert/strict";
import { accountNameOf } from "../lib/sso/account_name.ts";
import {
  DEFAULT_TEMPLATE,
  encodeAccountName,
  parseRegionRule,
  parseTemplate,
  planPopulate,
  type PopulateRequest,
  regionOf,
  sanitizeField,
} from "../lib/sso/populate.ts";
import type { PortalAccount } from "../lib/sso/portal.ts";
import { parseIni, profileNameProblem, updateSections } from "../lib/config/mod.ts";
import { UsageError } from "../lib/support/mod.ts";

const account = (id: string, name: string, roles: string[]): PortalAccount => ({
  id,
  name,
  roles,
});

function request(accounts: PortalAccount[], changes: Partial<PopulateRequest> = {}) {
  return {
    session: "corp",
    accounts,
    template: parseTemplate(DEFAULT_TEMPLATE),
    regions: [],
    prune: false,
    ...changes,
  };
}

/** The config file after a populate of `accounts` into `config`. */
function populate(config: string, accounts: PortalAccount[], changes = {}, credentials = "") {
  const plan = planPopulate(request(accounts, changes), { config, credentials });
  return { plan, config: updateSections(config, "config", plan.edits) };
}

Deno.test("sanitizeField() keeps what both readers read in a name, and makes the rest -", () => {
  assert.equal(sanitizeField("Production"), "Production");
  assert.equal(sanitizeField("My Team (EU)"), "My-Team-EU");
  assert.equal(sanitizeField("Café Zürich"), "Cafe-Zurich");
  assert.equal(sanitizeField("a#b;c[d]e=f,g"), "a-b-c-d-e-f-g");
  assert.equal(sanitizeField("team/prod:1@x+y.z_w"), "team/prod:1@x+y.z_w");
  assert.equal(sanitizeField("100%"), "100");
  assert.equal(sanitizeField("日本"), "");
  assert.equal(sanitizeField("x".repeat(100)), "x".repeat(64));
  assert.equal(sanitizeField(`${"x".repeat(63)} y`), "x".repeat(63));
  assert.equal(sanitizeField(".."), "..");
});

Deno.test("parseTemplate() refuses unknown fields, odd characters and names that could collide", () => {
  assert.deepEqual(parseTemplate("{account_id}/{role_name}"), [
    { field: "account_id" },
    { text: "/" },
    { field: "role_name" },
  ]);
  for (
    const [template, message] of [
      ["{account}.{role_name}", /unknown field \{account\}/],
      ["{account_name} {role_name}", /may hold only letters/],
      ["{account_name}#{role_name}", /may hold only letters/],
      ["{account_name}.{role_name", /may hold only letters/],
      ["{account_name}", /needs \{role_name\}/],
      ["{sso_session}-{role_name}", /needs \{role_name\} and \{account_name\} or \{account_id\}/],
    ] as const
  ) {
    assert.throws(
      () => parseTemplate(template),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
    );
  }
});

Deno.test("parseRegionRule() and regionOf(): patterns by name or id first, in order, then the default", () => {
  assert.throws(() => parseRegionRule("Europe"), UsageError);
  assert.throws(() => parseRegionRule("=eu-west-1"), UsageError);
  assert.throws(() => parseRegionRule("prod*=eu west"), UsageError);
  const rules = ["us-east-1", "prod-*=eu-west-1", "1111*=eu-north-1", "*=ap-south-1"].map(
    parseRegionRule,
  );
  assert.equal(regionOf({ id: "222222222222", name: "prod-eu" }, rules), "eu-west-1");
  assert.equal(regionOf({ id: "111122223333", name: "dev" }, rules), "eu-north-1");
  // `*` matches what comes first; `?` one character; the rest literally.
  assert.equal(regionOf({ id: "333333333333", name: "dev" }, rules), "ap-south-1");
  assert.equal(regionOf({ id: "3", name: "x" }, rules.slice(0, 2)), "us-east-1");
  assert.equal(regionOf({ id: "3", name: "x" }, []), undefined);
  assert.equal(regionOf({ id: "3", name: "a.b" }, [parseRegionRule("a?b=eu-west-2")]), "eu-west-2");
  assert.equal(regionOf({ id: "3", name: "axb" }, [parseRegionRule("a.b=eu-west-2")]), undefined);
});

Deno.test("encodeAccountName() gives values both readers read back, and accountNameOf() the name", () => {
  for (
    const name of [
      "Production",
      " Team #1; [x] ",
      "100% fun",
      "a\tb\nc",
      "\u00a0nbsp\u2028",
      "日本 チーム",
      "%41",
    ]
  ) {
    const value = encodeAccountName(name);
    const text = `[profile p]\naec_account_name = ${value}\n`;
    const [section] = parseIni(text);
    assert.equal(section?.entries.aec_account_name, value, JSON.stringify(name));
    assert.ok(!/[\r\n]/.test(value));
    assert.equal(accountNameOf({ aec_account_name: value }), name);
  }
  assert.equal(encodeAccountName("Production"), "Production");
  // A value written by hand with a `%` of its own reads as written.
  assert.equal(accountNameOf({ aec_account_name: "100% ours" }), "100% ours");
  assert.equal(accountNameOf({}), undefined);
});

Deno.test("planPopulate() writes a marked profile per account and role, sorted by name", () => {
  const { plan, config } = populate("", [
    account("222222222222", "Prod", ["Admin", "ReadOnly"]),
    account("111111111111", "Dev", ["Admin"]),
  ], { regions: [parseRegionRule("eu-west-1")] });
  assert.deepEqual(plan.added, ["Dev.Admin", "Prod.Admin", "Prod.ReadOnly"]);
  assert.equal(
    config,
    "[profile Dev.Admin]\nsso_session = corp\nsso_account_id = 111111111111\n" +
      "sso_role_name = Admin\nregion = eu-west-1\naec_account_name = Dev\n" +
      "aec_generated = sso-populate\n\n" +
      "[profile Prod.Admin]\nsso_session = corp\nsso_account_id = 222222222222\n" +
      "sso_role_name = Admin\nregion = eu-west-1\naec_account_name = Prod\n" +
      "aec_generated = sso-populate\n\n" +
      "[profile Prod.ReadOnly]\nsso_session = corp\nsso_account_id = 222222222222\n" +
      "sso_role_name = ReadOnly\nregion = eu-west-1\naec_account_name = Prod\n" +
      "aec_generated = sso-populate\n",
  );
  // Again: nothing changes.
  const again = populate(config, [
    account("222222222222", "Prod", ["Admin", "ReadOnly"]),
    account("111111111111", "Dev", ["Admin"]),
  ], { regions: [parseRegionRule("eu-west-1")] });
  assert.equal(again.config, config);
  assert.deepEqual(again.plan.unchanged, ["Dev.Admin", "Prod.Admin", "Prod.ReadOnly"]);
  assert.deepEqual([again.plan.added, again.plan.updated], [[], []]);
});

Deno.test("planPopulate() gives accounts of the same name a suffix, and keeps it on later runs", () => {
  const first = populate("", [
    account("333333333333", "Sandbox", ["Admin"]),
    account("222222222222", "Sandbox", ["Admin"]),
  ]);
  assert.deepEqual(first.plan.added, ["Sandbox.Admin", "Sandbox.Admin-333333333333"]);
  assert.deepEqual(first.plan.notes.map((note) => note.text), [
    "account 333333333333 (Sandbox) role Admin is profile Sandbox.Admin-333333333333: " +
    "Sandbox.Admin is account 222222222222's",
  ]);
  // A third Sandbox with a lower id: the first two keep their names.
  const second = populate(first.config, [
    account("333333333333", "Sandbox", ["Admin"]),
    account("222222222222", "Sandbox", ["Admin"]),
    account("111111111111", "Sandbox", ["Admin"]),
  ]);
  assert.deepEqual(second.plan.added, ["Sandbox.Admin-111111111111"]);
  assert.deepEqual(second.plan.unchanged, ["Sandbox.Admin", "Sandbox.Admin-333333333333"]);
  assert.ok(second.config.startsWith(first.config));
});

Deno.test("planPopulate() never takes a name it did not write, in either file", () => {
  const config = "[profile Prod.Admin]\nregion = eu-west-1 # mine\n\n" +
    "[profile Other.Admin]\nsso_session = other\naec_generated = sso-populate\n";
  const { plan, config: after } = populate(
    config,
    [
      account("111111111111", "Prod", ["Admin"]),
      account("222222222222", "Keys", ["Admin"]),
      account("333333333333", "Other", ["Admin"]),
      account("444444444444", "default", ["x"]),
    ],
    { template: parseTemplate("{account_name}.{role_name}") },
    "[Keys.Admin]\naws_access_key_id = AKIA\n",
  );
  assert.ok(after.startsWith(config), "a hand-written profile was touched");
  assert.deepEqual(plan.added, [
    "Keys.Admin-222222222222",
    "Other.Admin-333333333333",
    "Prod.Admin-111111111111",
    "default.x",
  ]);
  assert.deepEqual(plan.notes.map((note) => note.text.replace(/^.*: /, "")), [
    "Prod.Admin is a profile aec did not write",
    "Keys.Admin is a profile of the credentials file",
    // Another session's profile is not this session's to take.
    "Other.Admin is a profile aec did not write",
  ]);
  for (const name of plan.added) assert.equal(profileNameProblem(name, "config"), undefined);
});

Deno.test("planPopulate() keeps hand-added settings and removes only its own vanished profiles, with prune", () => {
  const accounts = [account("111111111111", "A", ["Admin", "Read"])];
  const { config } = populate("# top\n[profile hand]\nregion = x\n", accounts);
  // A setting added by hand, a comment, and a region of its own.
  const edited = config.replace(
    "[profile A.Admin]\n",
    "[profile A.Admin]\n# my note\noutput = json\nregion = eu-west-2\n",
  );
  const rerun = populate(edited, accounts);
  assert.equal(rerun.config, edited);

  const gone = [account("111111111111", "A", ["Read"])];
  const kept = populate(edited, gone);
  assert.deepEqual(kept.plan.stale, ["A.Admin"]);
  assert.equal(kept.config, edited);

  const pruned = populate(edited, gone, { prune: true });
  assert.deepEqual(pruned.plan.stale, ["A.Admin"]);
  assert.equal(
    pruned.config,
    "# top\n[profile hand]\nregion = x\n# my note\n\n" +
      "[profile A.Read]\nsso_session = corp\nsso_account_id = 111111111111\n" +
      "sso_role_name = Read\naec_account_name = A\naec_generated = sso-populate\n",
  );
  // A renamed account: a new profile, and the old one is stale.
  const renamed = populate(pruned.config, [account("111111111111", "B", ["Read"])]);
  assert.deepEqual([renamed.plan.added, renamed.plan.stale], [["B.Read"], ["A.Read"]]);
});

Deno.test("planPopulate() names an account without a name by its id, and updates a changed one", () => {
  const { config } = populate("", [account("111111111111", "", ["Admin"])]);
  assert.match(config, /^\[profile 111111111111\.Admin\]\n/);
  assert.doesNotMatch(config, /aec_account_name/);
  const later = populate(config, [account("111111111111", "", ["Admin"])], {
    regions: [parseRegionRule("eu-west-1")],
  });
  assert.deepEqual(later.plan.updated, ["111111111111.Admin"]);
  // A key the profile lacks goes after its last.
  assert.match(later.config, /aec_generated = sso-populate\nregion = eu-west-1\n$/);
});

Deno.test("planPopulate() refuses an account and role it cannot name", () => {
  const config = "[profile A.Admin]\nk = v\n[profile A.Admin-111111111111]\nk = v\n";
  assert.throws(
    () => populate(config, [account("111111111111", "A", ["Admin"])]),
    /Account 111111111111 role Admin can get no profile name: A.Admin and A.Admin-111111111111 are both taken/,
  );
});
