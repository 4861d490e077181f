/**
 * Signals while `--exec` runs a command: aec forwards every signal that would
 * otherwise end it, unless the command already got that very signal.
 *
 * The command shares aec's process group, so a signal sent to the group (Ctrl-C
 * or Ctrl-\ at a terminal, a terminal hang-up, `kill -- -PGID`, systemd
 * stopping a unit) reaches it directly; forwarding it too would deliver it
 * twice. A signal sent to aec's PID alone reaches only aec. Deno does not tell
 * a handler who sent a signal, so aec keeps a witness: a tiny `/bin/sh` in the
 * same process group that traps the same signals and reports each on its
 * stdout. When aec gets a signal it pings the witness; the witness answers
 * after reporting every signal delivered to it before the ping, because a
 * signal sent to a group is queued to all its members at once. A signal the
 * witness reported went to the group and is not forwarded; any other is.
 */

/** The signals whose default action ends a process and that Deno lets aec catch. */
const TERMINATING: readonly Deno.Signal[] = [
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGTERM",
  "SIGUSR1",
  "SIGUSR2",
  "SIGALRM",
  "SIGVTALRM",
  "SIGPROF",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGIO",
  "SIGSYS",
  "SIGTRAP",
  "SIGABRT",
  // SIGBUS is left to V8, which handles it; Deno ignores SIGPIPE.
  ...(Deno.build.os === "linux" ? ["SIGPWR", "SIGSTKFLT"] as const : []),
];

const WINDOWS = Deno.build.os === "windows";
// The Windows console delivers Ctrl-C and Ctrl-Break to every process attached
// to it, the command included: there aec only has to survive them.
const CAUGHT: readonly Deno.Signal[] = WINDOWS ? ["SIGINT", "SIGBREAK"] : TERMINATING;
const PING_TIMEOUT_MS = 1_000;

export interface Forwarding {
  /** The command to forward to; signals received before it started are forwarded now. */
  attach(child: Deno.ChildProcess): void;
  stop(): Promise<void>;
}

/**
 * Catches every signal that would end aec, from before the command starts
 * until `stop()`, and forwards each to the attached command unless it got it
 * too.
 */
export function forwardSignals(): Forwarding {
  let witness: Witness | undefined;
  let child: Deno.ChildProcess | undefined;
  const early: Deno.Signal[] = [];
  const forward = async (signal: Deno.Signal) => {
    if (WINDOWS || await witness?.reachedGroup(signal)) return;
    try {
      child?.kill(signal);
    } catch {
      // The command has already exited.
    }
  };
  const listeners: [Deno.Signal, () => void][] = [];
  for (const signal of CAUGHT) {
    const listener = () => {
      if (child === undefined) early.push(signal);
      else forward(signal);
    };
    try {
      Deno.addSignalListener(signal, listener);
      listeners.push([signal, listener]);
    } catch {
      // Not a signal on this OS.
    }
  }
  return {
    attach(started) {
      child = started;
      // Started after the command, which need not wait for it: Deno's first spawn is the slow one.
      if (!WINDOWS) witness = startWitness();
      for (const signal of early.splice(0)) forward(signal);
    },
    async stop() {
      for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
      await witness?.stop();
    },
  };
}

interface Witness {
  /** Whether `signal`, which aec just received, also reached aec's process group. */
  reachedGroup(signal: Deno.Signal): Promise<boolean>;
  stop(): Promise<void>;
}

function startWitness(): Witness | undefined {
  const names = TERMINATING.map((signal) => signal.slice(3));
  // A failed `read` is a trap that interrupted it, unless aec is gone.
  const script = `for s in ${names.join(" ")}; do trap "echo $s" "$s"; done
while :; do read -r _ && echo pong || kill -0 "$PPID" 2>/dev/null || exit; done`;
  let process: Deno.ChildProcess;
  try {
    process = new Deno.Command("/bin/sh", {
      args: ["-c", script],
      clearEnv: true,
      env: {},
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
  } catch {
    // No /bin/sh: every signal is forwarded.
    return undefined;
  }
  const writer = process.stdin.getWriter();
  // Signals reported and not yet matched with aec's own, by name.
  const reported = new Map<string, number>();
  const pongs: (() => void)[] = [];
  let waiting = 0;
  let alive = true;
  const finished = (async () => {
    // Not a TextDecoderStream: setting one up costs --exec 2 ms.
    const decoder = new TextDecoder();
    let rest = "";
    for await (const chunk of process.stdout) {
      const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
      rest = lines.pop()!;
      for (const line of lines) {
        if (line === "pong") pongs.shift()?.();
        else reported.set(line, (reported.get(line) ?? 0) + 1);
      }
    }
  })().catch(() => {}).finally(() => {
    alive = false;
    for (const pong of pongs.splice(0)) pong();
  });

  return {
    async reachedGroup(signal) {
      if (!alive) return false;
      waiting++;
      try {
        const answered = new Promise<void>((resolve) => pongs.push(resolve));
        await writer.write(new Uint8Array([10]));
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), PING_TIMEOUT_MS);
        });
        if (await Promise.race([answered.then(() => false), timedOut])) {
          // A stopped or stuck witness: from now on every signal is forwarded.
          alive = false;
          process.kill("SIGKILL");
          return false;
        }
        clearTimeout(timer);
        if (!alive) return false;
        const name = signal.slice(3);
        const count = reported.get(name) ?? 0;
        if (count === 0) return false;
        reported.set(name, count - 1);
        return true;
      } catch {
        return false;
      } finally {
        // Reports nobody claimed (two signals merged into one) must not swallow a later one.
        if (--waiting === 0) reported.clear();
      }
    },
    async stop() {
      try {
        process.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await writer.close().catch(() => {});
      await finished;
      await process.status;
    },
  };
}
