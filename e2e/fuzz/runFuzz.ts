// `npm run fuzz`: the long fuzz run (docs/security.md, "Fuzzing"). Starts the whole platform
// against the real infrastructure, fuzzes the command API through the gateway, the read
// model's REST API and GraphQL, prints the report and exits non-zero on any failure.
//   npm run fuzz                              # 300 cases per operation, seed 1
//   npm run fuzz -- --examples=2000 --seed=7  # more, or other, cases
//   npm run fuzz -- --minutes=20              # go on generating until each run's time is spent
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureSchemathesis, schemathesisVersion, statePath } from '@delivery/infra';
import { describeReport, FUZZ_SUITE, fuzzPlatform, startFuzzSystem } from './fuzzPlatform.ts';

const { values } = parseArgs({
  options: {
    examples: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    minutes: { type: 'string' },
    graphql: { type: 'string', default: '2000' },
  },
});
const workDir = statePath('fuzz', 'long');
console.log(`▶ schemathesis ${schemathesisVersion()}: ${await ensureSchemathesis()}`);
console.log('▶ platform');
const platform = await startFuzzSystem();
let exitCode = 1;
try {
  console.log(`▶ fuzzing (${values.examples} cases per operation, seed ${values.seed}; work folder ${workDir})`);
  const report = await fuzzPlatform(platform, {
    budget: {
      maxExamples: Number(values.examples),
      phases: ['examples', 'coverage', 'fuzzing', 'stateful'],
      seed: Number(values.seed),
      // What hypothesis found is kept and tried first next time.
      database: join(statePath('fuzz'), 'examples.db'),
      ...(values.minutes === undefined ? {} : { maxTimeSeconds: Math.round(Number(values.minutes) * 60) }),
    },
    graphqlCases: Number(values.graphql),
    workDir,
    suite: FUZZ_SUITE,
    log: (line) => console.log(line),
  });
  console.log(`\n${describeReport(report)}`);
  writeFileSync(join(workDir, 'report.json'), JSON.stringify(report, null, 2));
  for (const failure of report.failures) console.log(`\n✗ ${failure}`);
  exitCode = report.failures.length === 0 ? 0 : 1;
} finally {
  await platform.stop();
}
process.exit(exitCode);
