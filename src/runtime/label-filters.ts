// Docker's MatchKVList, which its `label` filters use: every `key` or `key=value` must hold.

export function matchesEveryLabel(values: readonly string[], labels: Readonly<Record<string, string>>): boolean {
  return values.every((value) => {
    const equals = value.indexOf('=');
    const key = equals === -1 ? value : value.slice(0, equals);
    return Object.hasOwn(labels, key) && (equals === -1 || labels[key] === value.slice(equals + 1));
  });
}
