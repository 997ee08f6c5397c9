/** Formats `--help` texts: pure. */
import type { Command, CommandHelp } from './command';
import { EXIT_CODE_HELP } from './exit-code';

/** The full help of one command. */
export function formatCommandHelp(name: string, help: CommandHelp): string {
  const width = Math.max(...help.options.map((o) => o.flag.length), 10) + 2;
  const lines = [`healthgate ${name}: ${help.summary}`, '', `usage: ${help.usage}`];
  if (help.description) lines.push('', help.description);
  lines.push('', 'options:');
  for (const option of help.options) {
    const [first = '', ...rest] = option.text.split('\n');
    lines.push(`  ${option.flag.padEnd(width)}${first}`);
    for (const more of rest) lines.push(`  ${' '.repeat(width)}${more}`);
  }
  lines.push('', 'exit codes:', help.exitCodes ?? EXIT_CODE_HELP, '', 'examples:');
  for (const example of help.examples) lines.push(`  ${example}`);
  return `${lines.join('\n')}\n`;
}

/** The help of `healthgate` itself: every command, one line each. */
export function formatMainHelp(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'healthgate: gates EC2 Auto Scaling deployments on deep application health',
    '',
    'usage: healthgate <command> [options]      healthgate <command> --help',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.help.summary}`),
    '',
    'exit codes (every command):',
    EXIT_CODE_HELP,
    '',
    'examples:',
    '  healthgate rehearse                                  the demo rollout on this machine',
    '  healthgate rehearse --app "python3 examples/python-app/app.py"',
    '  healthgate check --group web-v2',
    '  healthgate deploy --group web-v1 --version v2 --ami ami-0abc1234',
    '',
  ].join('\n');
}
