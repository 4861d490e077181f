/**
 * A test-only IAM (query protocol, XML) on fake_aws's server, for `aec keys
 * rotate`: CreateAccessKey, DeleteAccessKey and ListAccessKeys of the
 * caller's user, reached with AWS_ENDPOINT_URL_IAM. It keeps which user each
 * access key belongs to, so that fake STS answers GetCallerIdentity with that
 * user and refuses deleted keys, as AWS does.
 */

export const IAM_VERSION = "2010-05-08";
const IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/";
const ACCOUNT = "123456789012";
/** The user of a key the fake has never seen (fake STS's "static" user). */
export const DEFAULT_USER = "static";

export interface FakeIam {
  /** Live access keys: their user and secret. */
  keys: Map<string, { user: string; secret: string }>;
  /** Deleted access keys: STS refuses them. */
  deleted: Set<string>;
  /** While set, that IAM operation fails (ServiceFailure). */
  failing?: "CreateAccessKey" | "DeleteAccessKey";
  /** The IAM operations in order, each with the key that signed it. */
  calls: { action: string; signedBy: string | undefined; accessKeyId?: string }[];
}

function xml(body: string, status = 200): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": crypto.randomUUID() },
  });
}

function iamError(status: number, code: string, message: string): Response {
  return xml(
    `<ErrorResponse xmlns="${IAM_NS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
      `<Message>${message}</Message></Error><RequestId>${crypto.randomUUID()}</RequestId>` +
      `</ErrorResponse>`,
    status,
  );
}

function wrap(action: string, result: string): Response {
  return xml(
    `<${action}Response xmlns="${IAM_NS}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId></ResponseMetadata>` +
      `</${action}Response>`,
  );
}

export function createFakeIam() {
  const state: FakeIam = { keys: new Map(), deleted: new Set(), calls: [] };
  let counter = 0;
  const userOf = (accessKeyId: string | undefined) =>
    state.keys.get(accessKeyId ?? "")?.user ?? DEFAULT_USER;
  return {
    state,
    /** The ARN of the user an access key belongs to, when the fake knows the key. */
    userArnOf(accessKeyId: string | undefined): string | undefined {
      const user = state.keys.get(accessKeyId ?? "")?.user;
      return user === undefined ? undefined : `arn:aws:iam::${ACCOUNT}:user/${user}`;
    },
    /** Whether STS refuses requests signed with this key: deleted, or named INVALID. */
    refuses(accessKeyId: string | undefined): boolean {
      return state.deleted.has(accessKeyId ?? "") || (accessKeyId ?? "").includes("INVALID");
    },
    /** `sessionArn`: the user a session's key (from GetSessionToken) signs for. */
    handle(
      params: Record<string, string>,
      signedBy: string | undefined,
      sessionArn?: string,
    ): Response {
      const action = params.Action ?? "";
      state.calls.push({
        action,
        signedBy,
        ...(params.AccessKeyId === undefined ? {} : { accessKeyId: params.AccessKeyId }),
      });
      if (state.deleted.has(signedBy ?? "")) {
        return iamError(403, "InvalidClientTokenId", "The security token included is invalid.");
      }
      if (state.failing === action) {
        return iamError(500, "ServiceFailure", `${action} failed on purpose`);
      }
      const user = sessionArn?.match(/:user\/(.+)$/)?.[1] ?? userOf(signedBy);
      switch (action) {
        case "CreateAccessKey": {
          const owned = [...state.keys.values()].filter((key) => key.user === user).length;
          if (owned >= 2) {
            return iamError(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2");
          }
          counter++;
          const accessKeyId = `AKIANEWKEY${String(counter).padStart(10, "0")}`;
          const secret = `newSecret${counter}/K7MDENG/bPxRfiCYNEWKEYEXAMPLE`;
          state.keys.set(accessKeyId, { user, secret });
          return wrap(
            action,
            `<AccessKey><UserName>${user}</UserName><AccessKeyId>${accessKeyId}</AccessKeyId>` +
              `<Status>Active</Status><SecretAccessKey>${secret}</SecretAccessKey>` +
              `<CreateDate>${new Date().toISOString()}</CreateDate></AccessKey>`,
          );
        }
        case "DeleteAccessKey": {
          const id = params.AccessKeyId ?? "";
          if (userOf(id) !== user) {
            return iamError(404, "NoSuchEntity", `The Access Key with id ${id} cannot be found.`);
          }
          state.keys.delete(id);
          state.deleted.add(id);
          return wrap(action, "");
        }
        case "ListAccessKeys": {
          const members = [...state.keys].filter(([, key]) => key.user === user).map(([id]) =>
            `<member><UserName>${user}</UserName><AccessKeyId>${id}</AccessKeyId>` +
            `<Status>Active</Status></member>`
          );
          return wrap(
            action,
            `<AccessKeyMetadata>${members.join("")}</AccessKeyMetadata>` +
              `<IsTruncated>false</IsTruncated>`,
          );
        }
        default:
          return iamError(400, "InvalidAction", `Unknown action ${action}`);
      }
    },
  };
}
