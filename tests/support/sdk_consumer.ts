/**
 * A real AWS SDK client for the credential servers' tests, run as a child
 * process because the SDK reads its environment when called. Prints one JSON
 * line on stdout: the credentials the SDK resolved, or the region for `region`.
 *
 * Usage: deno run -A tests/support/sdk_consumer.ts container|http|instance|chain|region
 *        deno run -A tests/support/sdk_consumer.ts twice MS
 * `twice` asks one default-chain provider, waits MS milliseconds and asks it again,
 * printing both access key ids: the SDK's own refresh decides whether they differ.
 * The SDK refreshes in the background and answers with the old credentials
 * meanwhile, so the second answer is the first that differs, within 3 seconds.
 */

import {
  fromContainerMetadata,
  fromHttp,
  fromInstanceMetadata,
  fromNodeProviderChain,
} from "@aws-sdk/credential-providers";
import { STSClient } from "@aws-sdk/client-sts";

const providers = {
  container: fromContainerMetadata,
  http: fromHttp,
  instance: fromInstanceMetadata,
  chain: fromNodeProviderChain,
};

const mode = Deno.args[0] ?? "";
if (mode === "twice") {
  const provider = fromNodeProviderChain();
  const first = await provider();
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(Number(Deno.args[1]));
  let second = await provider();
  for (let tries = 0; tries < 30 && second.accessKeyId === first.accessKeyId; tries++) {
    await sleep(100);
    second = await provider();
  }
  console.log(JSON.stringify([first.accessKeyId, second.accessKeyId]));
} else if (mode === "region") {
  // An unset region falls back to the instance metadata service.
  console.log(JSON.stringify({ region: await new STSClient({}).config.region() }));
} else if (mode in providers) {
  const credentials = await providers[mode as keyof typeof providers]()();
  console.log(JSON.stringify({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration?.toISOString(),
  }));
} else {
  console.error(`unknown mode '${mode}'`);
  Deno.exit(2);
}
