import assert from "node:assert/strict";
import { fuzzyScore, rankChoices } from "../lib/ui/fuzzy.ts";
import { pickChoice } from "../lib/profiles/pick.ts";

Deno.test("fuzzyScore() matches characters in order, case-insensitively", () => {
  assert.notEqual(fuzzyScore("pda", "prod-admin"), undefined);
  assert.notEqual(fuzzyScore("PROD", "prod-admin"), undefined);
  assert.equal(fuzzyScore("adp", "prod-admin"), undefined);
  assert.equal(fuzzyScore("x", ""), undefined);
  assert.equal(fuzzyScore("", "anything"), 0);
});

Deno.test("fuzzyScore() ranks a run, a word start and a prefix above scattered letters", () => {
  const run = fuzzyScore("adm", "prod-admin")!;
  const scattered = fuzzyScore("adm", "alpha-dm")!;
  assert.ok(run > scattered, `${run} <= ${scattered}`);
  assert.ok(fuzzyScore("prod", "prod")! > fuzzyScore("prod", "prod-admin")!);
  assert.ok(fuzzyScore("prod", "prod-admin")! > fuzzyScore("prod", "nonprod")!);
});

Deno.test("rankChoices() needs every word to match some field, best first, ties in order", () => {
  const choices = [
    { name: "a", fields: ["dev", "111122223333", "ReadOnly"] },
    { name: "b", fields: ["prod", "444455556666", "Admin"] },
    { name: "c", fields: ["prod-ro", "444455556666", "ReadOnly"] },
  ];
  assert.deepEqual(rankChoices(choices, "").map((c) => c.name), ["a", "b", "c"]);
  assert.deepEqual(rankChoices(choices, "4444 read").map((c) => c.name), ["c"]);
  assert.deepEqual(rankChoices(choices, "readonly").map((c) => c.name), ["a", "c"]);
  assert.deepEqual(rankChoices(choices, "prod").map((c) => c.name), ["b", "c"]);
  assert.deepEqual(rankChoices(choices, "zzz"), []);
});

Deno.test("pickChoice() finds the account and role in role_arn or the SSO settings", () => {
  assert.deepEqual(
    pickChoice("dev", { role_arn: "arn:aws:iam::111122223333:role/team/developer" }),
    {
      name: "dev",
      fields: ["dev", "111122223333", "developer"],
      kind: "role",
      account: "111122223333",
      role: "developer",
    },
  );
  const sso = pickChoice("p", {
    sso_session: "corp",
    sso_account_id: "444455556666",
    sso_role_name: "Admin",
  });
  assert.deepEqual(sso.fields, ["p", "444455556666", "Admin", "corp"]);
  assert.deepEqual(pickChoice("k", { aws_access_key_id: "A" }).fields, ["k"]);
});
