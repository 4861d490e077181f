/**
 * Stand-ins for the store programs that cannot run here, for tests of the
 * exact arguments and stdin aec gives them: macOS's `security`, Windows
 * PowerShell (for the Credential Manager script) and 1Password's `op`. Each
 * answers as its documentation says the real one does, keeps its items in a
 * JSON file ($STAND_IN_DB), and logs every call (argv and stdin) as a JSON
 * line to $STAND_IN_LOG. $STAND_IN_FAIL makes every call fail, as a locked
 * store or a refused prompt does.
 *
 * Usage: deno run -A store_stand_in.ts PROGRAM ARGS... (PROGRAM: security,
 * powershell, op).
 */

const [program, ...args] = Deno.args;
const stdin = await new Response(Deno.stdin.readable).text();
const dbPath = Deno.env.get("STAND_IN_DB")!;
await Deno.writeTextFile(
  Deno.env.get("STAND_IN_LOG")!,
  JSON.stringify({ program, args, stdin }) + "\n",
  { append: true },
);

type Db = Record<string, Record<string, unknown>>;
const db: Db = await Deno.readTextFile(dbPath).then(JSON.parse, () => ({}));
const save = () => Deno.writeTextFile(dbPath, JSON.stringify(db));
const out = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text));
const err = (text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text));
const option = (list: string[], name: string) => {
  const index = list.indexOf(name);
  return index === -1 ? undefined : list[index + 1];
};

if (Deno.env.get("STAND_IN_FAIL")) {
  err(`${program}: User interaction is not allowed.\n`);
  Deno.exit(51);
}

switch (program) {
  case "security":
    await security();
    break;
  case "powershell":
    await powershell();
    break;
  case "op":
    await op();
    break;
  default:
    err(`no stand-in for ${program}\n`);
    Deno.exit(2);
}

async function security() {
  const notFound = () => {
    err(
      "security: SecKeychainSearchCopyNext: The specified item could not be found in the " +
        "keychain.\n",
    );
    Deno.exit(44);
  };
  const [command] = args;
  if (command === "-i") {
    for (const line of stdin.split("\n").filter(Boolean)) {
      const words = line.split(" ");
      if (words[0] !== "add-generic-password" || !words.includes("-U")) {
        err(`unexpected command: ${words[0]}\n`);
        continue;
      }
      const hex = option(words, "-X")!;
      const secret = new TextDecoder().decode(
        Uint8Array.from(hex.match(/../g)!, (byte) => parseInt(byte, 16)),
      );
      db[`${option(words, "-s")}/${option(words, "-a")}`] = {
        service: option(words, "-s"),
        account: option(words, "-a"),
        label: option(words, "-l"),
        comment: option(words, "-j"),
        secret,
      };
    }
    await save();
    return;
  }
  const key = `${option(args, "-s")}/${option(args, "-a")}`;
  if (command === "find-generic-password") {
    if (!db[key] || !args.includes("-w")) return notFound();
    out(`${db[key].secret}\n`);
  } else if (command === "delete-generic-password") {
    if (!db[key]) return notFound();
    delete db[key];
    await save();
    out(`keychain: "/Users/test/Library/Keychains/login.keychain-db"\n`);
  } else if (command === "dump-keychain") {
    for (const item of Object.values(db)) {
      out(
        `keychain: "/Users/test/Library/Keychains/login.keychain-db"\nversion: 512\n` +
          `class: "genp"\nattributes:\n    0x00000007 <blob>="${item.label}"\n` +
          `    "acct"<blob>="${item.account}"\n    "icmt"<blob>="${item.comment}"\n` +
          `    "svce"<blob>="${item.service}"\n`,
      );
    }
    // Another program's item, which aec must leave out.
    out(
      `keychain: "/Users/test/Library/Keychains/login.keychain-db"\nclass: "genp"\n` +
        `attributes:\n    "acct"<blob>="someone"\n    "svce"<blob>="other"\n`,
    );
  } else {
    err(`unexpected security command ${command}\n`);
    Deno.exit(2);
  }
}

async function powershell() {
  const encoded = option(args, "-EncodedCommand");
  if (!encoded || !args.includes("-NoProfile") || !args.includes("-NonInteractive")) {
    err("expected -NoProfile -NonInteractive -EncodedCommand SCRIPT\n");
    Deno.exit(2);
  }
  const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
  const script = new TextDecoder("utf-16le").decode(bytes);
  if (!script.includes("CredWriteW") || !script.includes("[Console]::In.ReadToEnd()")) {
    err("the script is not the Credential Manager script\n");
    Deno.exit(2);
  }
  const request = JSON.parse(stdin) as Record<string, string>;
  const target = request.Target!;
  switch (request.Action) {
    case "get":
      out(JSON.stringify(
        db[target] ? { Found: true, Secret: db[target].secret } : { Found: false, Secret: null },
      ));
      break;
    case "put":
      db[target] = { user: request.User, secret: request.Secret };
      await save();
      out(JSON.stringify({ Done: true }));
      break;
    case "remove": {
      const found = db[target] !== undefined;
      delete db[target];
      await save();
      out(JSON.stringify({ Found: found }));
      break;
    }
    case "list": {
      const prefix = target.replace(/\*$/, "");
      out(JSON.stringify({
        Entries: Object.entries(db).filter(([name]) => name.startsWith(prefix))
          .map(([name, entry]) => ({ Target: name, User: entry.user })),
      }));
      break;
    }
  }
}

async function op() {
  const [noun, verb, ...rest] = args;
  const notFound = (name: string) => {
    err(
      `[ERROR] 2026/01/01 00:00:00 "${name}" isn't an item. Specify the item with its UUID, ` +
        "name, or domain.\n",
    );
    Deno.exit(1);
  };
  const vault = option(rest, "--vault") ?? "Private";
  const find = (name: string) =>
    Object.values(db).find((item) =>
      (item.id === name || item.title === name) && (item.vault as { name: string }).name === vault
    );
  if (noun !== "item") Deno.exit(2);
  if (verb !== "delete" && option(rest, "--format") !== "json") {
    err("expected --format json\n");
    Deno.exit(2);
  }
  if (verb === "get") {
    const item = find(rest[0]!);
    if (!item) return notFound(rest[0]!);
    out(JSON.stringify(item));
  } else if (verb === "create") {
    if (rest[0] !== "-") Deno.exit(2);
    const template = JSON.parse(stdin);
    const id = `id${Object.keys(db).length + 1}`;
    db[id] = { ...template, id, vault: { id: "v1", name: vault } };
    await save();
    out(JSON.stringify(db[id]));
  } else if (verb === "edit") {
    const item = find(rest[0]!);
    if (!item) return notFound(rest[0]!);
    db[item.id as string] = { ...JSON.parse(stdin), id: item.id, vault: item.vault };
    await save();
    out(JSON.stringify(db[item.id as string]));
  } else if (verb === "delete") {
    const item = find(rest[0]!);
    if (!item) return notFound(rest[0]!);
    delete db[item.id as string];
    await save();
  } else if (verb === "list") {
    const tag = option(rest, "--tags");
    out(JSON.stringify(
      Object.values(db)
        .filter((item) => (item.tags as string[]).includes(tag!))
        .map(({ id, title, tags, vault }) => ({ id, title, tags, vault })),
    ));
  } else {
    Deno.exit(2);
  }
}
