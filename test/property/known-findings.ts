/**
 * The known findings still being fixed (issue 9), in ONE place: a case whose
 * problems one of these predicates matches is counted under the finding's id
 * instead of failing the property. Remove an entry when its fix lands; every
 * case not listed here must pass. `PROPERTY_IGNORE_KNOWN=1` runs the
 * properties as if this list were empty.
 */

/** One known finding: its id and the cases (and problems) it explains. */
export interface KnownFinding {
  readonly id: string;
  /** The property family it applies to (`AgentPod`, `Overlay`, `kustomize`...). @default every family */
  readonly family?: string;
  /** True when this finding explains this problem of the case. */
  readonly matches: (c: any, problem: string) => boolean;
}

export const KNOWN_FINDINGS: KnownFinding[] = [];

/** The id of the known finding that explains this problem of the case, if any. */
export function knownFinding(family: string, c: unknown, problem: string): string | undefined {
  if (process.env.PROPERTY_IGNORE_KNOWN) return undefined;
  return KNOWN_FINDINGS.find(f => (f.family === undefined || f.family === family) && f.matches(c, problem))?.id;
}
