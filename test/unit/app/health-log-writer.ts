/**
 * Child process of logging.test.ts: opens the app's log destinations, writes `COUNT` health lines, then exits
 * the way `EXIT` says (`normal`, `exit` for process.exit(3), `throw` for an uncaught error).
 */
import { createLoggers, openLogDestinations } from '../../../app/logging';

const file = process.env.HEALTH_LOG_FILE ?? '';
const loggers = createLoggers(
  openLogDestinations({ accessLogFile: `${file}.main`, healthLogFile: file }),
  'info',
);
for (let i = 0; i < Number(process.env.COUNT ?? 3); i += 1) {
  loggers.health.info({ i }, 'request completed');
}
if (process.env.EXIT === 'exit') process.exit(3);
if (process.env.EXIT === 'throw') throw new Error('crash after logging');
