/**
 * Turns a request target into the path the route table matches and the upstream receives,
 * so that no crafted path reaches an upstream it isn't routed to:
 * - percent-encoded dots (`%2e`) are decoded, then `.` and `..` segments are resolved
 *   (RFC 3986 remove_dot_segments) and empty segments (`//`) collapsed;
 * - what an upstream could still decode into a separator or a dot segment is refused:
 *   encoded `/` and `\` (`%2f`, `%5c`), double encoding (`%25`), raw `\`, NUL and control
 *   characters, a `..` that climbs above the root, and fragments.
 * The query string is passed through unchanged.
 */
export interface NormalisedTarget {
  /** Path to match and to send upstream. */
  path: string;
  /** `?` and everything after it, or ''. */
  search: string;
}

// Anything that needs more than a plain split: %, backslash, "//", "/." and control characters.
// eslint-disable-next-line no-control-regex -- control characters are what these look for
const NEEDS_WORK = /%|\\|\/\/|\/\.|[\x00-\x1f\x7f]/;
const REFUSED_ESCAPE = /%(?:2f|5c|25|00)/i;
const ESCAPED_DOT = /%2e/gi;
// eslint-disable-next-line no-control-regex -- see above
const UNSAFE_CHAR = /[\\\x00-\x1f\x7f#]/;

export function normalisePath(target: string): NormalisedTarget | undefined {
  let path = target;
  let search = '';
  if (path.charCodeAt(0) !== 47 /* / */) {
    const absolute = absoluteFormPath(target);
    if (absolute === undefined) return undefined;
    path = absolute;
  }
  const q = path.indexOf('?');
  if (q !== -1) {
    search = path.slice(q);
    path = path.slice(0, q);
  }
  if (path.indexOf('#') !== -1) return undefined;
  if (!NEEDS_WORK.test(path)) return { path, search };
  if (REFUSED_ESCAPE.test(path) || UNSAFE_CHAR.test(path)) return undefined;
  const resolved = removeDotSegments(path.replace(ESCAPED_DOT, '.'));
  return resolved === undefined ? undefined : { path: resolved, search };
}

/** Absolute-form request targets (`http://host/path`), which HTTP/1.1 servers must accept. */
function absoluteFormPath(target: string): string | undefined {
  if (!/^https?:\/\//i.test(target)) return undefined;
  try {
    const url = new URL(target);
    return url.pathname + url.search;
  } catch {
    return undefined;
  }
}

/** Collapses empty segments and resolves `.`/`..`; undefined when `..` climbs above the root. */
function removeDotSegments(path: string): string | undefined {
  const output: string[] = [];
  const segments = path.split('/');
  const last = segments.length - 1;
  for (let i = 1; i <= last; i++) {
    const segment = segments[i] ?? '';
    if (segment === '..') {
      if (output.length === 0) return undefined;
      output.pop();
    } else if (segment !== '.' && segment !== '') {
      output.push(segment);
    }
  }
  // A trailing slash, "/." or "/.." keeps the result a directory-style path.
  const trailing = segments[last] === '' || segments[last] === '.' || segments[last] === '..';
  return '/' + output.join('/') + (trailing && output.length > 0 ? '/' : '');
}
