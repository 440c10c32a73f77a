import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@delivery/infra';

/** docs/observability.md: every metric, recording rule, alert and dashboard, with what it means. */
export const observabilityDoc = join(repoRoot, 'docs/observability.md');

/**
 * The names (metrics, recording rules, alerts) that the table rows of one `## <title>` section
 * of docs/observability.md mention, as whole tokens: `http_server_request_duration_seconds_count`
 * does not stand for `http_server_request_duration_seconds`, nor prose for a table row.
 */
export function namesInTablesOf(title: string, markdown: string = readFileSync(observabilityDoc, 'utf8')): Set<string> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${title}`);
  if (start < 0) throw new Error(`docs/observability.md has no "## ${title}" section`);
  const next = lines.findIndex((line, i) => i > start && line.startsWith('## '));
  const rows = lines.slice(start + 1, next < 0 ? undefined : next).filter((line) => line.trimStart().startsWith('|'));
  return new Set(rows.flatMap((row) => row.match(/[A-Za-z_:][A-Za-z0-9_:]*/g) ?? []));
}

/** The metric families of a /metrics exposition, from its `# TYPE` lines (a histogram by its base name). */
export const metricFamilies = (exposition: string): string[] => [...exposition.matchAll(/^# TYPE (\S+) \S+$/gm)].map(([, name]) => name!);
