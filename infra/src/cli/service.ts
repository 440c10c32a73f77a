// `npm run service -- <kill|stop|start|restart> <service>`: acts on one service of the running
// platform (`npm start` in another shell, or a test's platform) through its control socket
// (`PLATFORM_CONTROL_SOCKET`, default <state>/run/platform.sock). `npm run service` alone lists
// the services. kill is a SIGKILL (a crash), stop a SIGTERM (graceful); start waits until the
// service answers /health/ready. docs/tutorial.md uses it to break the platform on purpose.
import { CONTROL_ACTIONS, controlPlatform, type ControlAction } from '../platform/control.ts';
import { SERVICES, type ServiceDefinition } from '../platform/services.ts';

const [action, name] = process.argv.slice(2);
const usage = `usage: npm run service -- <${CONTROL_ACTIONS.join('|')}> <${SERVICES.map((s) => s.name).join('|')}>`;

try {
  if (action === undefined) {
    const answer = await controlPlatform();
    for (const s of answer.services) console.log(`${s.name.padEnd(11)} ${(s.running ? `running, pid ${s.pid}` : 'not running').padEnd(22)} ${s.url}`);
  } else if (!CONTROL_ACTIONS.includes(action as ControlAction) || !SERVICES.some((s) => s.name === name)) {
    console.error(usage);
    process.exitCode = 2;
  } else {
    const answer = await controlPlatform({ action: action as ControlAction, service: name as ServiceDefinition['name'] });
    (answer.ok ? console.log : console.error)(answer.message);
    if (!answer.ok) process.exitCode = 1;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
