/**
 * Carries out a parsed command line and returns the exit code: each command
 * is a module of lib/commands/. An export is imported with this module, since
 * a cache hit must load as little as possible beyond it; the other commands
 * are loaded when run, so that `--version` and exports load none of them.
 */

import { type Cli, completionScript, helpText } from "./cli/mod.ts";
import { exportCommand } from "./commands/export.ts";
import { writeStdout } from "./output/mod.ts";
import { load, VERSION } from "./support/mod.ts";

export async function run(cli: Cli): Promise<number> {
  switch (cli.kind) {
    case "help":
      await writeStdout(helpText(cli.command));
      return 0;
    case "version":
      await writeStdout(`${VERSION}\n`);
      return 0;
    case "completions":
      await writeStdout(await completionScript(cli.shell));
      return 0;
    case "run":
      return await exportCommand(cli.options);
    case "login": {
      const { loginCommand } = await load<typeof import("./commands/login.ts")>(
        "commands/login.ts",
      );
      return await loginCommand(cli.options);
    }
    case "logout": {
      const { logoutCommand } = await load<typeof import("./commands/logout.ts")>(
        "commands/logout.ts",
      );
      return await logoutCommand(cli.options);
    }
    case "console": {
      const { consoleCommand } = await load<typeof import("./commands/console.ts")>(
        "commands/console.ts",
      );
      return await consoleCommand(cli.options);
    }
    case "keys": {
      const { keysCommand } = await load<typeof import("./commands/keys.ts")>("commands/keys.ts");
      return await keysCommand(cli.options);
    }
    case "pick": {
      const { pickCommand } = await load<typeof import("./commands/pick.ts")>("commands/pick.ts");
      return await pickCommand(cli.options);
    }
    case "sso-roles":
    case "sso-populate": {
      const { ssoPopulateCommand, ssoRolesCommand } = await load<
        typeof import("./commands/sso.ts")
      >("commands/sso.ts");
      return cli.kind === "sso-roles"
        ? await ssoRolesCommand(cli.options)
        : await ssoPopulateCommand(cli.options);
    }
    case "profiles": {
      const { profilesCommand } = await load<typeof import("./commands/profiles.ts")>(
        "commands/profiles.ts",
      );
      return await profilesCommand(cli.options);
    }
  }
}
