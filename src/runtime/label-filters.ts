// Docker's filters.Args matching: MatchKVList for `label` filters (every `key` or `key=value`
// must hold) and Match for `name`-like ones.

export function matchesEveryLabel(values: readonly string[], labels: Readonly<Record<string, string>>): boolean {
  return values.every((value) => {
    const equals = value.indexOf('=');
    const key = equals === -1 ? value : value.slice(0, equals);
    return Object.hasOwn(labels, key) && (equals === -1 || labels[key] === value.slice(equals + 1));
  });
}

/** filters.Args.Match: an exact value, or a regular expression found anywhere in the text. */
export function matchesAny(patterns: readonly string[], text: string): boolean {
  if (patterns.length === 0) return true;
  return patterns.some((pattern) => {
    if (pattern === text) return true;
    try {
      return new RegExp(pattern).test(text);
    } catch {
      return false;
    }
  });
}
