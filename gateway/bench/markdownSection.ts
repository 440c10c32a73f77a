/**
 * Replaces one level-2 section of a markdown document (its heading up to the next level-2
 * heading), or appends it: the convention every benchmark writing docs/benchmarks.md keeps,
 * so that each rewrites only its own section.
 */
export function replaceSection(doc: string, heading: string, section: string): string {
  const body = section.endsWith('\n') ? section : `${section}\n`;
  const start = doc.startsWith(`${heading}\n`) ? 0 : doc.indexOf(`\n${heading}\n`) + 1;
  if (start === 0 && !doc.startsWith(`${heading}\n`)) return `${doc.trimEnd()}\n\n${body}`;
  const next = doc.indexOf('\n## ', start + heading.length);
  return doc.slice(0, start) + body + (next === -1 ? '' : `\n${doc.slice(next + 1)}`);
}
