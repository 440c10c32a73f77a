import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import {
  composeScrapeTargets,
  ensurePrometheusInstalled,
  prometheusOpsDir,
  PROMTOOL,
  renderPrometheusConfig,
  scrapeTargets,
  shippedPrometheusConfig,
  shippedRuleFiles,
  shippedTargets,
} from '@delivery/infra';
import { namesInTablesOf } from './support/observabilityDoc.ts';

const run = promisify(execFile);
const testsDir = join(prometheusOpsDir, 'tests');
const unitTestFiles = () => readdirSync(testsDir).filter((f) => f.endsWith('.test.yml')).map((f) => join(testsDir, f));

interface RuleFile {
  groups: { rules: { alert?: string; record?: string }[] }[];
}
interface UnitTestFile {
  tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

// The shipped rules and scrape configs, checked by the real promtool (Debian's prometheus package).
describe('ops/prometheus', () => {
  beforeAll(async () => {
    await ensurePrometheusInstalled();
  }, 600_000);

  it('has rule files promtool accepts', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', ...shippedRuleFiles()]);
    expect(stdout).toContain('SUCCESS');
  });

  it("passes every promtool unit test of its rules", async () => {
    const result = await run(PROMTOOL, ['test', 'rules', ...unitTestFiles()]).catch((error: unknown) => {
      throw new Error(`promtool test rules failed:\n${String((error as { stdout?: string }).stdout ?? error)}`);
    });
    expect(result.stdout).not.toContain('FAILED');
  });

  it('has a unit test in which each alert fires, and one in which it does not', () => {
    const alerts = shippedRuleFiles().flatMap((file) =>
      (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules.flatMap((r) => (r.alert === undefined ? [] : [r.alert]))),
    );
    const cases = unitTestFiles().flatMap((file) => (parse(readFileSync(file, 'utf8')) as UnitTestFile).tests.flatMap((t) => t.alert_rule_test ?? []));
    const firing = new Set(cases.filter((c) => (c.exp_alerts ?? []).length > 0).map((c) => c.alertname));
    const quiet = new Set(cases.filter((c) => (c.exp_alerts ?? []).length === 0).map((c) => c.alertname));
    expect(alerts.length).toBeGreaterThanOrEqual(12);
    expect(alerts.filter((a) => !firing.has(a))).toEqual([]);
    expect(alerts.filter((a) => !quiet.has(a))).toEqual([]);
  });

  it('documents every alert and every recording rule in docs/observability.md', () => {
    const rules = shippedRuleFiles().flatMap((file) => (parse(readFileSync(file, 'utf8')) as RuleFile).groups.flatMap((g) => g.rules));
    const alerts = [...new Set(rules.flatMap((r) => (r.alert === undefined ? [] : [r.alert])))];
    const records = [...new Set(rules.flatMap((r) => (r.record === undefined ? [] : [r.record])))];
    expect(alerts.length).toBeGreaterThanOrEqual(12);
    expect(records.length).toBeGreaterThanOrEqual(8);
    const inAlerts = namesInTablesOf('Alerts');
    const inMetrics = namesInTablesOf('Metrics');
    const missing = [
      ...alerts.filter((a) => !inAlerts.has(a)).map((a) => `alert ${a} (section Alerts)`),
      ...records.filter((r) => !inMetrics.has(r)).map((r) => `recording rule ${r} (section Metrics)`),
    ];
    expect(missing).toEqual([]);
  });

  it('scrapes the five services where the platform serves their metrics, here and in compose', async () => {
    const asLists = (targets: Record<string, string>) => Object.fromEntries(Object.entries(targets).map(([job, target]) => [job, [target]]));
    expect(shippedTargets()).toEqual(asLists(scrapeTargets()));
    expect(shippedTargets(join(prometheusOpsDir, 'prometheus.compose.yml'))).toEqual(asLists(composeScrapeTargets()));
    for (const file of [shippedPrometheusConfig, join(prometheusOpsDir, 'prometheus.compose.yml')]) {
      await expect(run(PROMTOOL, ['check', 'config', file])).resolves.toBeDefined();
    }
  });

  it('renders a config for other ports and short `for:` durations that promtool accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prometheus-render-'));
    const file = renderPrometheusConfig({
      dir,
      targets: { order: '127.0.0.1:18081', gateway: '127.0.0.1:18080' },
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      alertFor: '5s',
    });
    await expect(run(PROMTOOL, ['check', 'config', file])).resolves.toBeDefined();
    const rendered = parse(readFileSync(file, 'utf8')) as { scrape_configs: { job_name: string }[]; rule_files: string[] };
    expect(rendered.scrape_configs.map((c) => c.job_name)).toEqual(['gateway', 'order']);
    const rules = rendered.rule_files.map((f) => parse(readFileSync(f, 'utf8')) as { groups: { rules: { alert?: string; for?: string }[] }[] });
    const durations = new Set(rules.flatMap((r) => r.groups.flatMap((g) => g.rules.filter((x) => x.for !== undefined).map((x) => x.for))));
    expect([...durations]).toEqual(['5s']);
  });
});
