/** Every command of `healthgate`, in the order `--help` lists them. */
import type { Command } from '../command';
import { appCommand } from './app';
import { checkCommand } from './check';
import { deployCommand } from './deploy';
import { rehearseCommand } from './rehearse';
import { simCommand } from './sim';

export const COMMANDS: readonly Command[] = [
  rehearseCommand,
  deployCommand,
  checkCommand,
  simCommand,
  appCommand,
];
