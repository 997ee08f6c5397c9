import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../cli/commands/index';
import { runCli } from '../../../cli/main';
import { colourEnabled } from '../../../cli/terminal';
import { captureIo } from './io';

describe('healthgate: the command line', () => {
  it('lists every command with --help, exit 0; nothing at all is a usage error on stderr, exit 2', async () => {
    const help = captureIo();
    expect(await runCli(['--help'], help.context, COMMANDS)).toBe(0);
    for (const name of ['rehearse', 'deploy', 'check', 'sim', 'app'])
      expect(help.stdout()).toContain(`  ${name} `);
    expect(help.stdout()).toContain('3  could not decide');
    const none = captureIo();
    expect(await runCli([], none.context, COMMANDS)).toBe(2);
    expect(none.stdout()).toBe('');
    expect(none.stderr()).toContain('usage: healthgate <command>');
  });

  it('names an unknown command, exit 2', async () => {
    const io = captureIo();
    expect(await runCli(['deplyo'], io.context, COMMANDS)).toBe(2);
    expect(io.stderr()).toContain(
      'unknown command "deplyo"; the commands are rehearse, deploy, check, sim, app',
    );
  });

  for (const name of ['rehearse', 'deploy', 'check', 'sim', 'app']) {
    it(`${name} --help: usage, options, exit codes and an example, on stdout, exit 0`, async () => {
      const io = captureIo();
      expect(await runCli([name, '--help'], io.context, COMMANDS)).toBe(0);
      const text = io.stdout();
      expect(text).toMatch(new RegExp(`^healthgate ${name}: `));
      for (const part of [
        `usage: healthgate ${name}`,
        'options:',
        '-h, --help',
        'exit codes:',
        'examples:',
      ]) {
        expect(text).toContain(part);
      }
      expect(text).toMatch(/examples:\n {2}(\S+ )*healthgate /);
    });

    it(`${name}: an unknown option is a usage error with the usage, on stderr, exit 2`, async () => {
      const io = captureIo();
      expect(await runCli([name, '--no-such-option'], io.context, COMMANDS)).toBe(2);
      expect(io.stdout()).toBe('');
      expect(io.stderr()).toContain(`healthgate ${name}: Unknown option '--no-such-option'`);
      expect(io.stderr()).toContain(`usage: healthgate ${name}`);
    });
  }

  it('colours by NO_COLOR, then FORCE_COLOR, then whether the stream is a terminal', () => {
    const tty = { write: () => undefined, isTTY: true };
    const pipe = { write: () => undefined, isTTY: false };
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1', NO_COLOR: 'yes' })).toBe(false);
  });
});
