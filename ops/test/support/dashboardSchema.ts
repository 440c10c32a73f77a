import type { Dashboard, DataQuery, FieldConfig, FieldConfigSource, GridPos, Panel, RowPanel, VariableModel } from '@grafana/schema';
import type * as BarGauge from '@grafana/schema/dist/esm/raw/composable/bargauge/panelcfg/x/BarGaugePanelCfg_types.gen';
import type * as Stat from '@grafana/schema/dist/esm/raw/composable/stat/panelcfg/x/StatPanelCfg_types.gen';
import type * as StateTimeline from '@grafana/schema/dist/esm/raw/composable/statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen';
import type * as TimeSeries from '@grafana/schema/dist/esm/raw/composable/timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen';

/**
 * The shape of the provisioned dashboards in ops/grafana/dashboards/: `@grafana/schema`'s
 * `Dashboard`, with what it leaves open (`panels[].options`, `fieldConfig.defaults.custom`,
 * `targets`) typed by the panel plugin's own schema from the same package, and what a
 * provisioned dashboard must have made required (uid, title, every panel's id, title,
 * description, position, Prometheus datasource and at least one query).
 *
 * grafanaDashboards.int.spec.ts compiles each JSON file as an object literal of this type, so
 * literal values are checked (an enum field takes only its values) and so are misspelt keys
 * (excess property checks), which an `import ... with { type: 'json' }` would miss: JSON
 * modules are typed with widened `string`/`number` and are never "fresh" object literals.
 */
export type ProvisionedDashboard = AsJson<
  Omit<Dashboard, 'uid' | 'title' | 'panels' | 'templating' | 'schemaVersion'> & {
    uid: string;
    title: string;
    description: string;
    schemaVersion: number;
    panels: DashboardPanel[];
    templating: { list: Variable[] };
  }
>;

/** The one datasource the dashboards query, provisioned by ops/grafana/provisioning/datasources/prometheus.yml. */
export interface PrometheusRef {
  type: 'prometheus';
  uid: 'prometheus';
}

/**
 * A Prometheus query as Grafana's Prometheus datasource reads it (its own type lives in
 * @grafana/prometheus, not in @grafana/schema): the common `DataQuery` plus the PromQL.
 */
export interface PrometheusQuery extends Omit<DataQuery, 'datasource'> {
  datasource: PrometheusRef;
  expr: string;
  legendFormat?: string;
  range?: boolean;
  instant?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
  editorMode?: 'code' | 'builder';
  interval?: string;
}

/** The panel plugins used, each with its options and custom field config from @grafana/schema. */
interface PanelKinds {
  timeseries: { options: TimeSeries.Options; custom: TimeSeries.FieldConfig };
  stat: { options: Stat.Options; custom: never };
  'state-timeline': { options: StateTimeline.Options; custom: StateTimeline.FieldConfig };
  bargauge: { options: BarGauge.Options; custom: never };
}

type VisualisationPanel<K extends keyof PanelKinds> = Omit<Panel, 'type' | 'id' | 'title' | 'description' | 'gridPos' | 'datasource' | 'options' | 'fieldConfig' | 'targets'> & {
  type: K;
  id: number;
  title: string;
  description: string;
  gridPos: GridPos;
  datasource: PrometheusRef;
  options: PanelKinds[K]['options'];
  fieldConfig: Omit<FieldConfigSource, 'defaults'> & { defaults: Omit<FieldConfig, 'custom'> & { custom?: PanelKinds[K]['custom'] } };
  targets: [PrometheusQuery, ...PrometheusQuery[]];
};

/** An expanded row: a title bar; the panels under it follow it in the dashboard's list. */
type Row = Omit<RowPanel, 'panels' | 'title' | 'gridPos' | 'collapsed'> & { title: string; gridPos: GridPos; collapsed: false; panels: [] };

export type DashboardPanel = Row | { [K in keyof PanelKinds]: VisualisationPanel<K> }[keyof PanelKinds];

/** Template variables: Prometheus `label_values(...)` queries only. */
type Variable = Omit<VariableModel, 'type' | 'datasource' | 'query' | 'definition'> & {
  type: 'query';
  datasource: PrometheusRef;
  query: { query: string; refId: string; qryType?: number };
  definition: string;
};

/**
 * A type as its values read in JSON: a string enum becomes the union of its values
 * (`"absolute"`, where the TypeScript type says `ThresholdsMode.Absolute`); numeric enums
 * already accept their numbers.
 */
export type AsJson<T> = T extends string
  ? string extends T
    ? string
    : `${T}`
  : T extends number | boolean | null | undefined
    ? T
    : T extends readonly (infer U)[]
      ? T extends readonly [unknown, ...unknown[]]
        ? { [K in keyof T]: AsJson<T[K]> }
        : AsJson<U>[]
      : T extends object
        ? { [K in keyof T]: AsJson<T[K]> }
        : T;
