import { type Command, CommandName } from '../command';
import { ExitCode } from '../exit-code';

export const deployCommand: Command = {
  name: CommandName.deploy,
  help: { summary: 'blue/green deploy (in progress)', usage: 'healthgate deploy', options: [], examples: [] },
  async run() {
    return ExitCode.usage;
  },
};
