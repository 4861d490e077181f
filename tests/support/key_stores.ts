/**
 * Key stores for the `aec keys` tests, set up inside a sandbox so that
 * nothing touches the user's own: a password store with a throwaway gpg key
 * (no passphrase), and a Secret Service (gnome-keyring in a private D-Bus
 * session, its keyring under the sandbox's HOME). Each store's program is
 * wrapped on PATH to count its calls and to record the process list while
 * it runs; `aec` is wrapped the same way, so that a test can tell whether
 * aec ran as a child process. A store whose programs are missing is the
 * reason its tests are ignored (`requires()`).
 */

import { type Missing, onPath, POSIX } from "./clients.ts";
import { REPO_ROOT, type Sandbox } from "./sandbox.ts";
import { shellQuote } from "./terminal.ts";

const decoder = new TextDecoder();

/** The path of `name` on PATH, if it is there. */
export async function which(name: string): Promise<string | undefined> {
  const output = await new Deno.Command("sh", {
    args: ["-c", `command -v ${shellQuote(name)}`],
    stdout: "piped",
    stderr: "null",
  }).output().catch(() => undefined);
  const path = output?.success ? decoder.decode(output.stdout).trim() : "";
  return path.startsWith("/") ? path : undefined;
}

/** What a store's tests need, for `requires()`: a POSIX system and the store's programs. */
async function needs(...programs: string[]): Promise<{ missing?: Missing }> {
  const probes = [POSIX, ...await Promise.all(programs.map(onPath))];
  const reasons = probes.flatMap((probe) => probe.missing === undefined ? [] : [probe.missing]);
  return reasons.length === 0 ? {} : { missing: reasons.join("; ") };
}

export const PASS = await needs("pass", "gpg", "gpgconf", "ps");
export const SECRET_SERVICE = await needs(
  "secret-tool",
  "gnome-keyring-daemon",
  "dbus-daemon",
  "dbus-send",
  "ps",
);

/** A program on PATH that logs its arguments and the process list, then runs `real`. */
export interface Wrapped {
  /** The arguments of each call, in order. */
  calls(): Promise<string[]>;
  /** Every process list taken while a call ran. */
  processLists(): Promise<string>;
}

/**
 * Puts a wrapper of `name` in the sandbox's `.test-bin`, which the returned
 * PATH puts first; it runs `command` (the real program, or aec).
 */
async function wrap(sandbox: Sandbox, name: string, command: string): Promise<Wrapped> {
  const bin = `${sandbox.home}/.test-bin`;
  await Deno.mkdir(bin, { recursive: true });
  const log = `${sandbox.home}/.test-log-${name}`;
  const ps = `${sandbox.home}/.test-ps-${name}`;
  await Deno.writeTextFile(log, "");
  await Deno.writeTextFile(ps, "");
  await Deno.writeTextFile(
    `${bin}/${name}`,
    `#!/bin/sh\nprintf '%s\\n' "$*" >> ${shellQuote(log)}\n` +
      // A second look while the program itself runs.
      `(ps -eo args >> ${shellQuote(ps)}; sleep 0.2; ps -eo args >> ${shellQuote(ps)}) ` +
      `2>/dev/null &\nexec ${command} "$@"\n`,
    { mode: 0o755 },
  );
  return {
    calls: async () => (await Deno.readTextFile(log)).split("\n").filter(Boolean),
    processLists: () => Deno.readTextFile(ps),
  };
}

/** The PATH with the sandbox's wrappers first. */
export function testPath(sandbox: Sandbox): string {
  return `${sandbox.home}/.test-bin:${sandbox.env.PATH}`;
}

/** `aec` on PATH, as `deno task setup` installs it for a checkout, counting its runs. */
export function aecOnPath(sandbox: Sandbox): Promise<Wrapped> {
  return wrap(
    sandbox,
    "aec",
    `${shellQuote(Deno.execPath())} run -A --quiet ${shellQuote(`${REPO_ROOT}main.ts`)}`,
  );
}

export interface TestStore {
  /** What aec needs in its environment to reach the store. */
  env: Record<string, string>;
  /** The wrapped program, counting its calls. */
  program: Wrapped;
  /** How many of `calls` read a secret. */
  reads(): Promise<number>;
  tearDown(): Promise<void>;
}

async function run(command: string, args: string[], env: Record<string, string>, stdin?: string) {
  const child = new Deno.Command(command, {
    args,
    env,
    clearEnv: true,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const output = await child.output();
  if (!output.success) {
    throw new Error(`${command} ${args.join(" ")} failed: ${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout);
}

/** A password store in the sandbox with a new gpg key of its own, without a passphrase. */
export async function setUpPass(sandbox: Sandbox): Promise<TestStore> {
  const gnupg = `${sandbox.home}/.gnupg`;
  await Deno.mkdir(gnupg, { mode: 0o700 });
  const env = {
    GNUPGHOME: gnupg,
    PASSWORD_STORE_DIR: `${sandbox.home}/.password-store`,
  };
  const all = { ...sandbox.env, ...env };
  await run("gpg", [
    "--batch",
    "--pinentry-mode",
    "loopback",
    "--passphrase",
    "",
    "--quick-gen-key",
    "aec test <aec-test@example.invalid>",
    "default",
    "default",
    "never",
  ], all);
  const colons = await run("gpg", ["--list-keys", "--with-colons"], all);
  const fingerprint = /^fpr:+([0-9A-F]+):/m.exec(colons)![1]!;
  await run("pass", ["init", fingerprint], all);
  const program = await wrap(sandbox, "pass", shellQuote((await which("pass"))!));
  return {
    env,
    program,
    reads: async () => (await program.calls()).filter((call) => call.startsWith("show ")).length,
    tearDown: async () => {
      await run("gpgconf", ["--kill", "gpg-agent"], all).catch(() => {});
    },
  };
}

/** gnome-keyring in a D-Bus session of its own, its login keyring unlocked. */
export async function setUpSecretService(sandbox: Sandbox): Promise<TestStore> {
  const runtime = `${sandbox.home}/.run`;
  await Deno.mkdir(runtime, { mode: 0o700 });
  const base = {
    ...sandbox.env,
    XDG_RUNTIME_DIR: runtime,
    XDG_DATA_HOME: `${sandbox.home}/.local/share`,
    XDG_CONFIG_HOME: `${sandbox.home}/.config`,
  };
  const bus = new Deno.Command("dbus-daemon", {
    args: ["--session", "--nofork", "--print-address=1", `--address=unix:path=${runtime}/bus`],
    env: base,
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = bus.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let address = "";
  while (!address.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("dbus-daemon ended before it said its address");
    address += value;
  }
  reader.releaseLock();
  const env = {
    DBUS_SESSION_BUS_ADDRESS: address.trim(),
    XDG_RUNTIME_DIR: base.XDG_RUNTIME_DIR,
    XDG_DATA_HOME: base.XDG_DATA_HOME,
    XDG_CONFIG_HOME: base.XDG_CONFIG_HOME,
  };
  const keyring = new Deno.Command("gnome-keyring-daemon", {
    args: ["--foreground", "--unlock", "--components=secrets"],
    env: { ...base, ...env },
    clearEnv: true,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const writer = keyring.stdin.getWriter();
  await writer.write(new TextEncoder().encode("keyring-password"));
  await writer.close();
  // Until the daemon owns the service's name: a call before would start another, locked.
  for (let tries = 0;; tries++) {
    const owned = await run("dbus-send", [
      "--session",
      "--print-reply",
      "--dest=org.freedesktop.DBus",
      "/org/freedesktop/DBus",
      "org.freedesktop.DBus.NameHasOwner",
      "string:org.freedesktop.secrets",
    ], { ...base, ...env });
    if (owned.includes("boolean true")) break;
    if (tries > 100) throw new Error("gnome-keyring-daemon never took the Secret Service's name");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const program = await wrap(sandbox, "secret-tool", shellQuote((await which("secret-tool"))!));
  return {
    env,
    program,
    reads: async () =>
      (await program.calls()).filter((call) => /^lookup |^search .*--unlock/.test(call)).length,
    tearDown: async () => {
      for (const child of [keyring, bus]) {
        try {
          child.kill("SIGTERM");
        } catch {
          // Already gone.
        }
        await child.status;
      }
      await bus.stdout.cancel().catch(() => {});
    },
  };
}

/** Locks the Secret Service's login collection, as a screen lock or a timeout does. */
export async function lockSecretService(store: TestStore, sandbox: Sandbox): Promise<void> {
  await run("dbus-send", [
    "--session",
    "--print-reply",
    "--dest=org.freedesktop.secrets",
    "/org/freedesktop/secrets",
    "org.freedesktop.Secret.Service.Lock",
    "array:objpath:/org/freedesktop/secrets/collection/login",
  ], { ...sandbox.env, ...store.env });
}

/** Every file under `directory` whose bytes contain `text`, as paths relative to it. */
export async function filesContaining(directory: string, text: string): Promise<string[]> {
  const found: string[] = [];
  const needle = new TextEncoder().encode(text);
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) {
        const bytes = await Deno.readFile(path).catch(() => new Uint8Array());
        if (contains(bytes, needle)) found.push(path.slice(directory.length + 1));
      }
    }
  };
  await walk(directory);
  return found;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}
