/**
 * The links `aec console` opens besides the federation sign-in: a service's
 * console page (`--service`), the access portal's shortcut to an account and
 * role (`--via-portal`), and the link the Firefox extension "Open external
 * links in a container" opens in a container (`--firefox-container`). Pure,
 * and free of npm modules: the command line checks `--service` with it.
 *
 * @module
 */

import { closestWord } from "../support/mod.ts";

/**
 * Common services and their console paths, after the host
 * (`https://REGION.console.aws.amazon.com/`). Any other path works too.
 */
export const CONSOLE_SERVICES: Readonly<Record<string, string>> = {
  acm: "acm/home",
  apigateway: "apigateway/home",
  athena: "athena/home",
  bedrock: "bedrock/home",
  billing: "billing/home",
  cloudformation: "cloudformation/home",
  cloudfront: "cloudfront/home",
  cloudtrail: "cloudtrail/home",
  cloudwatch: "cloudwatch/home",
  codebuild: "codesuite/codebuild/home",
  codepipeline: "codesuite/codepipeline/home",
  costmanagement: "costmanagement/home",
  dynamodb: "dynamodbv2/home",
  ec2: "ec2/home",
  ecr: "ecr/home",
  ecs: "ecs/home",
  eks: "eks/home",
  elasticache: "elasticache/home",
  eventbridge: "events/home",
  glue: "glue/home",
  iam: "iam/home",
  kms: "kms/home",
  lambda: "lambda/home",
  logs: "cloudwatch/home#logsV2:log-groups",
  organizations: "organizations/home",
  rds: "rds/home",
  route53: "route53/home",
  s3: "s3/home",
  sagemaker: "sagemaker/home",
  secretsmanager: "secretsmanager/home",
  sns: "sns/home",
  sqs: "sqs/home",
  ssm: "systems-manager/home",
  sso: "singlesignon/home",
  stepfunctions: "states/home",
  vpc: "vpc/home",
};

// A console path: a service's folder, then more of the path, a query or a fragment.
const CONSOLE_PATH = /^[a-z0-9-]+(?:[/?#][\x21-\x7e]*)?$/i;

/**
 * Why `service` is not a `--service` value (a name of the table, or a
 * console path with a `/`), or `undefined` when it is one.
 */
export function serviceProblem(service: string): string | undefined {
  if (Object.hasOwn(CONSOLE_SERVICES, service.toLowerCase())) return undefined;
  if (service.includes("/") && CONSOLE_PATH.test(service.replace(/^\/+/, ""))) return undefined;
  const closest = closestWord(service.toLowerCase(), Object.keys(CONSOLE_SERVICES));
  return `--service takes a service name (ec2, s3, lambda, …: see docs/console.md) or a ` +
    `console path such as ec2/home#Instances; got '${service}'` +
    (closest ? `; did you mean ${closest}?` : "");
}

/**
 * The console page of `service` in `region` on the partition's console
 * host, with the region in its query (the console's own convention).
 */
export function serviceDestination(
  service: string,
  consoleHost: string,
  region: string | undefined,
): string {
  const path = CONSOLE_SERVICES[service.toLowerCase()] ?? service.replace(/^\/+/, "");
  const url = new URL(`https://${region === undefined ? "" : `${region}.`}${consoleHost}/${path}`);
  if (region !== undefined && !url.searchParams.has("region")) {
    url.searchParams.set("region", region);
  }
  return url.href;
}

/**
 * The access portal's shortcut link that signs in to `accountId` as
 * `roleName` (`https://START/#/console?account_id=…&role_name=…`), landing on
 * `destination` when given. The portal signs in with the browser's own
 * portal session, so in the console's multi-session mode the other accounts
 * stay signed in.
 */
export function portalLink(
  startUrl: string,
  accountId: string,
  roleName: string,
  destination?: string,
): string {
  const base = new URL(startUrl);
  base.hash = "";
  base.search = "";
  const query = new URLSearchParams({ account_id: accountId, role_name: roleName });
  if (destination !== undefined) query.set("destination", destination);
  return `${base.href.replace(/\/+$/, "")}/#/console?${query}`;
}

/** The container colours of the Firefox extension. */
export const CONTAINER_COLORS = [
  "blue",
  "turquoise",
  "green",
  "yellow",
  "orange",
  "red",
  "pink",
  "purple",
] as const;

/**
 * The colour of `profile`'s container: the same for a profile every time,
 * picked by a hash of its name (FNV-1a), so that accounts keep their colours.
 */
export function containerColor(profile: string): typeof CONTAINER_COLORS[number] {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(profile)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return CONTAINER_COLORS[hash % CONTAINER_COLORS.length]!;
}

/**
 * The `ext+container:` link that opens `url` in a Firefox container named
 * after `profile` (created, with its colour, when missing), as the extension
 * "Open external links in a container" reads it. It holds `url` whole: a
 * secret when `url` is a sign-in URL.
 */
export function firefoxContainerLink(url: string, profile: string): string {
  const query = new URLSearchParams({
    name: profile,
    color: containerColor(profile),
    icon: "fingerprint",
    url,
  });
  return `ext+container:${query}`;
}
