/**
 * The 1Password store, through the 1Password CLI (`op`, version 2.23 or
 * later): one API Credential item per profile, titled `aec PROFILE` and
 * tagged `aec`, the access key id as its username and the secret as its
 * credential, in the vault `AEC_1PASSWORD_VAULT` names (else op's default).
 * Items are written as JSON on op's stdin (`op item create -`, `op item
 * edit`), as 1Password advises for secrets; never as arguments. op asks to
 * unlock 1Password (the app, or `op signin`) as it does for any command.
 *
 * @module
 */

import { CredentialError, findProgram, registerSecret } from "../support/mod.ts";
import { keysProblem, type KeyStore, type StoreContext, type StoredEntry } from "./store.ts";
import { runTool, toolFailure, type ToolResult } from "./tool.ts";

const TAG = "aec";
const TITLE_PREFIX = "aec ";
const NOT_FOUND = /isn't an item/;

interface Field {
  id?: string;
  type?: string;
  label?: string;
  value?: string;
}
interface Item {
  id?: string;
  title?: string;
  fields?: Field[];
  [other: string]: unknown;
}

export function createOnePasswordStore({ env, os }: StoreContext): KeyStore {
  const vault = env.AEC_1PASSWORD_VAULT ? ["--vault", env.AEC_1PASSWORD_VAULT] : [];
  const title = (profile: string) => TITLE_PREFIX + profile;
  const op = async (args: string[], stdin?: string): Promise<ToolResult> => {
    const program = findProgram("op", env, os) ?? "op";
    return await runTool(
      "1password",
      program,
      args,
      stdin === undefined ? { env } : { env, stdin },
    );
  };
  const json = (result: ToolResult, doing: string): unknown => {
    try {
      return JSON.parse(result.stdout);
    } catch {
      throw new CredentialError(`The 1password store could not ${doing}: op answered no JSON`);
    }
  };
  /** The profile's item, fields and secret included; `undefined` when there is none. */
  const item = async (profile: string): Promise<Item | undefined> => {
    const doing = `read the keys of profile ${profile}`;
    const result = await op(["item", "get", title(profile), ...vault, "--format", "json"]);
    if (result.code !== 0) {
      if (NOT_FOUND.test(result.stderr)) return undefined;
      throw toolFailure("1password", doing, result);
    }
    return json(result, doing) as Item;
  };
  const keysOf = (found: Item, profile: string) => {
    const field = (id: string) => found.fields?.find((f) => f.id === id)?.value;
    const keys = {
      accessKeyId: field("username") ?? "",
      secretAccessKey: field("credential") ?? "",
    };
    registerSecret(keys.secretAccessKey);
    const problem = keysProblem(keys);
    if (problem) {
      throw new CredentialError(
        `1Password item '${title(profile)}' holds keys aec cannot use: ${problem}`,
      );
    }
    return keys;
  };
  return {
    name: "1password",
    location: `1Password${env.AEC_1PASSWORD_VAULT ? ` vault ${env.AEC_1PASSWORD_VAULT}` : ""}`,
    available() {
      if (findProgram("op", env, os) === undefined) {
        return Promise.resolve(
          "op (the 1Password CLI) is not installed: see " +
            "https://developer.1password.com/docs/cli/get-started",
        );
      }
      return Promise.resolve(undefined);
    },
    async get(profile) {
      const found = await item(profile);
      return found && keysOf(found, profile);
    },
    async put(profile, keys) {
      const doing = `store the keys of profile ${profile}`;
      const existing = await item(profile);
      const fields = [
        { id: "username", type: "STRING", label: "username", value: keys.accessKeyId },
        { id: "credential", type: "CONCEALED", label: "credential", value: keys.secretAccessKey },
      ];
      const result = existing?.id
        ? await op(
          ["item", "edit", existing.id, ...vault, "--format", "json"],
          JSON.stringify({
            ...existing,
            fields: [
              ...(existing.fields ?? []).filter((f) =>
                f.id !== "username" && f.id !== "credential"
              ),
              ...fields,
            ],
          }),
        )
        : await op(
          ["item", "create", "-", ...vault, "--format", "json"],
          JSON.stringify({
            title: title(profile),
            category: "API_CREDENTIAL",
            tags: [TAG],
            fields,
          }),
        );
      if (result.code !== 0) throw toolFailure("1password", doing, result);
    },
    async remove(profile) {
      const result = await op(["item", "delete", title(profile), ...vault]);
      if (result.code === 0) return true;
      if (NOT_FOUND.test(result.stderr)) return false;
      throw toolFailure("1password", `remove the keys of profile ${profile}`, result);
    },
    async list() {
      const doing = "list the keys";
      const result = await op(["item", "list", "--tags", TAG, ...vault, "--format", "json"]);
      if (result.code !== 0) throw toolFailure("1password", doing, result);
      const items = json(result, doing);
      const entries: StoredEntry[] = [];
      for (const listed of Array.isArray(items) ? items as Item[] : []) {
        if (!listed.title?.startsWith(TITLE_PREFIX)) continue;
        const profile = listed.title.slice(TITLE_PREFIX.length);
        const found = await item(profile);
        if (found) entries.push({ profile, accessKeyId: keysOf(found, profile).accessKeyId });
      }
      return entries.sort((a, b) => a.profile.localeCompare(b.profile));
    },
  };
}
