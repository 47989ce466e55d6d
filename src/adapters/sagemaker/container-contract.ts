/**
 * The SageMaker training-container contract, as stockcast's image meets it: SageMaker starts the image with the
 * argument `train`, puts the hyperparameters in `/opt/ml/input/config/hyperparameters.json` (every value a
 * string), each input channel in `/opt/ml/input/data/<channel>`, syncs `/opt/ml/checkpoints` with S3 (so a spot
 * instance that is reclaimed resumes from there), uploads `/opt/ml/model` as `model.tar.gz` when the job ends, and
 * shows `/opt/ml/output/failure` as the job's failure reason. The sagemaker-training toolkit's variables
 * (SM_MODEL_DIR, SM_CHANNEL_<NAME>, SM_HPS, SM_OUTPUT_DIR) override the paths; STOCKCAST_SM_ROOT moves `/opt/ml`
 * (tests, local dry runs).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Where the job's inputs and outputs are, and its hyperparameters. */
export interface SageMakerContainer {
  root: string;
  modelDir: string;
  outputDir: string;
  checkpointDir: string;
  /** Channel name (lower case) → local directory. */
  channels: Map<string, string>;
  /** As SageMaker passes them: strings (JSON-encoded strings decoded). */
  hyperparameters: Record<string, string>;
  jobName?: string;
}

/** The container's layout when stockcast runs inside a SageMaker training job, else null. */
export function detectSageMaker(env: Record<string, string | undefined>): SageMakerContainer | null {
  const root = env.STOCKCAST_SM_ROOT ?? '/opt/ml';
  const hpFile = join(root, 'input', 'config', 'hyperparameters.json');
  if (!env.SM_MODEL_DIR && !env.TRAINING_JOB_NAME && !existsSync(hpFile)) return null;
  return {
    root,
    modelDir: env.SM_MODEL_DIR ?? join(root, 'model'),
    outputDir: env.SM_OUTPUT_DIR ?? join(root, 'output'),
    checkpointDir: join(root, 'checkpoints'),
    channels: channelDirs(env, join(root, 'input', 'data')),
    hyperparameters: readHyperparameters(hpFile, env.SM_HPS),
    jobName: env.TRAINING_JOB_NAME,
  };
}

/** Channels from SM_CHANNEL_<NAME> variables and from the directories under `<root>/input/data`. */
function channelDirs(env: Record<string, string | undefined>, dataDir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (existsSync(dataDir)) {
    for (const name of readdirSync(dataDir)) if (statSync(join(dataDir, name)).isDirectory()) out.set(name.toLowerCase(), join(dataDir, name));
  }
  for (const [k, v] of Object.entries(env)) if (k.startsWith('SM_CHANNEL_') && v) out.set(k.slice('SM_CHANNEL_'.length).toLowerCase(), v);
  return out;
}

/** hyperparameters.json (else SM_HPS), values as strings; the SageMaker Python SDK's JSON-encoded strings are decoded. */
function readHyperparameters(file: string, smHps: string | undefined): Record<string, string> {
  let raw: unknown = {};
  const source = existsSync(file) ? file : 'SM_HPS';
  try {
    if (existsSync(file)) raw = JSON.parse(readFileSync(file, 'utf8'));
    else if (smHps) raw = JSON.parse(smHps);
  } catch (err) {
    throw new Error(`${source} is not valid JSON (${(err as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${source}: expected a JSON object of hyperparameters`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    let s = typeof v === 'string' ? v : JSON.stringify(v);
    if (/^".*"$/.test(s)) {
      try {
        s = JSON.parse(s) as string;
      } catch {
        // not JSON after all: keep it as written
      }
    }
    out[k] = s;
  }
  return out;
}

/** What `stockcast train` takes from the hyperparameters (the seed's names and the CLI's both accepted). */
export interface TrainingHyperparameters {
  modelId?: string;
  configPath?: string;
  symbolsPath?: string;
  maxEpochs?: number;
  maxMinutes?: number;
  backend?: string;
  threads?: number;
  chunkSize?: number;
  /** Names stockcast does not use (SageMaker's own `sagemaker_*` left out). */
  ignored: string[];
}

const NAMES: Record<string, keyof Omit<TrainingHyperparameters, 'ignored'>> = {
  model_id: 'modelId', 'model-id': 'modelId',
  config_path: 'configPath', config: 'configPath',
  symbols_path: 'symbolsPath', 'symbols-file': 'symbolsPath',
  max_epochs: 'maxEpochs', 'max-epochs': 'maxEpochs',
  max_minutes: 'maxMinutes', 'max-minutes': 'maxMinutes',
  backend: 'backend',
  threads: 'threads',
  chunk_size: 'chunkSize', 'chunk-size': 'chunkSize',
};
const NUMERIC: Record<string, [min: number, max: number, integer: boolean]> = { maxEpochs: [1, 100_000, true], maxMinutes: [0.01, 10_080, false], threads: [1, 1024, true], chunkSize: [1, 1_000_000, true] };

/** Types the hyperparameters; a bad number is an error naming the hyperparameter and the range. */
export function trainingHyperparameters(hp: Record<string, string>): TrainingHyperparameters {
  const out: TrainingHyperparameters = { ignored: [] };
  for (const [name, value] of Object.entries(hp)) {
    const key = NAMES[name];
    if (!key) {
      if (!name.startsWith('sagemaker_')) out.ignored.push(name);
      continue;
    }
    const range = NUMERIC[key];
    if (!range) {
      (out as unknown as Record<string, string>)[key] = value;
      continue;
    }
    const n = Number(value);
    if (!Number.isFinite(n) || n < range[0] || n > range[1] || (range[2] && !Number.isInteger(n))) {
      throw new Error(`hyperparameter ${name}: expected ${range[2] ? 'an integer' : 'a number'} from ${range[0]} to ${range[1]}, got "${value}"`);
    }
    (out as unknown as Record<string, number>)[key] = n;
  }
  return out;
}

/**
 * Where the feature store is inside a channel: the directory holding `feature=<f>` directories, searched a few levels
 * down (SageMaker keeps the keys' relative paths), returned as an object-store root and prefix.
 */
export function featureRootInChannel(dir: string): { root: string; prefix: string } | null {
  const search = (d: string, depth: number): string | null => {
    const names = readdirSync(d);
    if (names.some((n) => n.startsWith('feature=') && statSync(join(d, n)).isDirectory())) return d;
    if (depth === 0) return null;
    for (const n of names.sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) {
        const found = search(p, depth - 1);
        if (found) return found;
      }
    }
    return null;
  };
  const found = existsSync(dir) ? search(dir, 3) : null;
  if (!found) return null;
  return { root: dirname(found), prefix: basename(found) };
}
