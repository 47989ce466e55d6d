#!/usr/bin/env node
import { Command } from 'commander';
import { registerCommands } from './commands.js';
import { addEnvFileOption } from './common-options.js';
import { formatCliError } from './errors.js';
import { installOutputRedaction } from './output.js';
import { STOCKCAST_VERSION } from '../core/version.js';

installOutputRedaction();
const program = new Command();
program
  .name('stockcast')
  .description('Forecast stock prices with a Temporal Fusion Transformer and trade on the forecasts.')
  .version(STOCKCAST_VERSION, '-V, --version', 'print the stockcast version')
  .showHelpAfterError('(add --help for usage)')
  // lets a subcommand own an option its parent also has (`trade status --now`)
  .enablePositionalOptions();
registerCommands(program);
addEnvFileOption(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`${formatCliError(err)}\n`);
  process.exitCode = process.exitCode && process.exitCode !== 0 ? process.exitCode : 1;
});
