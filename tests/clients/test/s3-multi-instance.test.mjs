// Two server instances (separate processes) on one PostgreSQL (lease lock) and one S3 (moto): tus-js-client
// uploads through a round-robin balancer, survives kill -9 of the instance receiving its PATCH (at seeded random
// points, resumed on the other instance), and two PATCHes for one upload sent to both instances never interleave.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { runUpload, withServerLog } from '../lib/client.mjs';
import { MiB } from '../lib/data.mjs';
import { bytesOf } from '../lib/pattern.js';
import { streamPatch } from '../lib/raw.mjs';
import { TusServer } from '../lib/server.mjs';
import { createUpload, downloadSha256, headUpload, patchUpload } from '../lib/tus.mjs';
import { within } from '../lib/wait.mjs';

const KILL_ROUNDS = 10;
const SEED = Number(process.env.TUS_FAULT_SEED ?? 20261204);

function requireVariable(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run scripts/test.sh, or start the services with 'bash scripts/services.sh ` +
    `start postgres s3' and eval "$(bash scripts/services.sh env)"`);
  return value;
}

/** Settings of one instance of the multi-instance deployment: S3 store, PostgreSQL lease lock. */
export function s3Settings(bucket, extra = {}) {
  return {
    'Store:Kind': 's3',
    'Store:S3:ServiceUrl': requireVariable('TUS_TEST_S3'),
    'Store:S3:Bucket': bucket,
    'Store:S3:AccessKey': 'test',
    'Store:S3:SecretKey': 'test',
    'Store:S3:CreateBucket': 'true',
    'Store:S3:PartSize': String(5 * MiB),
    'Locking:Kind': 'postgres',
    'Postgres:ConnectionString': requireVariable('TUS_TEST_POSTGRES'),
    'Tus:MaxSize': String(256 * MiB),
    'Tus:LockTakeoverTimeout': '00:00:03',
    ...extra,
  };
}

/** mulberry32, so a failing run can be repeated with TUS_FAULT_SEED. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A minimal HTTP load balancer on 127.0.0.1: forwards each request (Host header unchanged, so upload URLs point
 * at the balancer) to `pick()`'s instance, and can run `onPatchBytes(total)` while a PATCH body passes through.
 */
async function startBalancer(pick) {
  const balancer = { onPatchBytes: null, requests: [] };
  const server = http.createServer((incoming, outgoing) => {
    const target = pick(incoming);
    balancer.requests.push(`${incoming.method} -> ${target.name}`);
    const upstream = http.request({
      host: '127.0.0.1',
      port: target.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      agent: false,
    });
    upstream.on('response', (response) => {
      outgoing.writeHead(response.statusCode, response.headers);
      response.pipe(outgoing);
      response.on('error', () => outgoing.destroy());
    });
    // The instance died: the client sees a broken connection, as behind a real balancer.
    upstream.on('error', () => outgoing.destroy());
    let forwarded = 0;
    incoming.on('data', (piece) => {
      forwarded += piece.length;
      if (incoming.method === 'PATCH') balancer.onPatchBytes?.(forwarded, target);
    });
    incoming.on('error', () => upstream.destroy());
    incoming.pipe(upstream);
  });
  await new Promise((ready) => server.listen(0, '127.0.0.1', ready));
  balancer.endpoint = `http://127.0.0.1:${server.address().port}/files/`;
  balancer.close = () => new Promise((closed) => {
    server.closeAllConnections();
    server.close(closed);
  });
  return balancer;
}

const bufferOf = (seed, size) => {
  const bytes = bytesOf(seed, 0, size);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

const sha256 = (...buffers) => {
  const hash = createHash('sha256');
  for (const buffer of buffers) hash.update(buffer);
  return hash.digest('hex');
};

describe('two instances on one PostgreSQL and one S3', () => {
  const bucket = `tus-multi-${randomUUID().slice(0, 8)}`;
  let first;
  let second;

  before(async () => {
    first = await TusServer.start({ name: 's3-first', settings: s3Settings(bucket, { 'Locking:Postgres:InstanceId': 'first' }) });
    second = await TusServer.start({ name: 's3-second', settings: s3Settings(bucket, { 'Locking:Postgres:InstanceId': 'second' }) });
    first.name = 'first';
    second.name = 'second';
  });

  after(async () => {
    await first?.dispose();
    await second?.dispose();
  });

  const logs = () => `${first.logTail(40)}\n${second.logTail(40)}`;

  test('tus-js-client upload through a round-robin balancer completes byte-identical', async () => {
    let turn = 0;
    const balancer = await startBalancer(() => ((turn++ % 2 === 0) ? first : second));
    try {
      const input = bufferOf(SEED, 12 * MiB + 12345);

      const upload = await runUpload(input, { endpoint: balancer.endpoint, chunkSize: 2 * MiB }, { timeoutMs: 120_000 })
        .catch((error) => { throw new Error(`${error.message}\n${logs()}`); });
      const download = await downloadSha256(upload.url);

      assert.equal(download.sha256, sha256(input));
      assert.ok(balancer.requests.some((line) => line === 'PATCH -> first'), balancer.requests.join(', '));
      assert.ok(balancer.requests.some((line) => line === 'PATCH -> second'), balancer.requests.join(', '));
    } finally {
      await balancer.close();
    }
  });

  test(`kill -9 of the instance receiving the PATCH, ${KILL_ROUNDS} times at random points, resumes on the other`, async () => {
    const random = seededRandom(SEED);
    let current = first;
    const balancer = await startBalancer(() => current);
    try {
      for (let round = 0; round < KILL_ROUNDS; round++) {
        const size = 8 * MiB + Math.floor(random() * MiB);
        const killAt = Math.floor((0.05 + 0.9 * random()) * size);
        const input = bufferOf(SEED + round, size);
        let killed = null;
        balancer.onPatchBytes = (forwarded, target) => {
          if (killed || forwarded < killAt || target !== current) return;
          killed = current;
          current = current === first ? second : first;
          killed.kill9();
        };

        const upload = await withServerLog(current, () => runUpload(
          input,
          { endpoint: balancer.endpoint, retryDelays: [0, 500, 1000, 2000, 3000] },
          { timeoutMs: 90_000 },
        ));
        balancer.onPatchBytes = null;
        const download = await downloadSha256(upload.url);

        assert.ok(killed, `round ${round}: the kill at byte ${killAt} of ${size} never happened`);
        assert.equal(download.sha256, sha256(input), `round ${round}: killed at ${killAt} of ${size}`);
        await within(60_000, `restart of ${killed.name}`, killed.restart());
      }
    } finally {
      await balancer.close();
    }
  });

  test('two PATCHes for one upload sent to both instances at once never interleave', async () => {
    const size = 6 * MiB;
    const ours = bufferOf(SEED + 100, size);
    const theirs = bufferOf(SEED + 200, size);
    const url = await createUpload(first.endpoint, size);
    const path = new URL(url).pathname;

    const results = await within(60_000, 'two concurrent PATCHes', Promise.all([
      streamPatch({ url: `${first.baseUrl}${path}`, offset: 0, length: size, bytes: (s, e) => ours.subarray(s, e),
        pauseMs: 10 }),
      new Promise((started) => setTimeout(started, 300)).then(() => streamPatch({
        url: `${second.baseUrl}${path}`, offset: 0, length: size, bytes: (s, e) => theirs.subarray(s, e), pauseMs: 10,
      })),
    ]));
    const head = await headUpload(`${second.baseUrl}${path}`);
    const offset = head.offset;
    if (offset < size) {
      const rest = await patchUpload(`${first.baseUrl}${path}`, offset, ours.subarray(offset));
      assert.equal(rest.status, 204, `finishing PATCH answered ${rest.status}`);
    }
    const download = await downloadSha256(`${first.baseUrl}${path}`);

    for (const result of results) {
      assert.ok(result.status === null || [204, 409, 423].includes(result.status),
        `a PATCH answered ${result.status} (${result.error}); expected 204, 409, 423 or a cut connection\n${logs()}`);
    }
    assert.equal(head.status, 200);
    const allOurs = sha256(ours);
    const theirsThenOurs = sha256(theirs.subarray(0, offset), ours.subarray(offset));
    assert.ok([allOurs, theirsThenOurs].includes(download.sha256),
      `the stored bytes mix both PATCHes (offset after both: ${offset}); statuses ${results.map((r) => r.status)}`);
  });
});
