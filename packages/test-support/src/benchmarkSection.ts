import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@delivery/infra';

/** Where every benchmark writes its results, each in a section of its own. */
export const BENCHMARKS_DOC = join(repoRoot, 'docs', 'benchmarks.md');

/**
 * Replaces one level-2 section of a markdown document (its heading up to the next level-2
 * heading), or appends it: the convention every benchmark writing docs/benchmarks.md keeps,
 * so that each rewrites only its own section (subsections are level 3).
 */
export function replaceSection(doc: string, heading: string, section: string): string {
  const body = section.endsWith('\n') ? section : `${section}\n`;
  const start = doc.startsWith(`${heading}\n`) ? 0 : doc.indexOf(`\n${heading}\n`) + 1;
  if (start === 0 && !doc.startsWith(`${heading}\n`)) return `${doc.trimEnd()}\n\n${body}`;
  const next = doc.indexOf('\n## ', start + heading.length);
  return doc.slice(0, start) + body + (next === -1 ? '' : `\n${doc.slice(next + 1)}`);
}

/**
 * Writes `section` (markdown whose first line is its level-2 heading) into `file` in place
 * of the section with that heading, keeping the others; creates the file if missing.
 * Returns the file written.
 */
export function writeBenchmarkSection(section: string, file = BENCHMARKS_DOC): string {
  const markdown = section.trim();
  const [heading = ''] = markdown.split('\n', 1);
  if (!heading.startsWith('## ')) throw new Error(`a benchmark section starts with its level-2 heading, not "${heading}"`);
  const doc = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  writeFileSync(file, replaceSection(doc, heading, markdown));
  return file;
}
