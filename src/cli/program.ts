import { Command } from 'commander';
import { registerCommands } from './commands.js';
import { addEnvFileOption } from './common-options.js';
import { STOCKCAST_VERSION } from '../core/version.js';

/** How an embedding (a test, another tool) wants the program to behave. */
export interface ProgramOptions {
  /** Throw a CommanderError instead of exiting the process on a usage error (commander's exitOverride). */
  exitOverride?: boolean;
  /** Where commander writes help and usage errors (default stdout / stderr). */
  output?: { writeOut?: (text: string) => void; writeErr?: (text: string) => void };
}

/** The `stockcast` command line: every command, `--version`, and `--env-file` on every command. */
export function createProgram(options: ProgramOptions = {}): Command {
  const program = new Command();
  // set before the commands are registered, so every subcommand inherits them
  if (options.exitOverride) program.exitOverride();
  if (options.output) program.configureOutput(options.output);
  program
    .name('stockcast')
    .description('Forecast stock prices with a Temporal Fusion Transformer and trade on the forecasts.')
    .version(STOCKCAST_VERSION, '-V, --version', 'print the stockcast version')
    .showHelpAfterError('(add --help for usage)')
    // lets a subcommand own an option its parent also has (`trade status --now`)
    .enablePositionalOptions();
  registerCommands(program);
  addEnvFileOption(program);
  return program;
}
