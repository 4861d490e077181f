/**
 * The IAM Identity Center portal's listing of what a signed-in user may use:
 * every account (ListAccounts) and every role in each (ListAccountRoles), all
 * pages. Large organisations have thousands of accounts and the portal
 * throttles, so a few requests run at a time, throttled ones are retried
 * with backoff, and a listing that fails anywhere fails whole: nothing is
 * built from half of one.
 *
 * The portal's answers are checked, not trusted: an account id is 12 digits,
 * a role name is an IAM name, a page holds no more than was asked for, a page
 * token never comes back (nor do pages come without end), and an answer's
 * body is bounded in size and time.
 *
 * @module
 */

import {
  CredentialError,
  firstLine,
  type Logger,
  printable,
  registerSecret,
} from "../support/mod.ts";
import { timedRequestHandler } from "../sdk/mod.ts";
import type { SsoTarget } from "./token_cache.ts";

/** An account the user may sign in to, with the roles they may use in it. */
export interface PortalAccount {
  /** 12 digits. */
  id: string;
  /** As the portal names it: any text, spaces and all ("" when it has none). */
  name: string;
  email?: string;
  /** The role (permission set) names, sorted. */
  roles: string[];
}

export interface ListingOptions {
  log: Logger;
  /** Told after each account's roles are listed: accounts done, accounts found so far. */
  progress?: (done: number, found: number) => void;
  /** The most requests in flight at once. */
  concurrency?: number;
  /** What to run when the session was refused (for the error's hint). */
  signInHint: string;
}

/** The portal refused the token: the session has ended, or was signed out. */
export class SessionRefusedError extends CredentialError {}

/** The most entries the portal gives in one page. */
const PAGE_SIZE = 100;
const DEFAULT_CONCURRENCY = 4;
// Bounds on a portal that never stops: a million accounts, 10,000 roles per account.
const MAX_ACCOUNT_PAGES = 10_000;
const MAX_ROLE_PAGES = 100;
// A page of 100 accounts is a few KiB; a request that takes this long has stalled.
const MAX_ANSWER_BYTES = 1024 * 1024;
const REQUEST_DEADLINE_MS = 30_000;
// Throttling (up to MAX_ATTEMPTS) and transient failures (up to
// MAX_TRANSIENT_ATTEMPTS): attempts wait BASE * 2^attempt (half of it
// jittered, at most MAX_DELAY) between them.
const MAX_ATTEMPTS = 10;
const MAX_TRANSIENT_ATTEMPTS = 3;
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 5_000;

const ACCOUNT_ID = /^\d{12}$/;
// IAM's role name pattern, which permission set names follow.
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

type SsoModule = typeof import("@aws-sdk/client-sso");
type SsoClient = InstanceType<SsoModule["SSOClient"]>;

/**
 * Every account the token may use, with its roles, sorted by account id.
 *
 * @throws {CredentialError} when the portal refuses the token (with
 * `signInHint`), refuses or fails a request past the retries, or answers what
 * is not a listing.
 */
export async function listAccounts(
  target: SsoTarget,
  accessToken: string,
  options: ListingOptions,
): Promise<PortalAccount[]> {
  registerSecret(accessToken);
  const sso = await import("@aws-sdk/client-sso");
  const client = new sso.SSOClient({
    region: target.region,
    requestHandler: await boundedRequestHandler(),
    // aec retries throttling itself, with its own backoff and bounds.
    maxAttempts: 1,
  });
  const failed = new AbortController();
  const limit = limiter(options.concurrency ?? DEFAULT_CONCURRENCY);
  // The pages of accounts go first, so that the number of accounts is soon known.
  const call = <T>(operation: string, send: (signal: AbortSignal) => Promise<T>) =>
    limit(
      () => withRetries(operation, send, failed.signal, options),
      operation === "ListAccounts",
    );
  try {
    const accounts = new Map<string, PortalAccount>();
    const roleListings: Promise<void>[] = [];
    let done = 0;
    const listRoles = async (account: PortalAccount) => {
      account.roles = await rolesOf(sso, client, account.id, accessToken, call);
      options.progress?.(++done, accounts.size);
    };
    const seen = new Set<string>();
    let nextToken: string | undefined;
    for (let page = 0;; page++) {
      if (page === MAX_ACCOUNT_PAGES) throw endless("ListAccounts", MAX_ACCOUNT_PAGES);
      const token = nextToken;
      const answer = await call("ListAccounts", (abortSignal) =>
        client.send(
          new sso.ListAccountsCommand({
            accessToken,
            maxResults: PAGE_SIZE,
            ...(token === undefined ? {} : { nextToken: token }),
          }),
          { abortSignal },
        ));
      for (const account of checkedAccounts(answer.accountList)) {
        // A listing that repeats an account lists it once.
        if (accounts.has(account.id)) continue;
        accounts.set(account.id, account);
        // Started at once: each waits for its turn in `limit`.
        const listing = listRoles(account);
        listing.catch(() => {}); // Awaited below; a failure must not go unhandled meanwhile.
        roleListings.push(listing);
      }
      nextToken = checkedToken(answer.nextToken, seen, "ListAccounts");
      if (nextToken === undefined) break;
    }
    options.log.debug(`IAM Identity Center lists ${accounts.size} accounts`);
    await Promise.all(roleListings);
    return [...accounts.values()].sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  } catch (error) {
    // The requests still waiting give up at once.
    failed.abort(error);
    throw error;
  } finally {
    client.destroy();
  }
}

/** Every role name of account `id`, all pages, sorted. */
async function rolesOf(
  sso: SsoModule,
  client: SsoClient,
  accountId: string,
  accessToken: string,
  call: <T>(operation: string, send: (signal: AbortSignal) => Promise<T>) => Promise<T>,
): Promise<string[]> {
  const roles = new Set<string>();
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let page = 0;; page++) {
    if (page === MAX_ROLE_PAGES) throw endless("ListAccountRoles", MAX_ROLE_PAGES);
    const token = nextToken;
    const answer = await call("ListAccountRoles", (abortSignal) =>
      client.send(
        new sso.ListAccountRolesCommand({
          accessToken,
          accountId,
          maxResults: PAGE_SIZE,
          ...(token === undefined ? {} : { nextToken: token }),
        }),
        { abortSignal },
      ));
    for (const role of checkedList(answer.roleList, "ListAccountRoles", "roleList")) {
      const name = (role as { roleName?: unknown }).roleName;
      if (typeof name !== "string" || !ROLE_NAME.test(name)) {
        throw malformed(
          "ListAccountRoles",
          `the role name ${quoted(name)} of account ${accountId}`,
        );
      }
      roles.add(name);
    }
    nextToken = checkedToken(answer.nextToken, seen, "ListAccountRoles");
    if (nextToken === undefined) break;
  }
  return [...roles].sort();
}

function checkedAccounts(list: unknown): PortalAccount[] {
  return checkedList(list, "ListAccounts", "accountList").map((entry) => {
    const { accountId, accountName, emailAddress } = entry as Record<string, unknown>;
    if (typeof accountId !== "string" || !ACCOUNT_ID.test(accountId)) {
      throw malformed("ListAccounts", `the account id ${quoted(accountId)}`);
    }
    if (accountName !== undefined && typeof accountName !== "string") {
      throw malformed("ListAccounts", `the name of account ${accountId}`);
    }
    return {
      id: accountId,
      name: accountName ?? "",
      ...(typeof emailAddress === "string" ? { email: emailAddress } : {}),
      roles: [],
    };
  });
}

/** A page's list: an array of at most a page's entries (none when the portal sends none). */
function checkedList(list: unknown, operation: string, field: string): unknown[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw malformed(operation, `its ${field}`);
  if (list.length > PAGE_SIZE) {
    throw new CredentialError(
      `IAM Identity Center ${operation} answered ${list.length} entries to a request for at ` +
        `most ${PAGE_SIZE}`,
    );
  }
  return list.filter((entry) => {
    if (typeof entry !== "object" || entry === null) throw malformed(operation, `its ${field}`);
    return true;
  });
}

/** The next page's token, or `undefined` at the end; a token seen before would never end. */
function checkedToken(
  token: string | undefined,
  seen: Set<string>,
  operation: string,
): string | undefined {
  if (token === undefined || token === "") return undefined;
  if (seen.has(token)) {
    throw new CredentialError(
      `IAM Identity Center ${operation} gave a page token it had given before; the listing ` +
        "would never end",
    );
  }
  seen.add(token);
  return token;
}

function endless(operation: string, pages: number): CredentialError {
  return new CredentialError(
    `IAM Identity Center ${operation} did not end after ${pages} pages`,
  );
}

function malformed(operation: string, what: string): CredentialError {
  return new CredentialError(`IAM Identity Center ${operation} answered a malformed ${what}`);
}

function quoted(value: unknown): string {
  return typeof value === "string" ? printable(JSON.stringify(value)) : typeof value;
}

/**
 * A function that runs at most `max` of the functions given to it at once, in
 * order, those given `first` before the others waiting.
 */
function limiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(run: () => Promise<T>, first = false): Promise<T> => {
    if (active < max) active++;
    // A finished run hands its slot straight to the next, so no newcomer takes it in between.
    else {
      await new Promise<void>((resolve) =>
        first ? waiting.unshift(resolve) : waiting.push(resolve)
      );
    }
    try {
      return await run();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
}

/**
 * `send` with a deadline, retried with backoff while the portal throttles or
 * fails for a moment; given up when `stop` is aborted (another request failed).
 */
async function withRetries<T>(
  operation: string,
  send: (signal: AbortSignal) => Promise<T>,
  stop: AbortSignal,
  options: ListingOptions,
): Promise<T> {
  for (let attempt = 1;; attempt++) {
    if (stop.aborted) throw stop.reason;
    const deadline = AbortSignal.timeout(REQUEST_DEADLINE_MS);
    try {
      return await send(AbortSignal.any([deadline, stop]));
    } catch (error) {
      if (stop.aborted) throw stop.reason;
      const kind = failureKind(error, deadline);
      if (kind === "refused") {
        throw new SessionRefusedError(
          "IAM Identity Center refused the session: it has ended or was signed out",
          error,
          options.signInHint,
        );
      }
      const attempts = kind === "throttled" ? MAX_ATTEMPTS : MAX_TRANSIENT_ATTEMPTS;
      if (kind === "final" || attempt >= attempts) {
        const what = deadline.aborted
          ? `did not answer within ${REQUEST_DEADLINE_MS / 1000}s`
          : `failed: ${firstLine(error).replace(/\.$/, "")}`;
        const tries = kind === "final" ? "" : ` (after ${attempt} attempts)`;
        throw new CredentialError(`IAM Identity Center ${operation} ${what}${tries}`, error);
      }
      const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1));
      const delay = ceiling / 2 + Math.random() * ceiling / 2;
      const what = kind === "throttled" ? "throttled" : "failed for a moment";
      options.log.debug(`${operation}: ${what}; attempt ${attempt + 1} in ${Math.round(delay)} ms`);
      await sleep(delay, stop);
    }
  }
}

/** Whether a failed request may be tried again: throttled, a server error, a dropped connection. */
function failureKind(
  error: unknown,
  deadline: AbortSignal,
): "throttled" | "transient" | "refused" | "final" {
  const name = error instanceof Error ? error.name : "";
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata
    ?.httpStatusCode;
  if (name === "UnauthorizedException" || status === 401) return "refused";
  if (name === "TooManyRequestsException" || name === "ThrottlingException" || status === 429) {
    return "throttled";
  }
  if (deadline.aborted || (status !== undefined && status >= 500)) return "transient";
  // No answer at all (a refused or reset connection, the handler's timeout).
  if (status === undefined && (name === "TypeError" || name === "TimeoutError")) {
    return "transient";
  }
  return "final";
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", stop);
      resolve();
    }, ms);
    signal.addEventListener("abort", stop, { once: true });
  });
}

/**
 * aec's request handler, with a bound on each answer's body: a portal
 * answering without end would otherwise fill the memory.
 */
async function boundedRequestHandler() {
  const handler = await timedRequestHandler();
  const handle = handler.handle.bind(handler);
  handler.handle = async (request, options) => {
    const answer = await handle(request, options);
    const body = answer.response.body;
    if (body instanceof ReadableStream) {
      answer.response.body = body.pipeThrough(byteLimit(MAX_ANSWER_BYTES));
    }
    return answer;
  };
  return handler;
}

function byteLimit(max: number): TransformStream<Uint8Array, Uint8Array> {
  let total = 0;
  return new TransformStream({
    transform(chunk, controller) {
      total += chunk.byteLength;
      if (total > max) {
        controller.error(new Error(`the answer is larger than ${max / 1024} KiB`));
        return;
      }
      controller.enqueue(chunk);
    },
  });
}
