/** Which profile aec resolves, chosen the way the AWS CLI chooses it. */

export interface ProfileChoice {
  name: string;
  /** Named by the user (flag or variable): it must then exist. */
  explicit: boolean;
  origin: "--profile" | "AWS_PROFILE" | "AWS_DEFAULT_PROFILE" | "default";
}

/**
 * `" named in AWS_PROFILE"` when a variable named the profile, which no
 * command line shows, for messages about it; else nothing.
 */
export function namedIn(origin: ProfileChoice["origin"] | undefined): string {
  return origin === "AWS_PROFILE" || origin === "AWS_DEFAULT_PROFILE" ? ` named in ${origin}` : "";
}

/** `--profile`, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`, else `default`. */
export function chooseProfile(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ProfileChoice {
  if (flag) return { name: flag, explicit: true, origin: "--profile" };
  for (const variable of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE"] as const) {
    const name = env[variable];
    if (name) return { name, explicit: true, origin: variable };
  }
  return { name: "default", explicit: false, origin: "default" };
}

/**
 * Whether the SDK's chain, which starts with the environment's keys, answers
 * instead of `[default]`: no profile was named and `AWS_ACCESS_KEY_ID` and
 * `AWS_SECRET_ACCESS_KEY` are set, as the AWS CLI and every SDK then do.
 */
export function defersToEnvironmentKeys(
  profile: ProfileChoice,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  return !profile.explicit && Boolean(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY);
}

/** The region exported: `--region`, else the profile's `region`, else the environment's. */
export function chooseRegion(
  flag: string | undefined,
  profileRegion: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return flag ?? profileRegion ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
}
