// Writes jest's counts to a JSON file; infra/src/cli/test.ts adds up every phase and
// prints the single "N passed, N failed, N skipped" line at the very end.
import { writeFileSync } from 'node:fs';

export default class SummaryReporter {
  constructor(_globalConfig, options) {
    this.file = options.file;
  }

  onRunComplete(_contexts, results) {
    writeFileSync(
      this.file,
      JSON.stringify({
        passed: results.numPassedTests,
        failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
        skipped: results.numPendingTests + results.numTodoTests,
      }),
    );
  }
}
