import denoConfig from "../../deno.json" with { type: "json" };

/** aec's version, from deno.json. */
export const VERSION: string = denoConfig.version;
