import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@delivery/infra';

const BEGIN = '<!-- read-model:begin (written by `npm run bench:read`; edit read-model/bench/run.ts instead) -->';
const END = '<!-- read-model:end -->';

/** Replaces the read model's section of docs/benchmarks.md (creates the file if missing), leaving the others alone. */
export function writeReadModelSection(markdown: string): string {
  const file = join(repoRoot, 'docs/benchmarks.md');
  const section = `${BEGIN}\n${markdown.trim()}\n${END}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nEach service writes its own section with its own `npm run bench:*` script.\n';
  const start = current.indexOf('<!-- read-model:begin');
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start ? current.slice(0, start) + section + current.slice(end + END.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  return file;
}
