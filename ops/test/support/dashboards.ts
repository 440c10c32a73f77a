import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { repoRoot, shippedRuleFiles } from '@delivery/infra';
import type { ProvisionedDashboard } from './dashboardSchema.ts';

/** ops/grafana/: provisioning (datasource, dashboard provider) and the dashboards' JSON. */
export const grafanaOpsDir = join(repoRoot, 'ops/grafana');
export const dashboardsDir = join(grafanaOpsDir, 'dashboards');

export const dashboardFiles = (): string[] =>
  readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(dashboardsDir, f));

export const readDashboard = (file: string): ProvisionedDashboard => JSON.parse(readFileSync(file, 'utf8')) as ProvisionedDashboard;

/** One PromQL expression of a dashboard, and where it is (for messages). */
export interface DashboardQuery {
  where: string;
  expr: string;
}

/**
 * Every PromQL expression of a dashboard: each panel query, and the series selector of each
 * template variable's `label_values(<selector>, <label>)`.
 */
export function dashboardQueries(file: string): DashboardQuery[] {
  const dashboard = readDashboard(file);
  const name = file.slice(dashboardsDir.length + 1);
  const panels = dashboard.panels.flatMap((panel) =>
    panel.type === 'row' ? [] : panel.targets.map((t) => ({ where: `${name} "${panel.title}" ${t.refId}`, expr: t.expr })),
  );
  const variables = dashboard.templating.list.flatMap((variable) => {
    const match = /^label_values\((.+),\s*[a-zA-Z_]\w*\)$/s.exec(variable.query.query.trim());
    if (match === null) throw new Error(`${name}: variable ${variable.name}: only label_values(<selector>, <label>) is supported, got ${variable.query.query}`);
    return [{ where: `${name} variable $${variable.name}`, expr: match[1]! }];
  });
  return [...panels, ...variables];
}

/** Grafana's own variables that may appear in a query, with the value used to parse and evaluate it. */
const BUILT_IN: Record<string, string> = { __rate_interval: '1m', __interval: '1m', __range: '5m', __interval_ms: '60000', __range_ms: '300000', __range_s: '300' };
const VARIABLE = /\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]/g;

/** The template variables an expression names (`$x`, `${x}`, `${x:fmt}`, `[[x]]`), built-in ones included. */
export const templateVariablesIn = (expr: string): string[] => [...expr.matchAll(VARIABLE)].map((m) => (m[1] ?? m[2] ?? m[3])!);

export const isBuiltInVariable = (name: string): boolean => name in BUILT_IN;

/**
 * The expression as Prometheus would get it: Grafana's interval variables become durations,
 * the dashboard's own variables `.*` (they only appear inside `=~` regex matchers, as "All").
 */
export const withTemplateVariables = (expr: string): string =>
  expr.replace(VARIABLE, (_match, a?: string, b?: string, c?: string) => BUILT_IN[(a ?? b ?? c)!] ?? '.*');

export interface ParsedPromQL {
  /** One entry per error node of the syntax tree: where, and the text around it. */
  errors: string[];
  /** The metric names the expression selects (`name{...}` and `{__name__="name"}`). */
  metricNames: string[];
}

/** Parses PromQL with Prometheus' own lezer grammar (the one of its web UI). */
export function parsePromQL(expr: string): ParsedPromQL {
  const errors: string[] = [];
  const metricNames = new Set<string>();
  const text = (from: number, to: number) => expr.slice(from, to);
  parser.parse(expr).iterate({
    enter: (node) => {
      if (node.type.isError) {
        errors.push(`at ${node.from}: …${text(Math.max(0, node.from - 20), node.to + 20)}…`);
      } else if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') {
        metricNames.add(text(node.from, node.to));
      } else if (node.name === 'UnquotedLabelMatcher') {
        const matcher = /^__name__\s*=\s*"([^"]+)"$/.exec(text(node.from, node.to));
        if (matcher !== null) metricNames.add(matcher[1]!);
      }
    },
  });
  return { errors, metricNames: [...metricNames].sort() };
}

/**
 * The metric names a /metrics exposition exports, from its `# TYPE` lines (prom-client writes
 * them for every registered metric, even one with labels and no series yet): a histogram is
 * queried as `_bucket`, `_sum` and `_count`, a summary as itself, `_sum` and `_count`.
 */
export function exportedMetricNames(exposition: string): string[] {
  return [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) => {
    if (type === 'histogram') return [`${name!}_bucket`, `${name!}_sum`, `${name!}_count`];
    if (type === 'summary') return [name!, `${name!}_sum`, `${name!}_count`];
    return [name!];
  });
}

/** The series names the shipped recording rules (ops/prometheus/rules/*.yml) produce. */
export function recordedMetricNames(): string[] {
  const files = shippedRuleFiles().map((file) => parse(readFileSync(file, 'utf8')) as { groups: { rules: { record?: string }[] }[] });
  return [...new Set(files.flatMap((f) => f.groups.flatMap((g) => g.rules.flatMap((r) => (r.record === undefined ? [] : [r.record])))))];
}

/** The series Prometheus itself adds for every scrape target. */
export const SCRAPE_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'];
