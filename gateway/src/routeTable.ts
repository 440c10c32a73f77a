/**
 * The gateway's own route matching (express path strings reject `/**`): patterns are
 * compiled once per load into string comparisons (or an anchored RegExp when they hold a
 * `*` segment) and tried most specific first, so a lookup is a few `startsWith` calls.
 */
export type PathMatcher = (path: string) => boolean;

interface Entry<T> {
  matches: PathMatcher;
  literalSegments: number;
  exact: boolean;
  wildcards: number;
  index: number;
  value: T;
}

export class RouteTable<T> {
  private readonly entries: readonly Entry<T>[];

  constructor(routes: readonly { path: string; value: T }[]) {
    this.entries = routes
      .map(({ path, value }, index) => ({ ...describe(path), matches: compilePattern(path), index, value }))
      .sort(
        (a, b) =>
          b.literalSegments - a.literalSegments ||
          Number(b.exact) - Number(a.exact) ||
          a.wildcards - b.wildcards ||
          a.index - b.index,
      );
  }

  /** The most specific route whose pattern matches a normalised path. */
  match(path: string): T | undefined {
    for (const entry of this.entries) if (entry.matches(path)) return entry.value;
    return undefined;
  }
}

export function compilePattern(pattern: string): PathMatcher {
  const everythingBelow = pattern.endsWith('/**');
  const base = everythingBelow ? pattern.slice(0, -3) : pattern;
  if (!base.includes('*')) {
    if (!everythingBelow) return (path) => path === base || path === `${base}/`;
    if (base === '') return () => true;
    const below = `${base}/`;
    return (path) => path === base || path.startsWith(below);
  }
  const body = base
    .split('/')
    .map((segment) => (segment === '*' ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  const regex = new RegExp(`^${body}${everythingBelow ? '(?:/.*)?' : '/?'}$`);
  return (path) => regex.test(path);
}

function describe(pattern: string): Pick<Entry<unknown>, 'literalSegments' | 'exact' | 'wildcards'> {
  const segments = pattern.split('/').filter(Boolean);
  return {
    literalSegments: segments.filter((s) => s !== '*' && s !== '**').length,
    exact: !pattern.endsWith('/**'),
    wildcards: segments.filter((s) => s === '*').length,
  };
}
