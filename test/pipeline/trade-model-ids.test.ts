import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tradeModel, type TradePorts } from '../../src/pipeline/trade-model.js';

test('tradeModel refuses a traversal model id before it builds a lock path from it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sc-trade-id-'));
  try {
    await mkdir(join(dir, 'victim'));
    await writeFile(join(dir, 'victim', 'yarn.lock'), 'precious');
    const unused = () => Promise.reject(new Error('no port may be opened'));
    const ports = { broker: unused, ledger: unused, features: unused, models: unused, sources: { bars: unused, earnings: unused, unavailableBarFeatures: () => [] } } as unknown as TradePorts;
    await assert.rejects(
      tradeModel({ modelId: 'x/../../../victim/yarn', locksDir: join(dir, 'locks'), execute: false, backend: 'cpu', ports, log: () => {} }),
      /model id: invalid value "x\/\.\.\/\.\.\/\.\.\/victim\/yarn"/,
    );
    assert.equal(await readFile(join(dir, 'victim', 'yarn.lock'), 'utf8'), 'precious');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
