import type { ObjectStore } from '../store/object-store.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import type { PreparedData, WindowIndex } from '../dataset/time-series-dataset.js';
import type { TimeSeriesDataset } from '../dataset/time-series-dataset.js';
import type { TftHyperparameters } from '../model/tft.js';
import type { ParamEntry } from '../model/params.js';
import { saveArtifact, type ArtifactMeta } from '../model/artifact.js';
import { TrainedModel } from '../model/trained-model.js';
import type { EngineFactory } from '../model/inference-engine.js';
import { quantileLoss } from '../model/quantile-loss.js';
import { STOCKCAST_VERSION } from '../core/version.js';
import type { WideFrame } from '../core/wide-frame.js';
import { median, round, secondsSince } from './bench-stats.js';
import { PROTOCOL } from './tft-protocol.js';

/** What a benchmark artifact is made of: the trained weights with their manifest, hyperparameters and dataset. */
export interface BenchModel {
  modelId: string;
  hyperparameters: TftHyperparameters;
  dataset: TimeSeriesDataset;
  manifest: ParamEntry[];
  weights: Float32Array;
  backend: string;
}

/** Saves a model as a stockcast artifact (what `train` publishes), so inference is timed on a freshly loaded one. */
export async function saveBenchArtifact(store: ObjectStore, m: BenchModel): Promise<void> {
  const meta: ArtifactMeta = {
    format: 'stockcast-tft/1',
    modelId: m.modelId,
    hyperparameters: m.hyperparameters,
    dataset: m.dataset.state,
    manifest: m.manifest,
    training: {
      config: { id: m.modelId, benchmark: 'REFERENCE.md throughput' },
      dataRange: { first: m.dataset.state.trainStart, last: m.dataset.state.valEnd, symbols: 0 },
      epochs: 0,
      bestEpoch: -1,
      bestValLoss: Number.NaN,
      naiveValLoss: Number.NaN,
      stoppedBy: 'benchmark',
      history: [],
      backend: m.backend,
      stockcastVersion: STOCKCAST_VERSION,
      createdAt: new Date().toISOString(),
      seed: PROTOCOL.seed,
    },
  };
  await saveArtifact(store, meta, m.weights);
}

/** A model as `predict` gets it: loaded from its artifact onto an engine, and the frame prepared with its stored dataset state. */
export interface LoadedModel {
  model: TrainedModel;
  data: PreparedData;
  /** Artifact download/unpack, engine start and preparing the frame. */
  loadSeconds: number;
}

/** Loads an artifact anew onto the engine and prepares the frame with its dataset state. */
export async function loadForPredict(store: ObjectStore, modelId: string, frame: WideFrame, engine: EngineFactory): Promise<LoadedModel> {
  const t0 = performance.now();
  const model = await TrainedModel.load(store, modelId, { engine });
  const data = model.dataset.prepare(frame);
  return { model, data, loadSeconds: secondsSince(t0) };
}

/** Inference over windows as `predict` runs it (batch building included), repeated on freshly loaded models. */
export interface InferenceFigures {
  samples: number;
  /** Median over the runs. */
  inferSps: number;
  runsSps: number[];
  loadSecondsMedian: number;
  /** Cores the forward passes ran on. */
  threads: number;
  /** Quantile loss of the forecasts (target units): the same model on any engine gives the same figure. */
  validationLoss: number;
}

/** Times `TrainedModel.forecastWindows` over the windows `repeats` times, each on a model loaded anew from the artifact. */
export async function timeInference(engine: EngineFactory, store: ObjectStore, modelId: string, frame: WideFrame, windows: WindowIndex, repeats: number, label: string): Promise<InferenceFigures> {
  const rates: number[] = [];
  const loads: number[] = [];
  let threads = 1;
  let loss = NaN;
  for (let r = 0; r < repeats; r++) {
    const m = await loadForPredict(store, modelId, frame, engine);
    try {
      loads.push(m.loadSeconds);
      threads = m.model.threads;
      const t0 = performance.now();
      const f = await m.model.forecastWindows(m.data, windows);
      const s = secondsSince(t0);
      rates.push(windows.length / s);
      loss = quantileLoss(f.actual, f.pred, m.model.dataset.state.quantiles);
      process.stderr.write(`${label}: predict ${windows.length} windows in ${s.toFixed(1)}s on ${threads} thread(s) (run ${r + 1}/${repeats})\n`);
    } finally {
      m.model.dispose();
    }
  }
  return { samples: windows.length, inferSps: Math.round(median(rates)), runsSps: rates.map(Math.round), loadSecondsMedian: round(median(loads)), threads, validationLoss: round(loss, 4) };
}

/** The forward pass alone over prebuilt batches (no batch building, no gradients), as the harness's forward_sps. */
export interface ForwardFigures {
  samples: number;
  forwardSps: number;
  runsSps: number[];
  /** Building the validation batches beforehand (the harness's val_fetch_sps). */
  batchBuildSps: number;
}

/** Builds the validation batches of 2,048 once, then times the loaded model's forward passes (mapped back to target units) over them. */
export async function timeForward(m: LoadedModel, windows: WindowIndex, repeats: number, label: string): Promise<ForwardFigures> {
  const B = PROTOCOL.batchSize;
  const order = Int32Array.from({ length: windows.length }, (_, i) => i);
  const t0 = performance.now();
  const batches: TftBatch[] = [];
  for (let from = 0; from < windows.length; from += B) batches.push(m.model.dataset.buildBatch(m.data, windows, order, from, Math.min(from + B, windows.length)));
  const buildSeconds = secondsSince(t0);
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t1 = performance.now();
    for (const batch of batches) await m.model.predictBatch(batch);
    const s = secondsSince(t1);
    rates.push(windows.length / s);
    process.stderr.write(`${label}: forward only ${windows.length} windows in ${s.toFixed(1)}s (run ${r + 1}/${repeats})\n`);
  }
  return { samples: windows.length, forwardSps: Math.round(median(rates)), runsSps: rates.map(Math.round), batchBuildSps: Math.round(windows.length / buildSeconds) };
}
