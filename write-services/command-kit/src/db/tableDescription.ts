/**
 * One table of a service's schema.prisma as the SQL repository needs it: the table's and
 * columns' database names and each column's Prisma scalar type (which decides how a value
 * is converted on its way in and out). Never written by hand: infra/src/cli/generate.ts
 * derives it from the schema's DMMF into `write-services/<service>/src/generated/tables.ts`,
 * together with the row type (`Row`: the model's field names and their TypeScript types).
 */
export type ColumnType = 'String' | 'Int' | 'BigInt' | 'Float' | 'Decimal' | 'Boolean' | 'DateTime' | 'Json' | 'Bytes' | 'Enum';

export interface ColumnDescription {
  /** The database name (`@map`), e.g. `customer_id`. */
  readonly column: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
}

export interface TableDescription<Row> {
  /** The Prisma model, e.g. `Order`. */
  readonly model: string;
  /** The database name (`@@map`), e.g. `orders`. */
  readonly table: string;
  /** The fields of the primary key (`@id` or `@@id`), in key order. */
  readonly primaryKey: readonly (keyof Row & string)[];
  /** Every scalar field, in the schema's order. */
  readonly columns: { readonly [F in keyof Row]-?: ColumnDescription };
}
