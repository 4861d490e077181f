/**
 * The `aec keys` actions: add, list, remove, migrate, rotate (the
 * credential-process that a stored profile's line runs is session.ts's). Each
 * keeps one rule: at every instant a profile's keys are somewhere (the
 * credentials file, the store, or both), and a profile is pointed at the store
 * only once the store has given its keys back.
 *
 * @module
 */

import { allProfiles, profileSettingsFromFiles } from "../config/mod.ts";
import type { KeysOptions, SessionChoice, StoreName } from "../options/mod.ts";
import { mfaCodeAsker, noPromptFromEnvironment } from "../prompt/mod.ts";
import { callerArn } from "../sdk/mod.ts";
import {
  chooseRegion,
  CredentialError,
  findProgram,
  InterruptedError,
  type Logger,
  messageOf,
  registerSecret,
  tell,
  UsageError,
  warn,
} from "../support/mod.ts";
import { closeTerminal, openTerminal, promptOnTerminal } from "../ui/mod.ts";
import { hookLine, isHookProgram } from "./hook.ts";
import {
  credentialSettings,
  hookOfProfile,
  keysInCredentials,
  type ProfileFiles,
  profilesWithKeys,
  readProfileFiles,
  refuseForeignProfile,
  refuseKeysInConfig,
  removeKeysFromCredentials,
  writeHook,
} from "./profile_files.ts";
import { forgetStoredSession, getSessionToken, readStoredKeys } from "./session.ts";
import { type Env, keysProblem, type KeyStore, type StoredKeys } from "./store.ts";
import { chooseStore, openStore, storeSettings } from "./stores.ts";

/** How an action writes its output (stdout). */
export type Write = (text: string) => Promise<void>;

/** The actions of `aec keys` but credential-process. */
export type KeysAction = Exclude<KeysOptions, { action: "credential-process" }>;

// A new access key may take some seconds to work everywhere in IAM.
const NEW_KEY_WAIT_MS = 30_000;
const MAX_STDIN_BYTES = 64 * 1024;

export async function runKeysAction(
  options: KeysAction,
  env: Env,
  log: Logger,
  write: Write,
): Promise<number> {
  switch (options.action) {
    case "add":
      return await add(options, env, log);
    case "migrate":
      return await migrate(options, env, log);
    case "list":
      return await list(options, env, log, write);
    case "remove":
      return await remove(options, env, log);
    case "rotate":
      return await rotate(options, env, log);
  }
}

type Command<A extends KeysAction["action"]> = Extract<KeysAction, { action: A }>;

/** The store a command works on: `--store`, the profile's line's, or the one chosen. */
function storeFor(
  flag: StoreName | undefined,
  files: ProfileFiles,
  profile: string,
  env: Env,
): StoreName {
  return flag ?? hookOfProfile(files, profile)?.store ??
    chooseStore(undefined, env, storeSettings(files.texts, profile)).name;
}

async function add(command: Command<"add">, env: Env, log: Logger): Promise<number> {
  const { profile } = command;
  const files = await readProfileFiles(env, [profile]);
  refuseForeignProfile(files, profile, []);
  const name = chooseStore(command.store, env, storeSettings(files.texts, profile)).name;
  const hook = credentialProcessLine(profile, name, command, env);
  await refuseUneditable(() => writeHook(files, profile, hook.line, { dryRun: true }), "stored");
  const store = await openStore(name, { env, log, os: Deno.build.os });
  const keys = command.stdin ? await keysFromStdin() : await keysFromTerminal(profile);
  const arn = command.verify ? await verify(keys, files, profile, env) : undefined;
  await storeAndPoint(store, files, profile, keys, hook, env, log);
  tell(
    `aec: stored the keys of profile ${profile} (${keys.accessKeyId}${
      arn ? `, ${arn}` : ""
    }) in the ${store.name} store; ${files.configPath} points profile ${profile} at them`,
  );
  return 0;
}

async function migrate(command: Command<"migrate">, env: Env, log: Logger): Promise<number> {
  let files = await readProfileFiles(env, []);
  const profiles = command.profile === undefined ? profilesWithKeys(files) : [command.profile];
  if (profiles.length === 0) {
    tell(`aec: no profile of ${files.credentialsPath} holds long-term keys`);
    return 0;
  }
  const moved: string[] = [];
  for (const profile of profiles) {
    try {
      files = await readProfileFiles(env, [profile]);
      await migrateOne(profile, files, command, env, log);
      moved.push(profile);
    } catch (error) {
      if (!(error instanceof CredentialError) || command.profile !== undefined) throw error;
      const before = moved.length > 0 ? `; moved before it: ${moved.join(", ")}` : "";
      throw new CredentialError(`Profile ${profile}: ${error.message}${before}`, error, error.hint);
    }
  }
  return 0;
}

async function migrateOne(
  profile: string,
  files: ProfileFiles,
  command: Command<"migrate">,
  env: Env,
  log: Logger,
): Promise<void> {
  const keys = keysInCredentials(files, profile);
  if (keys === undefined) {
    throw new CredentialError(`Profile ${profile} has no keys in ${files.credentialsPath}`);
  }
  registerSecret(keys.secretAccessKey);
  const problem = keysProblem(keys);
  if (problem) throw new CredentialError(`The keys of profile ${profile}: ${problem}`);
  refuseForeignProfile(files, profile, ["aws_access_key_id", "aws_secret_access_key"]);
  refuseKeysInConfig(files, profile);
  const name = chooseStore(command.store, env, storeSettings(files.texts, profile)).name;
  const hook = credentialProcessLine(profile, name, command, env);
  // Both edits' checks before anything moves: a move stopped half way could not be re-run.
  await refuseUneditable(async () => {
    await writeHook(files, profile, hook.line, { dryRun: true });
    await removeKeysFromCredentials(files, profile, keys, { dryRun: true });
  }, "moved");
  const store = await openStore(name, { env, log, os: Deno.build.os });
  if (command.verify) await verify(keys, files, profile, env);
  await storeAndPoint(store, files, profile, keys, hook, env, log);
  // Last: until here the keys are in the file too, which the SDK and botocore read first.
  await removeKeysFromCredentials(files, profile, keys);
  tell(
    `aec: moved the keys of profile ${profile} (${keys.accessKeyId}) from ` +
      `${files.credentialsPath} into the ${store.name} store`,
  );
}

/** The line that makes a profile read the store, and what to warn of once it is written. */
interface PlannedHook {
  line: string;
  warning?: string;
}

/** The profile's credential_process line that reads `store`. */
function credentialProcessLine(
  profile: string,
  store: StoreName,
  choice: SessionChoice,
  env: Env,
): PlannedHook {
  const program = hookProgram(env);
  const line = hookLine(program ?? "aec", {
    profile,
    store,
    session: choice.session,
    ...(choice.durationSeconds === undefined ? {} : { durationSeconds: choice.durationSeconds }),
  });
  return program !== undefined ? { line } : {
    line,
    warning: "no aec command on PATH: the credential_process line runs 'aec' " +
      "(run 'deno task setup')",
  };
}

/** Runs the checks of an edit (a dry run), saying that nothing was `done` when they refuse. */
async function refuseUneditable(check: () => Promise<void>, done: string): Promise<void> {
  try {
    await check();
  } catch (error) {
    if (!(error instanceof CredentialError)) throw error;
    throw new CredentialError(`${error.message}; nothing was ${done}`, error, error.hint);
  }
}

/**
 * Puts the keys in the store, reads them back, and only then writes the
 * profile's credential_process line; the profile's old session is dropped.
 * Should the line fail, the keys the store held before go back: they may be
 * their only copy.
 */
async function storeAndPoint(
  store: KeyStore,
  files: ProfileFiles,
  profile: string,
  keys: StoredKeys,
  hook: PlannedHook,
  env: Env,
  log: Logger,
): Promise<void> {
  const previous = await store.get(profile);
  await putChecked(store, profile, keys);
  if (hook.warning) warn(hook.warning);
  log.debug(`credential_process = ${hook.line}`);
  try {
    await writeHook(files, profile, hook.line);
  } catch (error) {
    if (previous === undefined) throw error;
    const message = messageOf(error);
    await store.put(profile, previous).catch((putError) => {
      throw new CredentialError(
        `${message}; putting back the keys the store held before (${previous.accessKeyId}) ` +
          `failed too: ${messageOf(putError)}`,
        error,
      );
    });
    throw error;
  }
  await forgetStoredSession(profile, env);
}

/** Puts the keys in the store and checks that it gives them back. */
async function putChecked(store: KeyStore, profile: string, keys: StoredKeys): Promise<void> {
  await store.put(profile, keys);
  const back = await store.get(profile);
  if (back?.accessKeyId !== keys.accessKeyId || back.secretAccessKey !== keys.secretAccessKey) {
    throw new CredentialError(
      `The ${store.name} store did not give back the keys of profile ${profile} just stored`,
    );
  }
}

/** The ARN the keys sign as (STS GetCallerIdentity). */
async function verify(
  keys: StoredKeys,
  files: ProfileFiles,
  profile: string,
  env: Env,
): Promise<string> {
  const region = chooseRegion(
    undefined,
    profileSettingsFromFiles(files.texts, profile)?.region,
    env,
  );
  try {
    return await callerArn(() => Promise.resolve(keys), region);
  } catch (error) {
    throw new CredentialError(
      `The keys for profile ${profile} did not work (${
        error instanceof Error ? error.message : String(error)
      }); nothing was stored`,
      error,
      "check them, or store them unchecked with --no-verify",
    );
  }
}

/**
 * The program a credential_process line runs: this aec by a path that stays
 * (a link on PATH to this binary, as Homebrew's), else the `aec` on PATH,
 * which `deno task setup` puts there for a checkout; `undefined` without one.
 */
function hookProgram(env: Env): string | undefined {
  const real = (path: string) => {
    try {
      return Deno.realPathSync(path);
    } catch {
      return path;
    }
  };
  const self = Deno.execPath();
  const onPath = findProgram("aec", env);
  if (isHookProgram(self)) {
    return onPath && isHookProgram(onPath) && real(onPath) === real(self) ? onPath : self;
  }
  return onPath && isHookProgram(onPath) ? onPath : undefined;
}

async function keysFromStdin(): Promise<StoredKeys> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of Deno.stdin.readable) {
    text += decoder.decode(chunk, { stream: true });
    if (text.length > MAX_STDIN_BYTES) throw new UsageError("--stdin takes two lines, not more");
  }
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (lines.length !== 2) {
    throw new UsageError(
      `--stdin takes two lines, the access key id and then the secret access key; got ${lines.length}`,
    );
  }
  registerSecret(lines[1]);
  return checked({ accessKeyId: lines[0]!, secretAccessKey: lines[1]! });
}

async function keysFromTerminal(profile: string): Promise<StoredKeys> {
  const accessKeyId = await promptOnTerminal(
    `Access key id for profile ${profile}: `,
    `the access key id of profile ${profile}`,
    { otherwise: "give the keys as two lines of stdin with --stdin" },
  );
  const secretAccessKey = await promptOnTerminal(
    "Secret access key (not shown): ",
    `the secret access key of profile ${profile}`,
    { hidden: true },
  );
  registerSecret(secretAccessKey);
  return checked({ accessKeyId, secretAccessKey });
}

function checked(keys: StoredKeys): StoredKeys {
  const problem = keysProblem(keys);
  if (problem) throw new UsageError(`Those are not long-term keys: ${problem}`);
  return keys;
}

async function list(command: Command<"list">, env: Env, log: Logger, write: Write) {
  const files = await readProfileFiles(env, []);
  const name = chooseStore(command.store, env, storeSettings(files.texts, "default")).name;
  const store = await openStore(name, { env, log, os: Deno.build.os });
  const stored = await store.list();
  // The config's profiles whose line reads this store, with or without keys there.
  const pointed = new Set(
    Object.keys(allProfiles(files.texts).profiles).filter((profile) => {
      const hook = hookOfProfile(files, profile);
      return hook !== undefined && (hook.store ?? name) === name && hook.profile === profile;
    }),
  );
  const rows = [
    ...stored.map((entry) => ({ ...entry, store: name, inConfig: pointed.has(entry.profile) })),
    ...[...pointed].filter((profile) => !stored.some((entry) => entry.profile === profile))
      .map((profile) => ({ profile, accessKeyId: "(none)", store: name, inConfig: true })),
  ];
  if (command.json) {
    await write(JSON.stringify(rows, null, 2) + "\n");
    return 0;
  }
  if (rows.length === 0) {
    tell(`aec: the ${name} store (${store.location}) holds no keys`);
    return 0;
  }
  const table = [
    ["PROFILE", "ACCESS KEY ID", "STORE", "IN CONFIG"],
    ...rows.map((row) => [row.profile, row.accessKeyId, row.store, row.inConfig ? "yes" : "no"]),
  ];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((row) => row[column]!.length)));
  await write(
    table.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd())
      .join("\n") + "\n",
  );
  return 0;
}

async function remove(command: Command<"remove">, env: Env, log: Logger): Promise<number> {
  const { profile } = command;
  const files = await readProfileFiles(env, []);
  const store = await openStore(storeFor(command.store, files, profile, env), {
    env,
    log,
    os: Deno.build.os,
  });
  if (!command.force) {
    const terminal = openTerminal();
    if (!terminal) {
      throw new UsageError(
        "aec keys remove asks before it deletes; without a terminal, add --force",
      );
    }
    closeTerminal(terminal);
    const keys = await readStoredKeys(store, profile);
    const answer = await promptOnTerminal(
      `Delete the keys of profile ${profile} (${keys.accessKeyId}) from the ${store.name} ` +
        "store? aec keeps no other copy. [y/N] ",
      "an answer",
    ).catch((error) => {
      if (error instanceof InterruptedError) throw error;
      return "no";
    });
    if (!/^y(es)?$/i.test(answer)) {
      tell("aec: nothing was deleted");
      return 0;
    }
  }
  if (!await store.remove(profile)) {
    throw new CredentialError(`The ${store.name} store has no keys for profile ${profile}`);
  }
  await forgetStoredSession(profile, env);
  const pointed = hookOfProfile(files, profile) !== undefined;
  tell(
    `aec: deleted the keys of profile ${profile} from the ${store.name} store` +
      (pointed
        ? `; its credential_process line in ${files.configPath} now fails until you add ` +
          `keys again (aec keys add ${profile}) or delete the line`
        : ""),
  );
  return 0;
}

async function rotate(command: Command<"rotate">, env: Env, log: Logger): Promise<number> {
  const { profile } = command;
  const files = await readProfileFiles(env, [profile]);
  const own = credentialSettings(files, profile);
  if (own.length > 0) {
    throw new CredentialError(
      `Profile ${profile} gets its credentials from ${own.join(", ")}, not from a store`,
    );
  }
  const store = await openStore(storeFor(command.store, files, profile, env), {
    env,
    log,
    os: Deno.build.os,
  });
  const settings = profileSettingsFromFiles(files.texts, profile) ?? {};
  const region = chooseRegion(undefined, settings.region, env);
  const old = await readStoredKeys(store, profile);
  const { createAccessKey, deleteAccessKey } = await import("./iam.ts");

  // IAM refuses a session without MFA; with mfa_serial, one with MFA signs the calls.
  const serial = settings.mfa_serial;
  const signer = serial === undefined ? old : await getSessionToken(old, {
    serial,
    seconds: 900,
    region,
    askCode: mfaCodeAsker({
      profile,
      profiles: { [profile]: settings },
      noPrompt: noPromptFromEnvironment(env),
      keepsSession: false,
      env,
      log,
    }),
  });
  const identity = await callerArn(() => Promise.resolve(signer), region);
  const unchanged = `; the old key ${old.accessKeyId} is unchanged and still in use`;
  const fresh = await createAccessKey({ region, credentials: signer }).catch((error) => {
    throw new CredentialError(`${error.message}${unchanged}`, error);
  });
  log.debug(`created access key ${fresh.accessKeyId}`);
  const undo = async (why: string, error: unknown): Promise<never> => {
    const deleted = await deleteAccessKey({ region, credentials: signer }, fresh.accessKeyId).then(
      () => `the new key ${fresh.accessKeyId} was deleted`,
      () => `deleting the new key ${fresh.accessKeyId} failed too: delete it in IAM`,
    );
    throw new CredentialError(`${why}; ${deleted}${unchanged}`, error);
  };
  const arn = await newKeyIdentity(fresh, region).catch((error) =>
    undo(`The new key did not work within ${NEW_KEY_WAIT_MS / 1000}s (${error.message})`, error)
  );
  if (arn !== identity) {
    await undo(`The new key signs as ${arn}, not as ${identity}`, undefined);
  }
  try {
    await putChecked(store, profile, fresh);
  } catch (error) {
    // The store may hold neither: the old key goes back before anything else.
    await store.put(profile, old).catch(() => {});
    await undo(`Storing the new key failed (${(error as Error).message})`, error);
  }
  await forgetStoredSession(profile, env);
  try {
    await deleteAccessKey({ region, credentials: signer }, old.accessKeyId);
  } catch (error) {
    throw new CredentialError(
      `The new key ${fresh.accessKeyId} is stored and in use, but deleting the old key ` +
        `${old.accessKeyId} failed (${(error as Error).message})`,
      error,
      `delete it with 'aws iam delete-access-key --access-key-id ${old.accessKeyId}'`,
    );
  }
  tell(
    `aec: profile ${profile} now uses the new key ${fresh.accessKeyId} (${arn}), stored in the ` +
      `${store.name} store; the old key ${old.accessKeyId} was deleted`,
  );
  return 0;
}

/** The ARN a new key signs as, once IAM has it everywhere (retried for a while). */
async function newKeyIdentity(keys: StoredKeys, region: string | undefined): Promise<string> {
  const deadline = Date.now() + NEW_KEY_WAIT_MS;
  for (let delay = 500;; delay = Math.min(delay * 2, 5000)) {
    try {
      return await callerArn(() => Promise.resolve(keys), region);
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
