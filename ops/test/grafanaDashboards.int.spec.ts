import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import ts from 'typescript';
import { parse } from 'yaml';
import { repoRoot } from '@delivery/infra';
import {
  dashboardFiles,
  dashboardQueries,
  grafanaOpsDir,
  isBuiltInVariable,
  parsePromQL,
  readDashboard,
  templateVariablesIn,
  withTemplateVariables,
} from './support/dashboards.ts';
import type { ProvisionedDashboard } from './support/dashboardSchema.ts';

const testDir = join(repoRoot, 'ops/test');

/**
 * Type-checks dashboard JSON texts with the TypeScript compiler: each becomes an object
 * literal of type ProvisionedDashboard (support/dashboardSchema.ts, built on @grafana/schema)
 * in a file that exists only in memory. Returns the errors of each text, as `line: message`
 * with the line of the JSON text.
 */
function typecheckDashboards(texts: Map<string, string>): { errors: Map<string, string[]>; global: string[] } {
  const header = "import type { ProvisionedDashboard } from './support/dashboardSchema.ts';\nexport const dashboard: ProvisionedDashboard = ";
  const sources = new Map([...texts].map(([name, json]) => [join(testDir, `${name}.dashboard-check.mts`), `${header}${json};\n`]));
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2024,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2024.d.ts'],
    types: [],
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    verbatimModuleSyntax: true,
  };
  const host = ts.createCompilerHost(options);
  const [getSourceFile, fileExists, readFile] = [host.getSourceFile.bind(host), host.fileExists.bind(host), host.readFile.bind(host)];
  host.getSourceFile = (fileName, languageVersion, ...rest) => {
    const text = sources.get(fileName);
    return text === undefined ? getSourceFile(fileName, languageVersion, ...rest) : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  host.fileExists = (fileName) => sources.has(fileName) || fileExists(fileName);
  host.readFile = (fileName) => sources.get(fileName) ?? readFile(fileName);
  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  const message = (d: ts.Diagnostic) => ts.flattenDiagnosticMessageText(d.messageText, '\n  ');
  const errors = new Map(
    [...sources.keys()].map((fileName) => {
      const file = program.getSourceFile(fileName)!;
      const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
      // Line 0 of the file is the import; the JSON text starts on line 1.
      const where = (d: ts.Diagnostic) => (d.start === undefined ? '?' : String(file.getLineAndCharacterOfPosition(d.start).line));
      return [basename(fileName, '.dashboard-check.mts'), diagnostics.map((d) => `${where(d)}: ${message(d)}`)];
    }),
  );
  return { errors, global: [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()].map(message) };
}

/** A dashboard's JSON with one change made to its parsed value. */
function mutated(file: string, change: (dashboard: ProvisionedDashboard) => void): string {
  const dashboard = readDashboard(file);
  change(dashboard);
  return JSON.stringify(dashboard, null, 2);
}

type AnyPanel = ProvisionedDashboard['panels'][number];
const firstOf = <K extends AnyPanel['type']>(dashboard: ProvisionedDashboard, type: K) =>
  dashboard.panels.find((p): p is Extract<AnyPanel, { type: K }> => p.type === type)!;

// The provisioned Grafana dashboards (ops/grafana/), checked without Grafana: their structure
// against @grafana/schema, their PromQL with Prometheus' grammar. That each metric they name is
// exported by a running service is checked in observability.e2e.spec.ts.
describe('ops/grafana', () => {
  const files = dashboardFiles();
  const name = (file: string) => basename(file, '.json');

  it('has the overview, write-side and read-side dashboards, provisioned from the folder compose.yaml mounts', () => {
    expect(files.map(name)).toEqual(['overview', 'read-side', 'write-side']);
    const uids = files.map((f) => readDashboard(f).uid);
    expect(new Set(uids).size).toBe(uids.length);

    const provider = parse(readFileSync(join(grafanaOpsDir, 'provisioning/dashboards/dashboards.yml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(provider.providers).toHaveLength(1);
    expect(provider.providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards' } });
    const datasources = parse(readFileSync(join(grafanaOpsDir, 'provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(datasources.datasources).toEqual([expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' })]);

    const compose = parse(readFileSync(join(repoRoot, 'compose.yaml'), 'utf8')) as { services: Record<string, { volumes?: string[] }> };
    expect(compose.services.grafana?.volumes).toEqual(
      expect.arrayContaining(['./ops/grafana/provisioning:/etc/grafana/provisioning:ro', './ops/grafana/dashboards:/var/lib/grafana/dashboards:ro']),
    );
    expect(compose.services.prometheus).toBeDefined();
  });

  // One compiler run for the shipped dashboards and the broken copies (about 3 s).
  let checked: ReturnType<typeof typecheckDashboards>;
  const overview = () => files.find((f) => name(f) === 'overview')!;
  /** A change Grafana would not take (made behind the type's back), and a fragment of the one error it must give. */
  const BROKEN: [string, (d: ProvisionedDashboard) => void, string][] = [
    [
      'a misspelt key',
      (d) => {
        const panel: Partial<AnyPanel> = firstOf(d, 'timeseries');
        Object.assign(panel, { gridpos: panel.gridPos });
        delete panel.gridPos;
      },
      "'\"gridpos\"' does not exist",
    ],
    ['an enum value', (d) => Object.assign(firstOf(d, 'timeseries').fieldConfig.defaults.thresholds!, { mode: 'absolut' }), '"absolut"'],
    ['a timeseries option', (d) => Object.assign(firstOf(d, 'timeseries').options.tooltip, { mode: 'all' }), '"all"'],
    ['a stat option', (d) => Object.assign(firstOf(d, 'stat').options, { colorMode: 'rainbow' }), '"rainbow"'],
    ['another datasource', (d) => Object.assign(firstOf(d, 'timeseries').targets[0].datasource, { uid: 'other' }), '"other"'],
    ['a panel without queries', (d) => Object.assign(firstOf(d, 'stat'), { targets: [] }), 'target requires 1'],
  ];
  beforeAll(() => {
    checked = typecheckDashboards(
      new Map([
        ...files.map((f): [string, string] => [name(f), readFileSync(f, 'utf8')]),
        ...BROKEN.map(([change, edit]): [string, string] => [`broken-${change.replaceAll(' ', '-')}`, mutated(overview(), edit)]),
      ]),
    );
  }, 60_000);

  it("type-checks against @grafana/schema's Dashboard, each panel's options against its plugin's schema", () => {
    expect(checked.global).toEqual([]);
    expect(Object.fromEntries(files.map((f) => [name(f), checked.errors.get(name(f))]))).toEqual(Object.fromEntries(files.map((f) => [name(f), []])));
  });

  it.each(BROKEN)('fails the type check on %s', (change, _edit, fragment) => {
    const errors = checked.errors.get(`broken-${change.replaceAll(' ', '-')}`)!;
    expect(errors).toEqual([expect.stringContaining(fragment)]);
  });

  it('has unique panel ids and every panel within the 24 grid columns', () => {
    for (const file of files) {
      const panels = readDashboard(file).panels;
      expect({ file: name(file), ids: new Set(panels.map((p) => p.id)).size }).toEqual({ file: name(file), ids: panels.length });
      expect(panels.filter((p) => p.gridPos.x + p.gridPos.w > 24).map((p) => p.title)).toEqual([]);
    }
  });

  it("parses every PromQL expression with Prometheus' grammar, template variables substituted", () => {
    const queries = files.flatMap(dashboardQueries);
    expect(queries.length).toBeGreaterThanOrEqual(40);
    const failures = queries.flatMap((q) => {
      const parsed = parsePromQL(withTemplateVariables(q.expr));
      const problems = [...parsed.errors, ...(parsed.metricNames.length === 0 && !/\bvector\(/.test(q.expr) ? ['names no metric'] : [])];
      return problems.map((p) => `${q.where}: ${p}`);
    });
    expect(failures).toEqual([]);
  });

  it('catches a PromQL syntax error', () => {
    expect(parsePromQL('sum by (route) (rate(http_server_request_duration_seconds_count[5m])').errors).not.toEqual([]);
    expect(parsePromQL('rate(x[$__rate_interval])').errors).not.toEqual([]);
    expect(parsePromQL(withTemplateVariables('rate(x{route=~"$route"}[$__rate_interval])'))).toEqual({ errors: [], metricNames: ['x'] });
  });

  it("uses only template variables the dashboard declares, or Grafana's own", () => {
    for (const file of files) {
      const declared = new Set(readDashboard(file).templating.list.map((v) => v.name));
      const undeclared = dashboardQueries(file).flatMap((q) => templateVariablesIn(q.expr).filter((v) => !declared.has(v) && !isBuiltInVariable(v)));
      expect({ file: name(file), undeclared }).toEqual({ file: name(file), undeclared: [] });
    }
  });

  it('is described panel by panel in docs/observability.md', () => {
    const doc = readFileSync(join(repoRoot, 'docs/observability.md'), 'utf8');
    for (const file of files) {
      const dashboard = readDashboard(file);
      const missing = [dashboard.title, `${name(file)}.json`, ...dashboard.panels.map((p) => p.title)].filter((title) => !doc.includes(title));
      expect({ file: name(file), missing }).toEqual({ file: name(file), missing: [] });
    }
  });
});
