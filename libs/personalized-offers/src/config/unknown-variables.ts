/** A `PLO_*` variable that is set but not read by the module. */
export interface UnknownVariable {
  /** The variable's name as set (its value is never read, let alone shown). */
  name: string;
  /** The closest known name, when one is close enough to be a typo of it. */
  suggestion?: string;
  /** The warning line: `PLO_BASEURL is not a known variable; did you mean PLO_BASE_URL?` */
  message: string;
}

/**
 * Every variable whose name starts with `PLO_` (any case) that is set (non-empty) and is not in
 * `known`, sorted by name, each with the closest known name by edit distance (Damerau–Levenshtein
 * on the upper-cased names; a reordering of the same words counts as a match too). Names only:
 * values are never read.
 */
export function findUnknownVariables(env: Record<string, string | undefined>, known: readonly string[]): UnknownVariable[] {
  const knownSet = new Set(known);
  return Object.keys(env)
    .filter((name) => /^PLO_/i.test(name) && !knownSet.has(name) && env[name] !== undefined && env[name] !== '')
    .sort()
    .map((name) => {
      const suggestion = closestName(name, known);
      return {
        name,
        ...(suggestion ? { suggestion } : {}),
        message: suggestion
          ? `${name} is not a known variable; did you mean ${suggestion}?`
          : `${name} is not a known variable of nestjs-personalized-offers; it is ignored.`,
      };
    });
}

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
      upper === candidate ? 0 : words(upper) === words(candidate) ? 1 : extends_(upper, candidate) || extends_(candidate, upper) ? 2 : editDistance(upper, candidate);
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
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
