/**
 * A test-only AWS-shaped server on 127.0.0.1: STS (query protocol, XML) and the
 * SSO portal's GetRoleCredentials (JSON), IAM Identity Center's OIDC service
 * (fake_sso_oidc.ts), the portal's account listing (fake_sso_portal.ts), and the
 * console's federation endpoint (`/federation`,
 * for AWS_ENDPOINT_URL_SIGNIN). The SDK is pointed at it with AWS_ENDPOINT_URL_STS,
 * AWS_ENDPOINT_URL_SSO and AWS_ENDPOINT_URL_SSO_OIDC. It fails on purpose for:
 * - a role ARN containing `:role/denied` (AccessDenied),
 * - a request signed with temporary keys it issued that `refuseToken` names
 *   (ExpiredToken, InvalidClientTokenId: an ended or revoked session),
 * - an MFA TokenCode other than `123456`,
 * - a web identity token `bad-token`,
 * - an SSO bearer token other than `valid-sso-token` or one the OIDC fake issued,
 * - a request signed with an access key id containing `INVALID`, or deleted
 *   through the IAM fake (fake_iam.ts, for AWS_ENDPOINT_URL_IAM).
 */

import { createFakeIam, type FakeIam, IAM_VERSION } from "./fake_iam.ts";
import { createFakeSsoOidc, type FakeSsoOidc } from "./fake_sso_oidc.ts";
import { createFakeSsoPortal, type FakeSsoPortal } from "./fake_sso_portal.ts";

export const GOOD_MFA_CODE = "123456";
export const GOOD_SSO_TOKEN = "valid-sso-token";

/** How STS refuses a session's credentials: ended, or unknown (revoked). */
export type TokenRefusal = "ExpiredToken" | "InvalidClientTokenId";

export interface RecordedRequest {
  /** STS action (`AssumeRole`, …) or `GetRoleCredentials` for SSO. */
  action: string;
  params: Record<string, string>;
  /** The access key id that signed the request, if it was signed. */
  signedBy?: string;
}

export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface FakeAws {
  url: string;
  requests: RecordedRequest[];
  /** Credentials issued so far, by access key id; `chained` when temporary ones asked for them. */
  issued: Map<string, IssuedCredentials & { arn: string; chained: boolean }>;
  /** How long issued credentials last; tests may change it between calls. */
  lifetimeSeconds: number;
  /** While true, every AssumeRole is denied: an outage of the credential source. */
  denyAll: boolean;
  /**
   * While true, STS requests are recorded but never answered (until the server
   * closes): an endpoint that accepts connections and hangs.
   */
  hang: boolean;
  /**
   * The error STS answers for a request signed with temporary keys it issued
   * (by their access key id), as for a session that ended or was revoked.
   */
  refuseToken: (accessKeyId: string) => TokenRefusal | undefined;
  /** getSigninToken requests of the federation endpoint, in order. */
  signins: { accessKeyId: string; sessionDuration?: string }[];
  /**
   * A hostile federation endpoint: `trickle` answers 200 and then one byte
   * every 100 ms, without end; `huge` answers 200 with a 400 MB body.
   */
  federationAnswer?: "trickle" | "huge";
  /** IAM Identity Center's OIDC service and the portal's Logout, on the same server. */
  ssoOidc: FakeSsoOidc;
  /** IAM's access keys (requests with `Version=2010-05-08`), on the same server. */
  iam: FakeIam;
  /** The portal's ListAccounts and ListAccountRoles, for the same tokens. */
  ssoPortal: FakeSsoPortal;
  close(): Promise<void>;
}

const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";

function xmlResponse(body: string, status = 200): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": crypto.randomUUID() },
  });
}

function stsError(status: number, code: string, message: string): Response {
  return xmlResponse(
    `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${message}</Message></Error><RequestId>${crypto.randomUUID()}</RequestId>` +
      `</ErrorResponse>`,
    status,
  );
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A 200 whose body never ends (`trickle`) or is far too large (`huge`), made as it is read. */
function hostileAnswer(kind: "trickle" | "huge"): Response {
  const chunk = new Uint8Array(1024 * 1024).fill(0x20);
  let sent = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (kind === "huge") {
        if (sent >= 400) return controller.close();
        sent++;
        return controller.enqueue(chunk);
      }
      await new Promise((resolve) => timer = setTimeout(resolve, 100));
      controller.enqueue(new Uint8Array([0x20]));
    },
    cancel: () => clearTimeout(timer),
  });
  return new Response(body, { headers: { "content-type": "application/json" } });
}

export function startFakeAws(): FakeAws {
  let counter = 0;
  const oidc = createFakeSsoOidc([GOOD_SSO_TOKEN]);
  const iam = createFakeIam();
  const portal = createFakeSsoPortal(oidc.state.validTokens);
  const fake: FakeAws = {
    url: "",
    requests: [],
    issued: new Map(),
    lifetimeSeconds: 3600,
    denyAll: false,
    hang: false,
    refuseToken: () => undefined,
    ssoOidc: oidc.state,
    iam: iam.state,
    ssoPortal: portal.state,
    signins: [],
    close: async () => {},
  };

  const issue = (arn: string, chained = false, lifetimeSeconds = fake.lifetimeSeconds) => {
    counter++;
    const n = String(counter).padStart(4, "0");
    const credentials = {
      accessKeyId: `ASIAFAKE${n}EXAMPLE`,
      secretAccessKey: `fakeSecret${n}/wJalrXUtnFEMI/K7MDENGbPxRfiCY`,
      sessionToken: `fakeToken${n}+IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJGMEQCIFake==`,
      expiration: new Date(Date.now() + lifetimeSeconds * 1000),
    };
    fake.issued.set(credentials.accessKeyId, { ...credentials, arn, chained });
    return credentials;
  };

  const credentialsXml = (c: IssuedCredentials) =>
    `<Credentials><AccessKeyId>${c.accessKeyId}</AccessKeyId>` +
    `<SecretAccessKey>${c.secretAccessKey}</SecretAccessKey>` +
    `<SessionToken>${c.sessionToken}</SessionToken>` +
    `<Expiration>${isoSeconds(c.expiration)}</Expiration></Credentials>`;

  const wrap = (action: string, result: string) =>
    xmlResponse(
      `<${action}Response xmlns="${STS_NS}"><${action}Result>${result}</${action}Result>` +
        `<ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata>` +
        `</${action}Response>`,
    );

  const assumedRole = (roleArn: string, sessionName: string) => {
    const [, account = "123456789012", roleName = "role"] =
      /^arn:aws:iam::(\d+):role\/(.+)$/.exec(roleArn) ?? [];
    const arn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    return {
      arn,
      xml: `<AssumedRoleUser><AssumedRoleId>AROAFAKE:${sessionName}</AssumedRoleId>` +
        `<Arn>${arn}</Arn></AssumedRoleUser>`,
    };
  };

  const handleSts = (params: Record<string, string>, signedBy: string | undefined) => {
    const action = params.Action ?? "";
    if (iam.refuses(signedBy)) {
      return stsError(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
      );
    }
    const refusal = fake.issued.has(signedBy ?? "") ? fake.refuseToken(signedBy!) : undefined;
    if (refusal === "ExpiredToken") {
      return stsError(400, refusal, "The security token included in the request is expired");
    }
    if (refusal === "InvalidClientTokenId") {
      return stsError(403, refusal, "The security token included in the request is invalid.");
    }
    switch (action) {
      case "AssumeRole": {
        const roleArn = params.RoleArn ?? "";
        if (roleArn.includes(":role/denied") || fake.denyAll) {
          return stsError(
            403,
            "AccessDenied",
            `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
          );
        }
        if (params.SerialNumber !== undefined && params.TokenCode !== GOOD_MFA_CODE) {
          return stsError(
            403,
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
          );
        }
        const role = assumedRole(roleArn, params.RoleSessionName ?? "session");
        const chained = fake.issued.has(signedBy ?? "");
        return wrap(action, credentialsXml(issue(role.arn, chained)) + role.xml);
      }
      case "AssumeRoleWithWebIdentity": {
        if (params.WebIdentityToken === "bad-token" || !params.WebIdentityToken) {
          return stsError(400, "InvalidIdentityToken", "The web identity token is not valid");
        }
        const role = assumedRole(params.RoleArn ?? "", params.RoleSessionName ?? "web");
        return wrap(action, credentialsXml(issue(role.arn)) + role.xml);
      }
      case "GetSessionToken": {
        if (params.SerialNumber !== undefined && params.TokenCode !== GOOD_MFA_CODE) {
          return stsError(
            403,
            "AccessDenied",
            "MultiFactorAuthentication failed with invalid MFA one time pass code.",
          );
        }
        const user = fake.issued.get(signedBy ?? "")?.arn ?? iam.userArnOf(signedBy) ??
          `arn:aws:iam::123456789012:user/${signedBy ?? "anonymous"}`;
        // A session lasts as long as asked, as with STS.
        const lifetime = params.DurationSeconds ? Number(params.DurationSeconds) : undefined;
        return wrap(action, credentialsXml(issue(user, false, lifetime)));
      }
      case "GetFederationToken": {
        // Only long-term IAM user keys may ask, as with AWS.
        if (fake.issued.has(signedBy ?? "")) {
          return stsError(
            403,
            "AccessDenied",
            "Cannot call GetFederationToken with session credentials",
          );
        }
        const user = `arn:aws:sts::123456789012:federated-user/${params.Name ?? ""}`;
        return wrap(
          action,
          credentialsXml(issue(user)) +
            `<FederatedUser><Arn>${user}</Arn><FederatedUserId>123456789012:${params.Name}` +
            `</FederatedUserId></FederatedUser>`,
        );
      }
      case "GetCallerIdentity": {
        const arn = fake.issued.get(signedBy ?? "")?.arn ?? iam.userArnOf(signedBy) ??
          "arn:aws:iam::123456789012:user/static";
        return wrap(
          action,
          `<UserId>AIDAFAKE</UserId><Account>123456789012</Account><Arn>${arn}</Arn>`,
        );
      }
      default:
        return stsError(400, "InvalidAction", `Unknown action ${action}`);
    }
  };

  const handleSso = (url: URL, request: Request) => {
    const params = Object.fromEntries(url.searchParams);
    fake.requests.push({ action: "GetRoleCredentials", params });
    if (!fake.ssoOidc.validTokens.has(request.headers.get("x-amz-sso_bearer_token") ?? "")) {
      return Response.json({ message: "Session token not found or invalid" }, {
        status: 401,
        headers: { "x-amzn-errortype": "UnauthorizedException" },
      });
    }
    const arn = `arn:aws:sts::${params.account_id}:assumed-role/${params.role_name}/sso-user`;
    const c = issue(arn);
    return Response.json({
      roleCredentials: {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        sessionToken: c.sessionToken,
        expiration: c.expiration.getTime(),
      },
    });
  };

  // The console's federation endpoint, refusing what AWS refuses: long-term
  // keys, sessions of IAM users (GetSessionToken, MFA), and a SessionDuration
  // for role-chained or federated sessions.
  const signinTokens = new Set<string>();
  const federation = (url: URL): Response => {
    const params = url.searchParams;
    if (params.get("Action") === "login") {
      if (!signinTokens.has(params.get("SigninToken") ?? "")) {
        return new Response("bad sign-in token", { status: 400 });
      }
      return new Response(null, {
        status: 302,
        headers: { location: params.get("Destination") ?? "" },
      });
    }
    if (params.get("Action") !== "getSigninToken") return new Response("?", { status: 400 });
    if (fake.federationAnswer !== undefined) return hostileAnswer(fake.federationAnswer);
    let session: { sessionId?: string; sessionKey?: string; sessionToken?: string };
    try {
      session = JSON.parse(params.get("Session") ?? "");
    } catch {
      return new Response("bad session", { status: 400 });
    }
    const issued = fake.issued.get(session.sessionId ?? "");
    const duration = params.get("SessionDuration");
    fake.signins.push({
      accessKeyId: session.sessionId ?? "",
      ...(duration === null ? {} : { sessionDuration: duration }),
    });
    if (
      !issued || issued.secretAccessKey !== session.sessionKey ||
      issued.sessionToken !== session.sessionToken || /:user\//.test(issued.arn) ||
      (duration !== null && (issued.chained || /federated-user/.test(issued.arn)))
    ) {
      return new Response("<html>Bad Request</html>", { status: 400 });
    }
    const token = `signin-${crypto.randomUUID()}`;
    signinTokens.add(token);
    return Response.json({ SigninToken: token });
  };

  // Hung requests wait for this, so that the server can shut down.
  const closing = Promise.withResolvers<void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const url = new URL(request.url);
      if (request.method === "GET" && url.pathname === "/federation") return federation(url);
      const oidcResponse = await oidc.handle(request, url);
      if (oidcResponse) return oidcResponse;
      const portalResponse = await portal.handle(request, url);
      if (portalResponse) return portalResponse;
      if (request.method === "GET" && url.pathname === "/federation/credentials") {
        return handleSso(url, request);
      }
      if (request.method === "POST" && url.pathname === "/") {
        const params = Object.fromEntries(new URLSearchParams(await request.text()));
        const signedBy = /Credential=([^/]+)\//.exec(request.headers.get("authorization") ?? "")
          ?.[1];
        if (params.Version === IAM_VERSION) {
          return iam.handle(params, signedBy, fake.issued.get(signedBy ?? "")?.arn);
        }
        fake.requests.push({
          action: params.Action ?? "",
          params,
          ...(signedBy === undefined ? {} : { signedBy }),
        });
        if (fake.hang) await closing.promise;
        return handleSts(params, signedBy);
      }
      // Anything else (e.g. an instance metadata probe) finds nothing here.
      return new Response("not found", { status: 404 });
    },
  );
  fake.url = `http://127.0.0.1:${server.addr.port}`;
  fake.close = () => {
    closing.resolve();
    return server.shutdown();
  };
  return fake;
}
