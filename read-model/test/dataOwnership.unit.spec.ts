import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import { repoRoot } from '@delivery/infra';

/**
 * Data ownership (architecture.md): only the read model holds MongoDB and Redis clients.
 * The rule lives in eslint.config.js; this proves it fires where it must and only there.
 */
const eslint = new ESLint({
  cwd: repoRoot,
  // Only the ownership rule: the snippets are linted as if they were files in those folders.
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function restrictedImports(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(repoRoot, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const mongo = "import { MongoClient } from 'mongodb';\nexport const client = new MongoClient('mongodb://x');\n";
const redis = "import { Redis } from 'ioredis';\nexport const client = new Redis();\n";

describe('data ownership lint rule', () => {
  it.each([
    ['gateway/src/x.ts', mongo, 'MongoDB'],
    ['gateway/src/x.ts', redis, 'Redis'],
    ['write-services/order/src/x.ts', mongo, 'MongoDB'],
    ['write-services/command-kit/src/x.ts', redis, 'Redis'],
  ])('given %s importing a store client when linted then the rule fires', async (path, code, store) => {
    const messages = await restrictedImports(path, code);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`Only the read model service may use ${store}`);
  });

  it.each([
    ['read-model/src/x.ts', mongo],
    ['infra/src/x.ts', redis],
  ])('given %s when linted then the rule is silent', async (path, code) => {
    expect(await restrictedImports(path, code)).toEqual([]);
  });
});
