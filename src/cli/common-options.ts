import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { getConfig, loadConfigFile, optionalConfig, type ModelConfig } from '../config/seed-config.js';
import { validateModelId } from '../core/identifiers.js';
import { commandSettings, useEnvFile } from './runtime.js';

/**
 * Options every command shares and where users keep their configuration: `--env-file` on every command (default
 * ./.env), and `--config` falling back to STOCKCAST_CONFIG (environment or .env), then ./configs.yaml.
 */

/** Adds `--env-file` to every command and subcommand of `program`, and applies it before each action runs. */
export function addEnvFileOption(program: Command): void {
  const visit = (cmd: Command) => {
    if (!cmd.options.some((o) => o.long === '--env-file')) cmd.option('--env-file <path>', 'the .env file to read (default ./.env; the environment wins over it)');
    cmd.commands.forEach(visit);
  };
  program.commands.forEach(visit);
  program.hook('preAction', (_root, action) => {
    // `trade --env-file x status` and `trade status --env-file x` both work: the nearest command that has it wins
    for (let cmd: Command | null = action; cmd; cmd = cmd.parent) {
      const path = (cmd.opts() as { envFile?: string }).envFile;
      if (path !== undefined) return useEnvFile(path);
    }
    useEnvFile(undefined);
  });
}

/** `--config <path>`, without a default so that STOCKCAST_CONFIG can fill in. */
export function configOption(purpose: string): Option {
  return new Option('--config <path>', `configs.yaml ${purpose} (default: $STOCKCAST_CONFIG, else ./configs.yaml)`);
}

/** Which configs.yaml a command reads, and whether the user named it (then it must exist). */
export interface ConfigChoice {
  path: string;
  /** `--config`, `STOCKCAST_CONFIG` or `default`. */
  via: '--config' | 'STOCKCAST_CONFIG' | 'default';
}

/** `--config`, else STOCKCAST_CONFIG (from the environment or .env), else ./configs.yaml. */
export function chooseConfig(flag: string | undefined): ConfigChoice {
  if (flag !== undefined) return { path: resolve(flag), via: '--config' };
  const fromEnv = commandSettings().get('STOCKCAST_CONFIG');
  if (fromEnv !== undefined) return { path: resolve(fromEnv), via: 'STOCKCAST_CONFIG' };
  return { path: resolve('configs.yaml'), via: 'default' };
}

/** A named config file that does not exist is an error naming where the name came from. */
function assertExists(choice: ConfigChoice): void {
  if (choice.via !== 'default' && !existsSync(choice.path)) throw new Error(`${choice.via} ${choice.path}: no such file`);
}

/** The config `id` of the chosen file (train needs one); the id is validated before anything is built from it. */
export function requiredConfig(flag: string | undefined, id: string): ModelConfig {
  validateModelId(id, '--model-id');
  const choice = chooseConfig(flag);
  assertExists(choice);
  return checkedConfig(getConfig(loadConfigFile(choice.path), id));
}

/**
 * The config of `modelId` in the chosen file, or undefined when the default ./configs.yaml is missing or has no
 * such id (callers then use the config stored with the trained model). An invalid file or config is an error.
 */
export function commandConfig(flag: string | undefined, modelId: string): ModelConfig | undefined {
  const choice = chooseConfig(flag);
  assertExists(choice);
  const config = optionalConfig(choice.path, modelId);
  return config && checkedConfig(config);
}

/** Ids inside a config that name other models (fine_tuning_model_id) are checked like --model-id. */
function checkedConfig(config: ModelConfig): ModelConfig {
  validateModelId(config.id, 'config id');
  if (config.fineTuningModelId !== undefined) validateModelId(config.fineTuningModelId, `config "${config.id}": key "fine_tuning_model_id"`);
  return config;
}
