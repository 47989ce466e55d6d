import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './free-port.js';

/** A running S3-protocol server with one bucket. */
export interface S3Server {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

/**
 * Starts s3rver, an S3-protocol server (HTTP + S3 XML, SigV4 checked), as a separate process on 127.0.0.1.
 * It runs under --openssl-legacy-provider because its ListObjectsV2 continuation tokens use DES.
 */
export async function startS3Server(bucket = 'stockcast-test'): Promise<S3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'sc-s3rver-'));
  const port = await freePort();
  const bin = join(createRequire(import.meta.url).resolve('s3rver/package.json'), '..', 'bin', 's3rver.js');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', bin, '-d', directory, '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', bucket],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${endpoint}/${bucket}`)).status < 500, `s3rver on ${endpoint} (${stderr})`);
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    endpoint,
    bucket,
    // s3rver's built-in account: it verifies request signatures against this key pair
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
