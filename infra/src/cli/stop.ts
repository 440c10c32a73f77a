// `npm stop`: asks a running `npm start` to stop (it stops services, then infrastructure);
// without one, stops the infrastructure processes this project started, by pid file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopInfrastructure } from '../index.ts';
import { stateDir } from '../state.ts';

const pidFile = join(stateDir(), 'run', 'platform.pid');
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let pid = 0;
try {
  pid = Number(readFileSync(pidFile, 'utf8'));
} catch {
  // no platform running in the foreground
}
if (pid > 0 && alive(pid)) {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  console.log(alive(pid) ? `platform (pid ${pid}) still running after 60 s` : 'platform stopped');
} else {
  await stopInfrastructure();
  console.log('infrastructure stopped');
}
