/** `healthgate app`: serves the demo app (app/), the instances' own program in the rehearsal. */
import { parseCommandArgs } from '../args';
import { type Command, CommandName } from '../command';
import type { ExitCode } from '../exit-code';

const OPTIONS = { 'local-defaults': { type: 'boolean' } } as const;

export const appCommand: Command = {
  name: CommandName.app,
  help: {
    summary: 'serve the demo app (deep /health, home page, migrations) on HOST:PORT',
    usage: 'healthgate app [--local-defaults]',
    description: [
      'The app every built-in rehearsal runs as its instances: fastify, SQLite by default (PostgreSQL when',
      'DATABASE_URL names one), a deep /health in application/health+json. Configuration comes from the',
      'environment and from SSM (HEALTHGATE_SSM_CONFIG_PATH); docs/health-library.md lists every key.',
      'It serves until SIGTERM or SIGINT, then drains.',
    ].join('\n'),
    options: [
      {
        flag: '--local-defaults',
        text: 'embedded local defaults (a public SECRET_KEY, SQLITE under ./data); never in production',
      },
      { flag: '-h, --help', text: 'this help' },
    ],
    exitCodes: [
      '  0  stopped by SIGTERM or SIGINT after draining',
      '  1  the app could not start or stopped on a fault (its own code: a configuration error names the key)',
      '  2  usage: bad arguments',
    ].join('\n'),
    examples: ['healthgate app --local-defaults', 'HOST=127.0.0.1 PORT=8080 SECRET_KEY=… healthgate app'],
  },
  async run(argv) {
    const values = parseCommandArgs(argv, OPTIONS);
    // The app's own CLI reads its configuration from the environment; the flag is the same as LOCAL_DEFAULTS=1.
    if (values['local-defaults']) process.env.LOCAL_DEFAULTS = '1';
    await import('../../app/cli/serve');
    // The app owns the process from here: it exits itself on SIGTERM/SIGINT (after draining) or on a failure.
    return new Promise<ExitCode>(() => undefined);
  },
};
