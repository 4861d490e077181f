/**
 * What aec accepts of IAM Identity Center's OIDC answers before it prints,
 * polls or stores anything. The SDK hands the JSON on as it came: a number
 * where text belongs, a negative lifetime, escape sequences in a URL.
 *
 * @module
 */

import {
  CredentialError,
  hasControlCharacter,
  isoSeconds,
  registerSecret,
} from "../support/mod.ts";

// RFC 8628: 5 s when the service names no interval, 5 s more after each slow_down.
const DEFAULT_INTERVAL_MS = 5_000;
const SLOW_DOWN_MS = 5_000;
// Never a tight loop, and never so slow that a confirmed sign-in (10 minutes at most) waits long.
const MIN_INTERVAL_MS = 1_000;
const MAX_INTERVAL_MS = 60_000;
// Sessions last 90 days at most: a token said to last longer is a broken answer.
const MAX_TOKEN_SECONDS = 366 * 86_400;
// What IAM Identity Center's user codes are made of (`ABCD-EFGH`).
const USER_CODE = /^[A-Za-z0-9-]{1,64}$/;
// Visible ASCII only: no control character, escape sequence, space or look-alike letter.
const URL_CHARACTERS = /^[\x21-\x7e]+$/;
const LOOPBACK_HOSTS = ["127.0.0.1", "[::1]", "localhost"];

/** How long to wait between polls when the service asks for `seconds`. */
export function pollInterval(seconds: unknown): number {
  return typeof seconds === "number" && Number.isFinite(seconds)
    ? clampInterval(seconds * 1000)
    : DEFAULT_INTERVAL_MS;
}

/** The interval after a slow_down. */
export function slowerInterval(intervalMs: number): number {
  return clampInterval(intervalMs + SLOW_DOWN_MS);
}

function clampInterval(intervalMs: number): number {
  return Math.min(Math.max(intervalMs, MIN_INTERVAL_MS), MAX_INTERVAL_MS);
}

/** A StartDeviceAuthorization answer as aec uses it: safe to print, open and poll. */
export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  /** The URL to show and open: `verificationUriComplete`, else `verificationUri`. */
  url: string;
  intervalMs: number;
}

/**
 * Checks a StartDeviceAuthorization answer.
 *
 * @throws {CredentialError} when a field is missing, or the URL or code is not safe to show.
 */
export function checkDeviceAuthorization(answer: {
  deviceCode?: unknown;
  userCode?: unknown;
  verificationUri?: unknown;
  verificationUriComplete?: unknown;
  interval?: unknown;
}): DeviceAuthorization {
  const { deviceCode, userCode, verificationUri, verificationUriComplete } = answer;
  if (typeof deviceCode !== "string" || !deviceCode || !userCode || !verificationUri) {
    throw new CredentialError("IAM Identity Center returned an incomplete device authorization");
  }
  if (typeof userCode !== "string" || !USER_CODE.test(userCode)) {
    throw new CredentialError(
      "IAM Identity Center returned a sign-in code that is not letters, digits and dashes",
    );
  }
  const url = safeUrl(verificationUri);
  const complete = verificationUriComplete ?? undefined;
  const completeUrl = complete === undefined ? url : safeUrl(complete);
  if (url === undefined || completeUrl === undefined) {
    throw new CredentialError(
      "IAM Identity Center returned a sign-in URL that is not a plain https:// URL",
    );
  }
  return { deviceCode, userCode, url: completeUrl, intervalMs: pollInterval(answer.interval) };
}

/** `text` as a URL to print and open, if it is https:// (or http:// to this machine) and plain. */
function safeUrl(text: unknown): string | undefined {
  if (typeof text !== "string" || !URL_CHARACTERS.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  // `https://portal.example@elsewhere/` shows one host and opens another.
  if (url.username || url.password) return undefined;
  const secure = url.protocol === "https:" ||
    (url.protocol === "http:" && LOOPBACK_HOSTS.includes(url.hostname));
  return secure ? url.href : undefined;
}

/** The fields of a token file that a CreateToken answer gives. */
export interface TokenAnswer {
  accessToken: string;
  expiresAt: string;
  refreshToken?: string;
}

/**
 * Checks a CreateToken answer (any grant) and turns it into token file fields.
 * Its secrets are registered for redaction.
 *
 * @throws {CredentialError} when the answer is not a token aec can store.
 */
export function checkTokenAnswer(
  answer: {
    accessToken?: unknown;
    expiresIn?: unknown;
    refreshToken?: unknown;
    tokenType?: unknown;
  },
  now = Date.now(),
): TokenAnswer {
  const { accessToken, expiresIn, refreshToken, tokenType } = answer;
  const refuse = (problem: string) =>
    new CredentialError(`IAM Identity Center returned a token aec cannot use: ${problem}`);
  if (!isText(accessToken)) throw refuse("accessToken is missing or not text");
  registerSecret(accessToken);
  if (typeof expiresIn !== "number" || !(expiresIn > 0)) {
    throw refuse("expiresIn is not a positive number of seconds");
  }
  if (expiresIn > MAX_TOKEN_SECONDS) throw refuse("expiresIn is more than a year");
  const checked: TokenAnswer = {
    accessToken,
    expiresAt: isoSeconds(new Date(now + expiresIn * 1000)),
  };
  if (refreshToken !== undefined && refreshToken !== null) {
    if (!isText(refreshToken)) throw refuse("refreshToken is empty or not text");
    registerSecret(refreshToken);
    checked.refreshToken = refreshToken;
  }
  // The SDKs send the token as a bearer token; one of another type would not work.
  if (
    tokenType !== undefined && tokenType !== null &&
    (typeof tokenType !== "string" || tokenType.toLowerCase() !== "bearer")
  ) {
    throw refuse("tokenType is not Bearer");
  }
  return checked;
}

/** The fields of a client registration that a RegisterClient answer gives. */
export interface RegistrationAnswer {
  clientId: string;
  clientSecret: string;
  expiresAt: string;
}

/**
 * Checks a RegisterClient answer. Its secret is registered for redaction.
 *
 * @throws {CredentialError} when the answer is not a registration aec can store.
 */
export function checkRegistration(
  answer: { clientId?: unknown; clientSecret?: unknown; clientSecretExpiresAt?: unknown },
  now = Date.now(),
): RegistrationAnswer {
  const { clientId, clientSecret, clientSecretExpiresAt } = answer;
  if (!isText(clientId) || !isText(clientSecret)) {
    throw new CredentialError("IAM Identity Center returned an incomplete client registration");
  }
  registerSecret(clientSecret);
  const expires = typeof clientSecretExpiresAt === "number"
    ? new Date(clientSecretExpiresAt * 1000)
    : undefined;
  // Also NaN for a time past what a Date holds.
  if (expires === undefined || !(expires.getTime() > now)) {
    throw new CredentialError(
      "IAM Identity Center returned a client registration without a usable expiry",
    );
  }
  return { clientId, clientSecret, expiresAt: isoSeconds(expires) };
}

/** A non-empty string that any header, file or line carries intact. */
function isText(value: unknown): value is string {
  return typeof value === "string" && value !== "" && !hasControlCharacter(value);
}
