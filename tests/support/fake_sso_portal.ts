/**
 * A test-only IAM Identity Center portal listing: ListAccounts
 * (`GET /assignment/accounts`) and ListAccountRoles (`GET /assignment/roles`),
 * paged, on fake_aws's server, accepting the access tokens the OIDC fake
 * issued (and `valid-sso-token`). Tests change its accounts between runs, and
 * make it throttle or misbehave:
 * - `pageSize`: at most this many entries per page (fewer if asked for fewer);
 * - `throttleEvery`: every Nth listing request answers 429 TooManyRequestsException;
 * - `expireAfter`: after this many listing requests, the token of the next one
 *   is refused from then on (401), as when a session ends in the middle of a
 *   listing; tokens the OIDC fake issues later work;
 * - `answer`: `malformed` answers a body that is not JSON, `loop` gives every
 *   page of accounts the same next token, `oversized` answers ten times the
 *   page size, `huge` answers a 2 MiB body, `error` answers 500 to every request.
 */

export interface FakeAccount {
  accountId: string;
  accountName: string;
  emailAddress?: string;
  roles: string[];
}

export interface FakeSsoPortal {
  accounts: FakeAccount[];
  pageSize: number;
  throttleEvery: number;
  expireAfter?: number;
  answer?: "malformed" | "loop" | "oversized" | "huge" | "error";
  /** Listing requests received, throttled ones included. */
  requests: number;
  /** Requests answered 429. */
  throttled: number;
  /** The most requests in progress at once. */
  mostAtOnce: number;
}

/** The accounts the documentation's examples see. */
export function exampleAccounts(): FakeAccount[] {
  return [
    {
      accountId: "111122223333",
      accountName: "Production",
      emailAddress: "aws-production@example.com",
      roles: ["AdministratorAccess", "ReadOnlyAccess"],
    },
    {
      accountId: "444455556666",
      accountName: "Development",
      emailAddress: "aws-development@example.com",
      roles: ["AdministratorAccess"],
    },
  ];
}

/** `count` accounts `Account 0001`… with `roles` each, as a large organisation has. */
export function manyAccounts(count: number, roles: readonly string[]): FakeAccount[] {
  return Array.from({ length: count }, (_, index) => ({
    accountId: String(100_000_000_000 + index),
    accountName: `Account ${String(index + 1).padStart(4, "0")}`,
    roles: [...roles],
  }));
}

function portalError(status: number, type: string, message: string): Response {
  return Response.json({ message }, { status, headers: { "x-amzn-errortype": type } });
}

/** One page of `items` from the offset in `token`, and the token of the next page. */
function page<T>(items: readonly T[], url: URL, pageSize: number) {
  const asked = Number(url.searchParams.get("max_result") ?? pageSize);
  const size = Math.max(1, Math.min(pageSize, asked));
  const token = url.searchParams.get("next_token");
  const start = token === null ? 0 : Number(atob(token).replace(/^offset:/, ""));
  const end = start + size;
  return {
    items: items.slice(start, end),
    size,
    ...(end < items.length ? { nextToken: btoa(`offset:${end}`) } : {}),
  };
}

export function createFakeSsoPortal(validTokens: Set<string>) {
  const state: FakeSsoPortal = {
    accounts: exampleAccounts(),
    pageSize: 20,
    throttleEvery: 0,
    requests: 0,
    throttled: 0,
    mostAtOnce: 0,
  };
  let atOnce = 0;

  const answer = (request: Request, url: URL): Response => {
    state.requests++;
    if (state.throttleEvery > 0 && state.requests % state.throttleEvery === 0) {
      state.throttled++;
      return portalError(429, "TooManyRequestsException", "Too many requests");
    }
    const token = request.headers.get("x-amz-sso_bearer_token") ?? "";
    if (state.expireAfter !== undefined && state.requests > state.expireAfter) {
      validTokens.delete(token);
      delete state.expireAfter;
    }
    if (!validTokens.has(token)) {
      return portalError(401, "UnauthorizedException", "Session token not found or invalid");
    }
    if (state.answer === "error") return portalError(500, "InternalServerException", "Oops");
    if (state.answer === "huge") {
      const padding = " ".repeat(2 * 1024 * 1024);
      return new Response(`{"accountList": []${padding}}`, {
        headers: { "content-type": "application/json" },
      });
    }
    if (state.answer === "malformed") {
      return new Response("{ not json", { headers: { "content-type": "application/json" } });
    }
    if (url.pathname === "/assignment/accounts") {
      const { items, size, nextToken } = page(state.accounts, url, state.pageSize);
      const accountList = state.answer === "oversized"
        ? Array.from({ length: size * 10 }, (_, index) => ({
          accountId: String(200_000_000_000 + index),
          accountName: `Extra ${index}`,
        }))
        : items.map(({ roles: _, ...account }) => account);
      const next = state.answer === "loop" ? btoa("offset:0") : nextToken;
      return Response.json({ accountList, ...(next === undefined ? {} : { nextToken: next }) });
    }
    const account = state.accounts.find((account) =>
      account.accountId === url.searchParams.get("account_id")
    );
    if (account === undefined) {
      return portalError(404, "ResourceNotFoundException", "No access to this account");
    }
    const roles = account.roles.map((roleName) => ({ roleName, accountId: account.accountId }));
    const { items, nextToken } = page(roles, url, state.pageSize);
    return Response.json({ roleList: items, ...(nextToken === undefined ? {} : { nextToken }) });
  };

  /** The portal's answer to `request`, or `undefined` when it is not a listing request. */
  const handle = async (request: Request, url: URL): Promise<Response | undefined> => {
    if (
      request.method !== "GET" ||
      (url.pathname !== "/assignment/accounts" && url.pathname !== "/assignment/roles")
    ) {
      return undefined;
    }
    atOnce++;
    state.mostAtOnce = Math.max(state.mostAtOnce, atOnce);
    try {
      // A turn of the event loop, so that concurrent requests overlap as on a network.
      await new Promise((resolve) => setTimeout(resolve, 0));
      return answer(request, url);
    } finally {
      atOnce--;
    }
  };
  return { state, handle };
}
