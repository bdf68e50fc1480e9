/** A `PLO_*` variable that is set but not read by the module. */
export interface UnknownVariable {
  /** The variable's name as set (its value is never read, let alone shown). */
  name: string;
  /** The closest known name, when one is close enough to be a typo of it. */
  suggestion?: string;
  /** The warning line: `PLO_BASEURL is not a known variable; did you mean PLO_BASE_URL?` */
  message: string;
}

/** Which variables one loader answers for, when several prefixes are in use. */
export interface UnknownVariableScope {
  /** The prefix of the loader asking; `known` are the names it reads. @default 'PLO_' */
  prefix?: string;
  /**
   * The other prefixes in use (`PLO_` among them, for a prefixed loader), each with the names it
   * reads: a variable under one of them (and under no longer one of this loader) is theirs to report.
   */
  others?: ReadonlyArray<{
    /** The other loader's prefix (`PLO_BANK_A_`). */
    prefix: string;
    /** The variable names that loader reads. */
    known: readonly string[];
  }>;
}

/**
 * Every variable whose name starts with `PLO_` (any case) that is set (non-empty) and is not in
 * `known`, sorted by name, each with the closest known name by edit distance (Damerau–Levenshtein
 * on the upper-cased names; a reordering of the same words counts as a match too). Names only:
 * values are never read.
 *
 * With a `scope`, the variables are shared out between the loaders of several prefixes, so that
 * each is reported once: one under a prefix other than `PLO_` (the longest that matches) belongs
 * to that prefix's loader, and its suggestion is taken among that prefix's names
 * (`PLO_BANK_A_FDI`: did you mean `PLO_BANK_A_FID`?); any other `PLO_*` one is the default
 * (`PLO_`) loader's, with the closest known name of every prefix (`PLO_BANKA_FID`: did you mean
 * `PLO_BANK_A_FID`?). A prefixed loader never reports a variable outside its prefix. The known
 * names of every prefix are never reported.
 */
export function findUnknownVariables(env: Record<string, string | undefined>, known: readonly string[], scope: UnknownVariableScope = {}): UnknownVariable[] {
  const prefix = scope.prefix ?? ROOT;
  const others = (scope.others ?? []).filter((o) => o.prefix !== prefix);
  const owners = new Map<string, string>();
  for (const other of others) for (const name of other.known) owners.set(name, other.prefix);
  for (const name of known) owners.set(name, prefix);
  const everyKnown = [...owners.keys()];
  // The prefixes that claim their variables outright (PLO_ itself claims only by closeness).
  const claiming = [prefix, ...others.map((o) => o.prefix)].filter((p) => p !== ROOT).sort((a, b) => b.length - a.length);
  const found: UnknownVariable[] = [];
  for (const name of Object.keys(env).sort()) {
    if (owners.has(name) || env[name] === undefined || env[name] === '') continue;
    const upper = name.toUpperCase();
    const claimant = claiming.find((p) => upper.startsWith(p));
    let suggestion: string | undefined;
    if (claimant !== undefined) {
      if (claimant !== prefix) continue;
      // Judged as the same name under PLO_, so that a long prefix does not widen a typo's reach.
      const near = closestName(
        ROOT + upper.slice(prefix.length),
        known.map((k) => (k.startsWith(prefix) ? ROOT + k.slice(prefix.length) : k)),
      );
      suggestion = near === undefined ? undefined : prefix + near.slice(ROOT.length);
    } else {
      // Under no other prefix: the default loader's to report, pointing at the closest name of all.
      if (prefix !== ROOT || !upper.startsWith(ROOT)) continue;
      suggestion = closestName(name, everyKnown);
    }
    found.push({
      name,
      ...(suggestion ? { suggestion } : {}),
      message: suggestion
        ? `${name} is not a known variable; did you mean ${suggestion}?`
        : `${name} is not a known variable of nestjs-personalized-offers; it is ignored.`,
    });
  }
  return found;
}

const ROOT = 'PLO_';

/**
 * The known name closest to `name`, if it is within a typo's reach: at most a third of the longer
 * name (after `PLO_`) in edits, at least 2; the same words in another order, or one name plus
 * trailing words of the other, count as close.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const upper = name.toUpperCase();
  const words = (s: string) => s.split('_').filter(Boolean).sort().join('_');
  const extends_ = (long: string, short: string) => long.startsWith(`${short}_`);
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance =
      upper === candidate
        ? 0
        : words(upper) === words(candidate)
          ? 1
          : extends_(upper, candidate) || extends_(candidate, upper)
            ? 2
            : editDistance(upper, candidate);
    // The shared `PLO_` does not make a name longer for this purpose.
    const allowed = Math.max(2, Math.floor((Math.max(upper.length, candidate.length) - 4) / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2][j - 2] + 1);
      d[i][j] = value;
    }
  }
  return d[a.length][b.length];
}
