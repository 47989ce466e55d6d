import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend, isPackageInstalled } from '../../src/model/backend.js';

// @tensorflow/tfjs-node-gpu cannot install here (its install downloads libtensorflow with CUDA): the backend must
// say what it needs instead of falling back silently.
test('tensorflow-gpu without @tensorflow/tfjs-node-gpu is a clear error naming the package and the alternatives', async () => {
  assert.equal(isPackageInstalled('@tensorflow/tfjs-node-gpu'), false);
  assert.equal(isPackageInstalled('@tensorflow/tfjs'), true);
  await assert.rejects(initBackend('tensorflow-gpu'), /backend "tensorflow-gpu" needs @tensorflow\/tfjs-node-gpu with CUDA 11\.2 and cuDNN 8 .* use --backend native or wasm/);
});
