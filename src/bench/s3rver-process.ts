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
//
// s3rver 3.7 lacks two S3 guarantees the adapter relies on, so the child adds them in front of its handlers:
// - atomic PUT: S3 shows the old object or the new one, never a partial one; s3rver truncates the object file in
//   place and answers before it is flushed. Here a PUT writes a temp file and renames it, and every request on
//   one key runs after the previous one finished its metadata (a GET streams from a file it already opened).
// - conditional writes (S3 since 2024): a PUT with If-None-Match: * fails with 412 PreconditionFailed when the
//   key exists, one with If-Match: <etag> with 412 when the ETag differs (404 NoSuchKey when the key is gone).
const CHILD_SCRIPT = `
const path = require('path');
const fs = require('fs');
const crypto = require('crypto');
const S3rver = require(process.argv[1]);
const S3Error = require(path.join(path.dirname(process.argv[1]), 'models', 'error'));
const [directory, bucket, conditional] = process.argv.slice(2);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
const store = server.store;
store.putObject = async (object) => {
  const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
  fs.mkdirSync(path.dirname(objectPath), { recursive: true });
  const tmp = objectPath + '.' + crypto.randomBytes(6).toString('hex') + '.upload';
  const md5 = crypto.createHash('md5');
  let size = 0;
  await new Promise((resolve, reject) => {
    const out = fs.createWriteStream(tmp).on('error', reject).on('close', resolve);
    if (Buffer.isBuffer(object.content)) { md5.update(object.content); size = object.content.length; out.end(object.content); return; }
    object.content.on('error', reject).on('data', (c) => { md5.update(c); size += c.length; }).pipe(out);
  });
  const digest = md5.digest('hex');
  fs.renameSync(tmp, objectPath);
  await store.putMetadata(object.bucket, object.key, object.metadata, digest);
  return { size, md5: digest };
};
const queues = new Map();
async function conditions(ctx) {
  const ifMatch = ctx.get('if-match');
  const ifNoneMatch = ctx.get('if-none-match');
  if (conditional !== 'yes' || ctx.method !== 'PUT' || (!ifMatch && !ifNoneMatch) || ctx.get('x-amz-copy-source')) return;
  const [, b, ...rest] = decodeURIComponent(ctx.path).split('/');
  const key = rest.join('/');
  const exists = await store.existsObject(b, key);
  const etag = exists ? (await store.getMetadata(b, key)).etag : null;
  let failed;
  if (ifNoneMatch === '*' && exists) failed = new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
  else if (ifMatch && !exists) failed = new S3Error('NoSuchKey', 'The specified key does not exist.', { Key: key });
  else if (ifMatch && ifMatch !== '*' && ifMatch !== etag) failed = new S3Error('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
  if (!failed) return;
  ctx.req.resume();
  await new Promise((resolve) => ctx.req.once('end', resolve).once('error', resolve));
  throw failed;
}
server.middleware.unshift(async (ctx, next) => {
  const key = ctx.path;
  const before = queues.get(key) ?? Promise.resolve();
  let done;
  const mine = new Promise((resolve) => (done = resolve));
  const tail = before.then(() => mine);
  queues.set(key, tail);
  await before;
  try {
    await conditions(ctx);
    await next();
  } finally {
    done();
    if (queues.get(key) === tail) queues.delete(key);
  }
});
server.run().then((addr) => process.stdout.write(JSON.stringify({ port: addr.port }) + '\\n'), (err) => { console.error(err); process.exit(1); });
process.stdin.on('end', () => server.close().finally(() => process.exit(0)));
process.stdin.resume();
`;

/**
 * Starts s3rver (HTTP + S3 XML, access key checked; atomic and conditional PUTs added, see above) with a temp
 * directory and a pre-created bucket, for tests and the S3 benchmark (s3rver is a development dependency: outside a
 * development checkout this throws). `conditionalWrites: false` leaves s3rver ignoring If-Match/If-None-Match,
 * like an S3-compatible server without them. It runs in a
 * child process under --openssl-legacy-provider because its ListObjectsV2 continuation tokens use DES, which
 * Node 20's OpenSSL 3 refuses by default — and that flag must not leak into the test process itself.
 */
export async function startS3Server(bucket = 'stockcast-test', options: { conditionalWrites?: boolean } = {}): Promise<S3Server> {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('s3rver');
  } catch (err) {
    throw new Error('s3rver (a development dependency) is not installed: run `npm ci` in a stockcast checkout', { cause: err });
  }
  const directory = await mkdtemp(join(tmpdir(), 'sc-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', CHILD_SCRIPT, entry, directory, bucket, options.conditionalWrites === false ? 'no' : 'yes'], {
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
