/**
 * The Temporal Fusion Transformer, wired as pytorch-forecasting wires it. Stages (time-major rows, row = t·B + b):
 * embeddings & prescalers → static context (zero without static variables) → encoder/decoder variable selection
 * → LSTM encoder/decoder (initial state from static context) → post-LSTM gate + add & norm → static enrichment
 * → interpretable attention (decoder queries, causal + padding mask) → gate + add & norm → position-wise GRN
 * → pre-output gate + add & norm with the LSTM output → quantile head.
 */
import * as tf from '@tensorflow/tfjs';
import type { TftInputSpec } from '../dataset/tft-batch.js';
import { ParamStore } from './params.js';
import { AddNorm, GateAddNorm, GatedLinearUnit, GatedResidualNetwork, Linear, type Mode } from './layers.js';
import { VariableSelectionNetwork, type SelectedVariable } from './variable-selection.js';
import { LstmLayer } from './lstm.js';
import { InterpretableMultiHeadAttention } from './attention.js';
import { dropout, matMul } from './ops.js';

/** Embedding lookup as one-hot × table: the wasm backend has no gradient kernel for gather. */
function embed(table: tf.Variable, codes: tf.Tensor1D): tf.Tensor2D {
  return matMul(tf.cast(tf.oneHot(codes, table.shape[0]!), 'float32') as tf.Tensor2D, table as tf.Tensor2D);
}

/** Hyperparameters from configs.yaml. */
export interface TftHyperparameters {
  hiddenSize: number;
  attentionHeadSize: number;
  dropout: number;
  hiddenContinuousSize: number;
  lstmLayers: number;
}

/** Time-major model inputs of one batch (built from a TftBatch by `toModelInputs`). */
export interface TftInputs {
  batchSize: number;
  /** Categorical name → Int32 [Tenc·B] / [Tdec·B] codes. */
  encoderCategoricals: Map<string, tf.Tensor1D>;
  decoderCategoricals: Map<string, tf.Tensor1D>;
  /** Real name → [Tenc·B, 1] / [Tdec·B, 1] values (decoder: known reals only). */
  encoderReals: Map<string, tf.Tensor2D>;
  decoderReals: Map<string, tf.Tensor2D>;
  /** Per encoder step, B values: 1 where the step is real, 0 for padding; undefined when no window is short. */
  encoderMasks?: Float32Array[];
  /** Per decoder step, an additive [B, T] attention mask. */
  attentionMasks: tf.Tensor2D[];
}

/** What one forward pass returns: predictions and everything needed to explain them. */
export interface TftOutput {
  /** [Tdec·B, nQuantiles] in the normalized target space, time-major. */
  prediction: tf.Tensor2D;
  /** Per decoder step, head-averaged attention [B, T]. */
  attention: tf.Tensor2D[];
  /** [Tenc·B, nEncoderVars] and [Tdec·B, nDecoderVars] variable-selection weights. */
  encoderWeights: tf.Tensor2D;
  decoderWeights: tf.Tensor2D;
}

/**
 * The variables the encoder and the decoder select from, in the order of their selection weights: categoricals
 * then reals (the decoder: known ones only). Every engine reports its weights in this order.
 */
export function selectedVariables(spec: TftInputSpec, hp: TftHyperparameters): { encoder: SelectedVariable[]; decoder: SelectedVariable[] } {
  const catVar = (c: TftInputSpec['categoricals'][number]): SelectedVariable => ({ name: c.name, size: Math.min(c.embeddingSize, hp.hiddenSize), categorical: true });
  const realVar = (r: TftInputSpec['reals'][number]): SelectedVariable => ({ name: r.name, size: hp.hiddenContinuousSize, categorical: false });
  const encoder = [...spec.categoricals.map(catVar), ...spec.reals.map(realVar)];
  const decoder = [...spec.categoricals.filter((c) => c.known).map(catVar), ...spec.reals.filter((r) => r.known).map(realVar)];
  if (decoder.length === 0) throw new Error('the TFT needs at least one known variable for the decoder (e.g. day_of_week)');
  return { encoder, decoder };
}

/** The TFT model: parameters plus a forward pass. */
export class TemporalFusionTransformer {
  readonly params: ParamStore;
  readonly encoderVariables: SelectedVariable[];
  readonly decoderVariables: SelectedVariable[];
  private readonly embeddings = new Map<string, tf.Variable>();
  private readonly prescalers = new Map<string, Linear>();
  private readonly encoderVsn: VariableSelectionNetwork;
  private readonly decoderVsn: VariableSelectionNetwork;
  private readonly staticContext: Record<'selection' | 'hidden' | 'cell' | 'enrichment', GatedResidualNetwork>;
  private readonly lstmEncoder: LstmLayer[];
  private readonly lstmDecoder: LstmLayer[];
  private readonly postLstmGate: GatedLinearUnit;
  private readonly postLstmAddNorm: AddNorm;
  private readonly staticEnrichment: GatedResidualNetwork;
  private readonly attention: InterpretableMultiHeadAttention;
  private readonly postAttnGateNorm: GateAddNorm;
  private readonly positionWiseFf: GatedResidualNetwork;
  private readonly preOutputGateNorm: GateAddNorm;
  private readonly outputLayer: Linear;

  constructor(readonly spec: TftInputSpec, readonly hp: TftHyperparameters, seed: number) {
    const p = (this.params = new ParamStore(seed));
    const H = hp.hiddenSize;
    const rate = hp.dropout;
    if (spec.staticCategoricals.length > 0 || spec.staticReals.length > 0) {
      throw new Error('static variables are not supported yet: the seed uses none');
    }
    for (const c of spec.categoricals) {
      this.embeddings.set(c.name, p.normal(`input_embeddings.${c.name}`, [c.cardinality, Math.min(c.embeddingSize, H)]));
    }
    for (const r of spec.reals) this.prescalers.set(r.name, new Linear(p, `prescalers.${r.name}`, 1, hp.hiddenContinuousSize));
    const vars = selectedVariables(spec, hp);
    this.encoderVariables = vars.encoder;
    this.decoderVariables = vars.decoder;
    this.encoderVsn = new VariableSelectionNetwork(p, 'encoder_variable_selection', { vars: this.encoderVariables, hidden: H, dropout: rate, contextSize: H, prescalers: this.prescalers });
    this.decoderVsn = new VariableSelectionNetwork(p, 'decoder_variable_selection', { vars: this.decoderVariables, hidden: H, dropout: rate, contextSize: H, prescalers: this.prescalers });
    const square = { inSize: H, hidden: H, outSize: H, dropout: rate };
    this.staticContext = {
      selection: new GatedResidualNetwork(p, 'static_context_variable_selection', square),
      hidden: new GatedResidualNetwork(p, 'static_context_initial_hidden_lstm', square),
      cell: new GatedResidualNetwork(p, 'static_context_initial_cell_lstm', square),
      enrichment: new GatedResidualNetwork(p, 'static_context_enrichment', square),
    };
    this.lstmEncoder = Array.from({ length: hp.lstmLayers }, (_, l) => new LstmLayer(p, `lstm_encoder.${l}`, H, H));
    this.lstmDecoder = Array.from({ length: hp.lstmLayers }, (_, l) => new LstmLayer(p, `lstm_decoder.${l}`, H, H));
    // pytorch-forecasting shares the post-LSTM gate and add & norm between encoder and decoder
    this.postLstmGate = new GatedLinearUnit(p, 'post_lstm_gate_encoder', H, H, rate);
    this.postLstmAddNorm = new AddNorm(p, 'post_lstm_add_norm_encoder', H, H, false);
    this.staticEnrichment = new GatedResidualNetwork(p, 'static_enrichment', { ...square, contextSize: H });
    this.attention = new InterpretableMultiHeadAttention(p, 'multihead_attn', { hidden: H, heads: hp.attentionHeadSize, dropout: rate });
    this.postAttnGateNorm = new GateAddNorm(p, 'post_attn_gate_norm', H, { dropout: rate });
    this.positionWiseFf = new GatedResidualNetwork(p, 'pos_wise_ff', square);
    this.preOutputGateNorm = new GateAddNorm(p, 'pre_output_gate_norm', H, { dropout: 0 });
    this.outputLayer = new Linear(p, 'output_layer', H, spec.quantiles.length);
  }

  /** The forward pass. */
  forward(x: TftInputs, mode: Mode): TftOutput {
    const H = this.hp.hiddenSize;
    const B = x.batchSize;
    const Te = this.spec.encoderLength;
    const Td = this.spec.decoderLength;
    // static context: without static variables the static embedding is zero, so each context is one row
    const zero = tf.zeros([1, H]) as tf.Tensor2D;
    const ctxSelection = this.staticContext.selection.apply(zero, mode);
    const ctxEnrichment = this.staticContext.enrichment.apply(zero, mode);
    const h0 = tf.tile(this.staticContext.hidden.apply(zero, mode), [B, 1]) as tf.Tensor2D;
    const c0 = tf.tile(this.staticContext.cell.apply(zero, mode), [B, 1]) as tf.Tensor2D;

    // variable selection
    const encIn = new Map<string, tf.Tensor2D>(x.encoderReals);
    const decIn = new Map<string, tf.Tensor2D>(x.decoderReals);
    for (const [name, emb] of this.embeddings) {
      encIn.set(name, embed(emb, x.encoderCategoricals.get(name)!));
      if (x.decoderCategoricals.has(name)) decIn.set(name, embed(emb, x.decoderCategoricals.get(name)!));
    }
    const enc = this.encoderVsn.apply(encIn, mode, ctxSelection);
    const dec = this.decoderVsn.apply(decIn, mode, ctxSelection);

    // LSTM encoder and decoder
    let encOut = enc.output;
    let decOut = dec.output;
    for (let l = 0; l < this.hp.lstmLayers; l++) {
      const e = this.lstmEncoder[l]!.apply(encOut, h0, c0, Te, x.encoderMasks);
      const d = this.lstmDecoder[l]!.apply(decOut, e.h, e.c, Td);
      const last = l === this.hp.lstmLayers - 1;
      encOut = last ? e.outputs : dropout(e.outputs, this.hp.dropout, mode.training, mode.nextSeed?.());
      decOut = last ? d.outputs : dropout(d.outputs, this.hp.dropout, mode.training, mode.nextSeed?.());
    }
    const lstmEnc = this.postLstmAddNorm.apply(this.postLstmGate.apply(encOut, mode), enc.output);
    const lstmDec = this.postLstmAddNorm.apply(this.postLstmGate.apply(decOut, mode), dec.output);

    // static enrichment, attention over all steps with decoder queries
    const enrichedEnc = this.staticEnrichment.apply(lstmEnc, mode, ctxEnrichment);
    const enrichedDec = this.staticEnrichment.apply(lstmDec, mode, ctxEnrichment);
    const all = tf.concat([enrichedEnc, enrichedDec], 0) as tf.Tensor2D;
    const attn = this.attention.apply({ all, queries: enrichedDec, steps: Te + Td, decoderSteps: Td, masks: x.attentionMasks }, mode);
    const attnOut = this.postAttnGateNorm.apply(attn.output, enrichedDec, mode);
    const ff = this.positionWiseFf.apply(attnOut, mode);
    const out = this.preOutputGateNorm.apply(ff, lstmDec, mode);
    return {
      prediction: this.outputLayer.apply(out),
      attention: attn.attention,
      encoderWeights: enc.weights,
      decoderWeights: dec.weights,
    };
  }
}
