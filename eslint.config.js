import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', '**/generated/**', '**/*.js'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    // Data ownership (architecture.md): only the read model talks to MongoDB and Redis.
    files: ['gateway/**/*.ts', 'write-services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'mongodb', message: 'Only the read model service may use MongoDB.' },
            { name: 'ioredis', message: 'Only the read model service may use Redis.' },
          ],
        },
      ],
    },
  },
  {
    // Product code never depends on test tooling: @delivery/test-support, jest and nock are
    // for test/ and bench/ folders. (A separate rule name, so the data-ownership paths above stay.)
    files: ['**/src/**/*.ts'],
    ignores: ['packages/test-support/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@delivery/test-support', '@delivery/test-support/*', '@jest/globals', 'jest', 'nock'],
              message: 'Test tooling stays out of src/: import it from test/ or bench/ only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts', '**/bench/**/*.ts', 'packages/test-support/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      // Stubs stand in for async collaborators; they need not await anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
