/** An instance of the local fleet: the app's `serve` CLI, bound to the life of the fleet that started it. */
import { exitWithParent } from './parent-watchdog';

exitWithParent();
await import('../../app/cli/serve');
