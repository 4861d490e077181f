/**
 * A test-only IAM Identity Center OIDC service (RegisterClient,
 * StartDeviceAuthorization, CreateToken for the device, authorization code
 * and refresh token grants, and the browser's `/authorize`), plus the
 * portal's Logout. It lives on fake_aws's server, so the portal there
 * accepts exactly the access tokens issued here.
 *
 * It checks what the real service checks: a registration with the grant
 * type, PKCE (`base64url(sha256(verifier)) == challenge`) and the same
 * redirect URI at `/authorize` and CreateToken.
 */

/** What the next device-code CreateToken answers; `ok` issues the token. */
export type DeviceStep = "pending" | "slow_down" | "expired" | "ok";

export interface FakeSsoOidc {
  /** Access tokens the portal accepts. */
  validTokens: Set<string>;
  /** Answers of device-code CreateToken calls, in order; when empty, `ok`. */
  deviceSteps: DeviceStep[];
  /** When set, `/authorize` redirects back with `error=` this instead of a code. */
  authorizeError?: string;
  /** How long issued access tokens last. */
  tokenLifetimeSeconds: number;
  /** Fields that replace those of StartDeviceAuthorization's answer (`interval`, `userCode`, …). */
  deviceAuthorization: Record<string, unknown>;
  /** Fields that replace those of every token CreateToken issues (`expiresIn`, `accessToken`, …). */
  tokenFields: Record<string, unknown>;
  /** Device-code CreateToken answers authorization_pending until this long after StartDeviceAuthorization. */
  pendingForMs: number;
  /** Operations in order: RegisterClient, StartDeviceAuthorization, CreateToken:<grant>, Authorize, Logout. */
  calls: string[];
  /** When each device-code CreateToken arrived (ms since the epoch). */
  devicePolls: number[];
}

interface Client {
  secret: string;
  grantTypes: string[];
  redirectUris: string[];
}

const encoder = new TextEncoder();

function oidcError(status: number, type: string, error: string): Response {
  return Response.json({ error, error_description: error }, {
    status,
    headers: { "x-amzn-errortype": type },
  });
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(verifier)));
  return btoa(String.fromCharCode(...digest)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

export function createFakeSsoOidc(initialTokens: string[]) {
  const state: FakeSsoOidc = {
    validTokens: new Set(initialTokens),
    deviceSteps: [],
    tokenLifetimeSeconds: 3600,
    deviceAuthorization: {},
    tokenFields: {},
    pendingForMs: 0,
    calls: [],
    devicePolls: [],
  };
  const clients = new Map<string, Client>();
  const codes = new Map<string, { clientId: string; challenge: string; redirectUri: string }>();
  const refreshTokens = new Map<string, string>();
  let counter = 0;
  let deviceStartedAt = 0;

  const issue = (clientId: string, withRefresh: boolean) => {
    counter++;
    const accessToken = `sso-access-${counter}-${crypto.randomUUID()}`;
    state.validTokens.add(accessToken);
    const body: Record<string, unknown> = {
      accessToken,
      tokenType: "Bearer",
      expiresIn: state.tokenLifetimeSeconds,
    };
    if (withRefresh) {
      const refreshToken = `sso-refresh-${counter}-${crypto.randomUUID()}`;
      refreshTokens.set(refreshToken, clientId);
      body.refreshToken = refreshToken;
    }
    return Response.json({ ...body, ...state.tokenFields });
  };

  const handleToken = async (body: Record<string, string>) => {
    const client = clients.get(body.clientId ?? "");
    state.calls.push(`CreateToken:${body.grantType}`);
    if (!client || client.secret !== body.clientSecret) {
      return oidcError(401, "InvalidClientException", "invalid_client");
    }
    if (body.grantType === "urn:ietf:params:oauth:grant-type:device_code") {
      state.devicePolls.push(Date.now());
      if (Date.now() - deviceStartedAt < state.pendingForMs) {
        return oidcError(400, "AuthorizationPendingException", "authorization_pending");
      }
      const step = state.deviceSteps.shift() ?? "ok";
      if (step === "pending") {
        return oidcError(400, "AuthorizationPendingException", "authorization_pending");
      }
      if (step === "slow_down") return oidcError(400, "SlowDownException", "slow_down");
      if (step === "expired") return oidcError(400, "ExpiredTokenException", "expired_token");
      return issue(body.clientId!, client.grantTypes.includes("refresh_token"));
    }
    if (body.grantType === "authorization_code") {
      const grant = codes.get(body.code ?? "");
      codes.delete(body.code ?? "");
      if (
        !grant || grant.clientId !== body.clientId || grant.redirectUri !== body.redirectUri ||
        await challengeOf(body.codeVerifier ?? "") !== grant.challenge
      ) {
        return oidcError(400, "InvalidGrantException", "invalid_grant");
      }
      return issue(body.clientId!, true);
    }
    if (body.grantType === "refresh_token") {
      if (refreshTokens.get(body.refreshToken ?? "") !== body.clientId) {
        return oidcError(400, "InvalidGrantException", "invalid_grant");
      }
      refreshTokens.delete(body.refreshToken!);
      return issue(body.clientId!, true);
    }
    return oidcError(400, "UnsupportedGrantTypeException", "unsupported_grant_type");
  };

  const authorize = (url: URL) => {
    state.calls.push("Authorize");
    const params = url.searchParams;
    const client = clients.get(params.get("client_id") ?? "");
    const redirectUri = params.get("redirect_uri") ?? "";
    const redirect = new URL(redirectUri);
    if (
      !client || !client.grantTypes.includes("authorization_code") ||
      params.get("response_type") !== "code" || params.get("code_challenge_method") !== "S256" ||
      redirect.hostname !== "127.0.0.1" ||
      !client.redirectUris.includes(
        `${redirect.protocol}//${redirect.hostname}${redirect.pathname}`,
      )
    ) {
      return new Response("bad authorization request", { status: 400 });
    }
    redirect.searchParams.set("state", params.get("state") ?? "");
    if (state.authorizeError) {
      redirect.searchParams.set("error", state.authorizeError);
    } else {
      const code = crypto.randomUUID();
      codes.set(code, {
        clientId: params.get("client_id")!,
        challenge: params.get("code_challenge") ?? "",
        redirectUri,
      });
      redirect.searchParams.set("code", code);
    }
    return new Response(null, { status: 302, headers: { location: redirect.href } });
  };

  /** Answers the request if it is one of this service's, else `undefined`. */
  const handle = async (request: Request, url: URL): Promise<Response | undefined> => {
    if (request.method === "GET" && url.pathname === "/authorize") return authorize(url);
    if (request.method !== "POST") return undefined;
    switch (url.pathname) {
      case "/client/register": {
        state.calls.push("RegisterClient");
        const body = await request.json();
        const clientId = `client-${crypto.randomUUID()}`;
        const secret = `client-secret-${crypto.randomUUID()}`;
        clients.set(clientId, {
          secret,
          grantTypes: body.grantTypes ?? ["urn:ietf:params:oauth:grant-type:device_code"],
          redirectUris: body.redirectUris ?? [],
        });
        return Response.json({
          clientId,
          clientSecret: secret,
          clientIdIssuedAt: Math.floor(Date.now() / 1000),
          clientSecretExpiresAt: Math.floor(Date.now() / 1000) + 90 * 86400,
        });
      }
      case "/device_authorization": {
        state.calls.push("StartDeviceAuthorization");
        deviceStartedAt = Date.now();
        return Response.json({
          deviceCode: crypto.randomUUID(),
          userCode: "ABCD-EFGH",
          verificationUri: `${url.origin}/device`,
          verificationUriComplete: `${url.origin}/device?user_code=ABCD-EFGH`,
          expiresIn: 600,
          interval: 1,
          ...state.deviceAuthorization,
        });
      }
      case "/token":
        return await handleToken(await request.json());
      case "/logout": {
        state.calls.push("Logout");
        state.validTokens.delete(request.headers.get("x-amz-sso_bearer_token") ?? "");
        return new Response(null, { status: 200 });
      }
      default:
        return undefined;
    }
  };

  return { state, handle };
}
