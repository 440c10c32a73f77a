import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ensureSchemathesis, statePath, type Platform } from '@delivery/infra';
import { describeReport, FUZZ_SUITE, fuzzPlatform, type FuzzReport, startFuzzSystem } from '../fuzz/fuzzPlatform.ts';

/**
 * The bounded fuzz run of `npm test` (docs/security.md, "Fuzzing"): a fixed seed and a few
 * cases per operation, so every run sends the same requests; `npm run fuzz` sends many more.
 */
describe('fuzzing the public APIs', () => {
  let platform: Platform;
  let report: FuzzReport;

  beforeAll(async () => {
    await ensureSchemathesis();
    platform = await startFuzzSystem();
  }, 300_000);

  afterAll(async () => {
    await platform.stop();
  }, 60_000);

  it('answers every generated request without a 5xx, refuses with problem details, stores nothing for a refusal and stays up', async () => {
    report = await fuzzPlatform(platform, {
      budget: { maxExamples: 8, phases: ['fuzzing'], seed: 20_260_101, database: 'none' },
      graphqlCases: 100,
      workDir: statePath('fuzz', 'test'),
      suite: FUZZ_SUITE,
    });
    console.log(describeReport(report));
    expect(report.failures).toEqual([]);
    // The run really reached every surface, and the commands really changed something.
    expect(report.targets.map((t) => t.target)).toEqual(['gateway', 'read-model/rest', 'read-model/graphql', 'read-model/graphql-malformed']);
    for (const target of report.targets) expect(target.cases).toBeGreaterThan(0);
    expect(report.state.counts.acceptedExchanges).toBeGreaterThan(0);
    expect(report.state.counts.rejectedExchanges).toBeGreaterThan(0);
  }, 240_000);
});
