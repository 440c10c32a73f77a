import { getDMMF } from '@prisma/get-dmmf';
import { adminQuery } from '@delivery/test-support';

/** A schema reduced to what both Prisma's DMMF and information_schema can say, for comparison. */
export interface ColumnDescription {
  type: string;
  nullable: boolean;
  autoIncrement: boolean;
}
export interface IndexDescription {
  unique: boolean;
  columns: string[];
}
export type SchemaDescription = Record<string, { columns: Record<string, ColumnDescription>; indexes: Record<string, IndexDescription> }>;

type Dmmf = Exclude<ReturnType<typeof getDMMF>, { type: 'wasm-error' | 'parse-json' }>;

/** MariaDB's column type for a Prisma field (MySQL connector defaults where no @db type is given). */
function columnType(field: Dmmf['datamodel']['models'][number]['fields'][number], enums: Dmmf['datamodel']['enums']): string {
  if (field.kind === 'enum') {
    const values = enums.find((e) => e.name === field.type)?.values.map((v) => `'${v.dbName ?? v.name}'`) ?? [];
    return `enum(${values.join(',')})`;
  }
  const native = field.nativeType as [string, string[]] | null | undefined;
  if (native) {
    const [name, args] = native;
    return args.length > 0 ? `${name.toLowerCase()}(${args.join(',')})` : name.toLowerCase();
  }
  const defaults: Record<string, string> = {
    String: 'varchar(191)',
    Int: 'int(11)',
    BigInt: 'bigint(20)',
    Float: 'double',
    Boolean: 'tinyint(1)',
    DateTime: 'datetime(3)',
    Json: 'longtext', // MariaDB's JSON is LONGTEXT with a json_valid check
    Decimal: 'decimal(65,30)',
    Bytes: 'longblob',
  };
  const type = defaults[field.type];
  if (!type) throw new Error(`no MySQL default type known for Prisma type ${field.type}`);
  return type;
}

export function describePrismaSchema(schema: string): SchemaDescription {
  const dmmf = getDMMF({ datamodel: schema });
  if ('reason' in dmmf) throw dmmf.error;
  const { models, enums, indexes } = dmmf.datamodel;
  const description: SchemaDescription = {};
  const tableOf = (modelName: string) => models.find((m) => m.name === modelName)?.dbName ?? modelName;
  const columnOf = (modelName: string, fieldName: string) =>
    models.find((m) => m.name === modelName)?.fields.find((f) => f.name === fieldName)?.dbName ?? fieldName;
  for (const model of models) {
    const columns: Record<string, ColumnDescription> = {};
    for (const field of model.fields.filter((f) => f.kind !== 'object')) {
      const isAutoIncrement =
        typeof field.default === 'object' && !Array.isArray(field.default) && (field.default as { name?: string }).name === 'autoincrement';
      columns[field.dbName ?? field.name] = {
        type: columnType(field, enums),
        nullable: !field.isRequired,
        autoIncrement: isAutoIncrement,
      };
    }
    description[model.dbName ?? model.name] = { columns, indexes: {} };
  }
  for (const index of indexes) {
    const table = tableOf(index.model);
    const columns = index.fields.map((f) => columnOf(index.model, f.name));
    const suffix = index.type === 'unique' ? 'key' : 'idx';
    const name = index.type === 'id' ? 'PRIMARY' : (index.dbName ?? `${table}_${columns.join('_')}_${suffix}`);
    const entry = description[table];
    if (entry) entry.indexes[name] = { unique: index.type !== 'normal' && index.type !== 'fulltext', columns };
  }
  return description;
}

interface ColumnRow {
  TABLE_NAME: string;
  COLUMN_NAME: string;
  COLUMN_TYPE: string;
  IS_NULLABLE: string;
  EXTRA: string;
}
interface IndexRow {
  TABLE_NAME: string;
  INDEX_NAME: string;
  NON_UNIQUE: number | bigint;
  COLUMN_NAME: string;
}

/** What the database holds, minus Prisma's own bookkeeping table. */
export async function describeDatabase(database: string): Promise<SchemaDescription> {
  const columns = await adminQuery<ColumnRow[]>(
    `SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, EXTRA FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> '_prisma_migrations' ORDER BY TABLE_NAME, ORDINAL_POSITION`,
    [database],
  );
  const indexes = await adminQuery<IndexRow[]>(
    `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> '_prisma_migrations' ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX`,
    [database],
  );
  const description: SchemaDescription = {};
  for (const row of columns) {
    const table = (description[row.TABLE_NAME] ??= { columns: {}, indexes: {} });
    table.columns[row.COLUMN_NAME] = {
      type: row.COLUMN_TYPE.replaceAll(', ', ','),
      nullable: row.IS_NULLABLE === 'YES',
      autoIncrement: row.EXTRA.includes('auto_increment'),
    };
  }
  for (const row of indexes) {
    const table = (description[row.TABLE_NAME] ??= { columns: {}, indexes: {} });
    const index = (table.indexes[row.INDEX_NAME] ??= { unique: Number(row.NON_UNIQUE) === 0, columns: [] });
    index.columns.push(row.COLUMN_NAME);
  }
  return description;
}
