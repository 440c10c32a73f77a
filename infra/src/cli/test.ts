// `npm test`: provision the real infrastructure, then typecheck, lint, and every jest
// suite. Suites that stop shared infrastructure (*.fault.*) and the whole-system e2e
// suites run one at a time after the rest. Ends with one line: "N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureInfrastructure, infrastructureEnv } from '../index.ts';
import { repoRoot, stateDir } from '../state.ts';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const bin = (name: string) => join(repoRoot, 'node_modules/.bin', name);
const extraArgs = process.argv.slice(2);

function check(name: string, command: string, args: string[]): void {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  const ok = result.status === 0;
  console.log(`${ok ? '✓' : '✗'} ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (ok) total.passed++;
  else total.failed++;
}

function jest(phase: string, args: string[]): void {
  const summaryFile = join(stateDir(), `jest-${phase}.json`);
  rmSync(summaryFile, { force: true });
  console.log(`\n▶ jest: ${phase}`);
  const result = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', join(repoRoot, 'node_modules/jest/bin/jest.js'), '--ci', '--forceExit', ...args],
    { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, ...infrastructureEnv(), JEST_SUMMARY_FILE: summaryFile } },
  );
  if (existsSync(summaryFile)) {
    const counts = JSON.parse(readFileSync(summaryFile, 'utf8')) as Counts;
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.skipped += counts.skipped;
  }
  // No tests matched is fine (exit 1 with --passWithNoTests off); anything else without a summary is a failure.
  if (result.status !== 0 && !existsSync(summaryFile)) total.failed++;
}

mkdirSync(stateDir(), { recursive: true });
const started = Date.now();
try {
  console.log('▶ infrastructure');
  await ensureInfrastructure({
    onReady: (c) => console.log(`  ${c.name.padEnd(8)} ${c.address.padEnd(28)} ${c.outcome} in ${c.ms} ms (log ${c.logFile})`),
  });
} catch (error) {
  console.error(`infrastructure failed: ${error instanceof Error ? error.message : String(error)}`);
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

const onlyJest = extraArgs.length > 0;
if (!onlyJest) {
  check('typecheck (tsc -b)', bin('tsc'), ['-b']);
  check('lint (eslint)', bin('eslint'), ['.', '--max-warnings=0']);
}
const serial = '\\.(fault\\.[a-z]+|e2e)\\.spec\\.ts$';
if (onlyJest) {
  // `npm test -- <paths or patterns> [jest flags]`: the same two phases over just the matching
  // suites (jest ORs path patterns, so the serial phase's own pattern can't be combined with them).
  const flags = extraArgs.filter((arg) => arg.startsWith('-'));
  const listed = spawnSync(process.execPath, ['--experimental-vm-modules', join(repoRoot, 'node_modules/jest/bin/jest.js'), '--listTests', ...extraArgs], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const files = listed.stdout.split('\n').filter((line) => line.endsWith('.ts'));
  const [serialFiles, parallelFiles] = [files.filter((f) => new RegExp(serial).test(f)), files.filter((f) => !new RegExp(serial).test(f))];
  if (parallelFiles.length > 0) jest('parallel suites', ['--passWithNoTests', ...flags, '--runTestsByPath', ...parallelFiles]);
  if (serialFiles.length > 0) jest('e2e and fault suites, one at a time', ['--passWithNoTests', '--runInBand', ...flags, '--runTestsByPath', ...serialFiles]);
  if (files.length === 0) {
    console.error(`no test suite matches ${extraArgs.join(' ')}`);
    total.failed++;
  }
} else {
  jest('parallel suites', ['--passWithNoTests', '--testPathIgnorePatterns', serial, '/node_modules/', '/dist/', '/.local/']);
  jest('e2e and fault suites, one at a time', ['--passWithNoTests', '--runInBand', '--testPathPatterns', serial]);
}

console.log(`\nnpm test took ${((Date.now() - started) / 60_000).toFixed(1)} min`);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped > 0 ? `, ${total.skipped} skipped` : ''}`);
process.exit(total.failed > 0 ? 1 : 0);
