import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** A running S3-protocol server with one bucket. */
export interface S3Server {
  endpoint: string;
  bucket: string;
  /** s3rver's built-in account: it refuses other access key ids (SigV4 signatures themselves it does not verify). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

// Runs inside the child: s3rver on 127.0.0.1, port 0, silent, one bucket; prints the port; exits when stdin closes
// (so an aborted test run never leaves a server behind).
const CHILD_SCRIPT = `
const S3rver = require(process.argv[1]);
const [directory, bucket] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
server.run().then((addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'), (err) => { console.error(err); process.exit(1); });
process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
process.stdin.resume();
`;

/**
 * Starts s3rver (HTTP + S3 XML, access key checked) with a temp directory and a pre-created bucket, for tests and
 * the S3 benchmark (s3rver is a development dependency: outside a development checkout this throws). It runs in a
 * child process under --openssl-legacy-provider because its ListObjectsV2 continuation tokens use DES, which
 * Node 20's OpenSSL 3 refuses by default — and that flag must not leak into the test process itself.
 */
export async function startS3Server(bucket = 'stockcast-test'): Promise<S3Server> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('s3rver');
  } catch (err) {
    throw new Error('s3rver (a development dependency) is not installed: run `npm ci` in a stockcast checkout', { cause: err });
  }
  const directory = await mkdtemp(join(tmpdir(), 'sc-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT, entry, directory, bucket], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const lines = createInterface({ input: child.stdout });
      lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code} before listening: ${stderr.trim()}`)));
    });
  } catch (err) {
    await rm(directory, { recursive: true, force: true });
    throw err;
  }
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.stdin.end();
      await exited;
      await rm(directory, { recursive: true, force: true });
    },
  };
}
