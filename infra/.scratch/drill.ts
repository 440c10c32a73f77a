import { components, startComponent, stopComponent, componentNames } from '../src/index.ts';
for (let round = 1; round <= 3; round++) {
  for (const name of componentNames) {
    let t = Date.now();
    await stopComponent(name);
    const stopMs = Date.now() - t;
    const down = !(await components[name].isReady());
    t = Date.now();
    const status = await startComponent(name);
    console.log(`round ${round} ${name.padEnd(8)} stop ${String(stopMs).padStart(5)} ms (down: ${down})  start ${String(Date.now() - t).padStart(5)} ms (${status.outcome})`);
  }
}
