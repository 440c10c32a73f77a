// `npm run component -- <stop|start|pause|resume|status> <redis|mariadb|kafka|mongo>...`: one
// piece of the local infrastructure, by the pid files of the state folder (only what this
// project started is stopped or signalled). start also provisions (databases, topics), as
// `npm start` does; pause/resume are SIGSTOP/SIGCONT (a frozen, not a dead, server).
// `npm run component` alone shows which components answer. docs/tutorial.md breaks the
// platform with it.
import { componentNames, components, signalComponent, startComponent, stopComponent } from '../infrastructure.ts';
import type { ComponentName } from '../components/component.ts';

const ACTIONS = ['stop', 'start', 'pause', 'resume', 'status'] as const;
type Action = (typeof ACTIONS)[number];
const [action = 'status', ...named] = process.argv.slice(2);
const names = (named.length > 0 ? named : action === 'status' ? componentNames : []) as ComponentName[];
const usage = `usage: npm run component -- <${ACTIONS.join('|')}> <${componentNames.join('|')}>...`;

async function act(what: Action, name: ComponentName): Promise<string> {
  const component = components[name];
  switch (what) {
    case 'status': {
      const ready = await component.isReady();
      const pid = component.pid();
      return `${name.padEnd(8)} ${component.address.padEnd(16)} ${ready ? 'answers' : 'does not answer'}${pid === undefined ? '' : ` (pid ${pid})`}`;
    }
    case 'stop': {
      if (component.pid() === undefined) {
        if (await component.isReady()) throw new Error(`${name} at ${component.address} was not started by this project (no pid file in the state folder): not stopping it`);
        return `${name} is not running`;
      }
      await stopComponent(name);
      return `${name} stopped`;
    }
    case 'start': {
      const status = await startComponent(name);
      return `${name} ${status.outcome === 'reused' ? 'already answers' : 'started'} at ${status.address} (${status.ms} ms)`;
    }
    case 'pause':
    case 'resume': {
      if (!signalComponent(name, what === 'pause' ? 'SIGSTOP' : 'SIGCONT')) throw new Error(`${name} is not a running process of this project`);
      return `${name} ${what === 'pause' ? 'paused (SIGSTOP)' : 'resumed (SIGCONT)'}`;
    }
  }
}

if (!ACTIONS.includes(action as Action) || names.length === 0 || names.some((n) => !componentNames.includes(n))) {
  console.error(usage);
  process.exitCode = 2;
} else {
  for (const name of names) {
    try {
      console.log(await act(action as Action, name));
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    }
  }
}
