import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { repoRoot } from '../state.ts';

/** The shipped Prometheus files (ops/prometheus/): scrape config, rule files, promtool unit tests. */
export const prometheusOpsDir = join(repoRoot, 'ops/prometheus');
export const shippedPrometheusConfig = join(prometheusOpsDir, 'prometheus.yml');
export const shippedRulesDir = join(prometheusOpsDir, 'rules');

export const shippedRuleFiles = (): string[] =>
  readdirSync(shippedRulesDir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => join(shippedRulesDir, f));

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
  [key: string]: unknown;
}
export interface PrometheusConfigFile {
  global?: Record<string, string>;
  rule_files?: string[];
  scrape_configs: ScrapeConfig[];
}

export interface RenderOptions {
  /** job name → `host:port` (scrapeTargets()); a job of the shipped file left out here is dropped. */
  targets: Record<string, string>;
  /** Where the rendered config and rule files are written. */
  dir: string;
  /** Overrides of the shipped `global:` (e.g. `{ scrape_interval: '1s', evaluation_interval: '1s' }`). */
  global?: Record<string, string>;
  /** Every alert's `for:` replaced with this (tests: seconds instead of minutes). */
  alertFor?: string;
}

/** The shipped scrape targets, job by job. */
export function shippedTargets(file = shippedPrometheusConfig): Record<string, string[]> {
  const config = parse(readFileSync(file, 'utf8')) as PrometheusConfigFile;
  return Object.fromEntries(config.scrape_configs.map((c) => [c.job_name, (c.static_configs ?? []).flatMap((s) => s.targets)]));
}

/**
 * The shipped configuration pointed elsewhere: same jobs and settings, targets replaced,
 * rule files copied beside it (with `for:` shortened when asked). Returns the config file.
 */
export function renderPrometheusConfig(options: RenderOptions): string {
  mkdirSync(join(options.dir, 'rules'), { recursive: true });
  const config = parse(readFileSync(shippedPrometheusConfig, 'utf8')) as PrometheusConfigFile;
  config.global = { ...config.global, ...options.global };
  config.scrape_configs = config.scrape_configs
    .flatMap((job) => {
      const target = options.targets[job.job_name];
      return target === undefined ? [] : [{ ...job, static_configs: [{ targets: [target] }] }];
    });
  config.rule_files = shippedRuleFiles().map((source) => {
    const target = join(options.dir, 'rules', source.slice(shippedRulesDir.length + 1));
    writeFileSync(target, options.alertFor === undefined ? readFileSync(source, 'utf8') : withAlertFor(readFileSync(source, 'utf8'), options.alertFor));
    return target;
  });
  const file = join(options.dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  return file;
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; for?: string }[] }[];
}

/** A rule file with every alert's `for:` set to `duration` (alerts without one keep none). */
export function withAlertFor(text: string, duration: string): string {
  const rules = parse(text) as RuleFile;
  for (const group of rules.groups) for (const rule of group.rules) if (rule.alert !== undefined && rule.for !== undefined) rule.for = duration;
  return stringify(rules);
}
