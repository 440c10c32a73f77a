// npm run infra:up — installs (first time), starts and provisions the local infrastructure.
import { ensureInfrastructure } from '../infrastructure.ts';

const startedAt = Date.now();
try {
  await ensureInfrastructure({
    onReady: ({ name, address, logFile, outcome, ms }) => {
      console.log(`${name.padEnd(8)} ${address.padEnd(16)} ${outcome.padEnd(8)} ${String(ms).padStart(6)} ms  log: ${logFile}`);
    },
  });
  console.log(`infrastructure ready in ${Date.now() - startedAt} ms`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
}
