import type { ObjectStore } from '../store/object-store.js';
import type { TftBatch } from '../dataset/tft-batch.js';
import { TimeSeriesDataset, type PreparedData, type WindowIndex } from '../dataset/time-series-dataset.js';
import { TemporalFusionTransformer, type TftHyperparameters } from '../model/tft.js';
import { loadArtifact, saveArtifact, type ArtifactMeta } from '../model/artifact.js';
import { STOCKCAST_VERSION } from '../core/version.js';
import type { WideFrame } from '../core/wide-frame.js';
import { median, round, secondsSince } from './bench-stats.js';
import type { BenchEngines } from './tft-engine.js';
import { PROTOCOL } from './tft-protocol.js';

/** A model as `predict` gets it: loaded from its artifact, with the dataset state stored beside the weights. */
export interface LoadedModel {
  model: TemporalFusionTransformer;
  hyperparameters: TftHyperparameters;
  dataset: TimeSeriesDataset;
  data: PreparedData;
  /** Artifact download/unpack plus preparing the frame with the loaded dataset state. */
  loadSeconds: number;
}

/** Saves a model as a stockcast artifact (what `train` publishes), so inference is timed on a freshly loaded one. */
export async function saveBenchArtifact(store: ObjectStore, modelId: string, model: TemporalFusionTransformer, hp: TftHyperparameters, dataset: TimeSeriesDataset, backend: string): Promise<void> {
  const meta: ArtifactMeta = {
    format: 'stockcast-tft/1',
    modelId,
    hyperparameters: hp,
    dataset: dataset.state,
    manifest: model.params.manifest(),
    training: {
      config: { id: modelId, benchmark: 'REFERENCE.md throughput' },
      dataRange: { first: dataset.state.trainStart, last: dataset.state.valEnd, symbols: 0 },
      epochs: 0,
      bestEpoch: -1,
      bestValLoss: Number.NaN,
      naiveValLoss: Number.NaN,
      stoppedBy: 'benchmark',
      history: [],
      backend,
      stockcastVersion: STOCKCAST_VERSION,
      createdAt: new Date().toISOString(),
      seed: PROTOCOL.seed,
    },
  };
  await saveArtifact(store, meta, model.params.flatten());
}

/** Loads an artifact anew and prepares the frame with its dataset state. */
export async function loadForPredict(store: ObjectStore, modelId: string, frame: WideFrame): Promise<LoadedModel> {
  const t0 = performance.now();
  const { meta, weights } = await loadArtifact(store, modelId);
  const dataset = TimeSeriesDataset.fromState(meta.dataset);
  const data = dataset.prepare(frame);
  const model = new TemporalFusionTransformer(dataset.spec(), meta.hyperparameters, 0);
  model.params.load(weights, meta.manifest);
  return { model, hyperparameters: meta.hyperparameters, dataset, data, loadSeconds: secondsSince(t0) };
}

/** Inference over windows as `predict` runs it (batch building included), repeated on freshly loaded models. */
export interface InferenceFigures {
  samples: number;
  /** Median over the runs. */
  inferSps: number;
  runsSps: number[];
  loadSecondsMedian: number;
  /** Cores the predict path uses today. */
  threads: number;
}

/** Times `predict` over the windows `repeats` times, each on a model loaded anew from the artifact. */
export async function timeInference(engines: BenchEngines, threads: number, store: ObjectStore, modelId: string, frame: WideFrame, windows: WindowIndex, repeats: number, label: string): Promise<InferenceFigures> {
  const rates: number[] = [];
  const loads: number[] = [];
  let used = 1;
  for (let r = 0; r < repeats; r++) {
    const m = await loadForPredict(store, modelId, frame);
    loads.push(m.loadSeconds);
    const engine = await engines.inference(m.model, m.hyperparameters, threads);
    used = engine.threads;
    const t0 = performance.now();
    engine.predictWindows(m.dataset, m.data, windows);
    const s = secondsSince(t0);
    rates.push(windows.length / s);
    await engine.close();
    m.model.params.dispose();
    process.stderr.write(`${label}: predict ${windows.length} windows in ${s.toFixed(1)}s (run ${r + 1}/${repeats})\n`);
  }
  return { samples: windows.length, inferSps: Math.round(median(rates)), runsSps: rates.map(Math.round), loadSecondsMedian: round(median(loads)), threads: used };
}

/** The forward pass alone over prebuilt batches (no batch building, no gradients), as the harness's forward_sps. */
export interface ForwardFigures {
  samples: number;
  forwardSps: number;
  runsSps: number[];
  /** Building the validation batches beforehand (the harness's val_fetch_sps). */
  batchBuildSps: number;
}

/** Builds the validation batches of 2,048 once, then times forward passes (with the map back to dollars) over them. */
export async function timeForward(engines: BenchEngines, threads: number, m: LoadedModel, windows: WindowIndex, repeats: number, label: string): Promise<ForwardFigures> {
  const engine = await engines.inference(m.model, m.hyperparameters, threads);
  const B = PROTOCOL.batchSize;
  const order = Int32Array.from({ length: windows.length }, (_, i) => i);
  const t0 = performance.now();
  const batches: TftBatch[] = [];
  for (let from = 0; from < windows.length; from += B) batches.push(m.dataset.buildBatch(m.data, windows, order, from, Math.min(from + B, windows.length)));
  const buildSeconds = secondsSince(t0);
  const rates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t1 = performance.now();
    for (const batch of batches) engine.forwardBatch(batch);
    const s = secondsSince(t1);
    rates.push(windows.length / s);
    process.stderr.write(`${label}: forward only ${windows.length} windows in ${s.toFixed(1)}s (run ${r + 1}/${repeats})\n`);
  }
  await engine.close();
  return { samples: windows.length, forwardSps: Math.round(median(rates)), runsSps: rates.map(Math.round), batchBuildSps: Math.round(windows.length / buildSeconds) };
}
