import type { Command } from 'commander';

/** Registers every stockcast subcommand; each lives in its own module and is loaded lazily. */
export function registerCommands(program: Command): void {
  program
    .command('demo')
    .description('Run the whole pipeline offline on a synthetic market (no account, no network).')
    .action(async () => {
      const { runDemoCommand } = await import('./demo.js');
      await runDemoCommand();
    });
}
