// Regenerates derived code when its single source changed: Prisma clients and the SQL
// repository's table descriptions (tables.ts) from prisma/<service>/schema.prisma, GraphQL
// resolver types from schema.graphql + codegen.yml. Outputs are git-ignored; a hash of the
// sources (and of the generators here) in the state folder skips the work when warm.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../../..');
const state = process.env.PLATFORM_STATE_DIR ?? join(root, '.local');
const prismaDir = join(root, 'prisma');
const services = existsSync(prismaDir)
  ? readdirSync(prismaDir).filter((d) => existsSync(join(prismaDir, d, 'schema.prisma')))
  : [];

const sources = [
  ...services.map((s) => join(prismaDir, s, 'schema.prisma')),
  join(root, 'schema.graphql'),
  join(root, 'codegen.yml'),
  join(root, 'package-lock.json'),
  import.meta.filename,
  join(import.meta.dirname, '../codegen/prismaTables.ts'),
].filter((f) => existsSync(f));
const digest = createHash('sha256');
for (const file of sources) digest.update(file).update(readFileSync(file));
const hash = digest.digest('hex');

function tablesFile(service: string): string {
  return join(root, 'write-services', service, 'src/generated/tables.ts');
}

const stampFile = join(state, 'generate.stamp');
const outputs = [
  ...services.map((s) => join(root, 'write-services', s, 'src/generated/prisma')),
  ...services.map((s) => tablesFile(s)),
  ...(existsSync(join(root, 'codegen.yml')) ? [join(root, 'read-model/src/generated')] : []),
];
const upToDate =
  existsSync(stampFile) && readFileSync(stampFile, 'utf8') === hash && outputs.every((o) => existsSync(o));

if (!upToDate) {
  // Loaded only when there is work: it brings Prisma's schema parser (WebAssembly).
  const { renderTables } = await import('../codegen/prismaTables.ts');
  const bin = (name: string) => join(root, 'node_modules/.bin', name);
  // The CLI wants a schema engine path for every command; `generate` never executes it.
  // Never point `migrate` at it (it would report success having applied nothing).
  const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  for (const service of services) {
    execFileSync(bin('prisma'), ['generate', '--schema', join(prismaDir, service, 'schema.prisma')], {
      cwd: root,
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const schema = join(prismaDir, service, 'schema.prisma');
    writeFileSync(tablesFile(service), renderTables(readFileSync(schema, 'utf8'), `prisma/${service}/schema.prisma`));
  }
  if (existsSync(join(root, 'codegen.yml'))) {
    execFileSync(bin('graphql-codegen'), ['--config', 'codegen.yml', '--silent'], { cwd: root, stdio: 'inherit' });
  }
  mkdirSync(state, { recursive: true });
  writeFileSync(stampFile, hash);
  console.error(`[platform] generated ${services.length} Prisma client(s) and table descriptions${existsSync(join(root, 'codegen.yml')) ? ' and GraphQL types' : ''}`);
}
