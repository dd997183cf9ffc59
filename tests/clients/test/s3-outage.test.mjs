// S3 trouble: the server's S3 (a moto of this test's own, on its own port) is stopped with SIGSTOP before a PATCH
// and in the middle of one, then continued with SIGCONT.
//
// Why SIGSTOP and not a restart: moto keeps everything in memory, so a restarted moto has forgotten the upload and
// no resume could be shown. A stopped process is what a hung or unreachable S3 looks like to the server (its
// requests time out), while moto keeps its state, so the test can prove both halves: while S3 is stopped the
// client gets a retryable 5xx and never a wrong offset; once it is back the offset is the one recorded before, the
// upload resumes from it and the object is byte-identical.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { MiB } from '../lib/data.mjs';
import { bytesOf } from '../lib/pattern.js';
import { streamPatch } from '../lib/raw.mjs';
import { TusServer, freePort } from '../lib/server.mjs';
import { createUpload, downloadSha256, headUpload, patchUpload, request } from '../lib/tus.mjs';
import { delay } from '../lib/wait.mjs';

// Where scripts/services.sh finds it too: on PATH, or pyenv's shim when pip installed it there.
const PYENV_MOTO = join(homedir(), '.pyenv', 'shims', 'moto_server');
const MOTO = process.env.TUS_MOTO_SERVER ?? (existsSync(PYENV_MOTO) ? PYENV_MOTO : 'moto_server');

/** Starts a private moto on a free loopback port; resolves when it answers HTTP (bounded). */
async function startMoto() {
  const port = await freePort();
  const child = spawn(MOTO, ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const failed = new Promise((_, reject) => {
    child.once('error', (error) => reject(new Error(`${MOTO} could not start (${error.message}); ` +
      'install moto[server]==5.2.1 (scripts/services.sh start s3 does) or set TUS_MOTO_SERVER')));
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const answered = await Promise.race([
      request(`${url}/`, { timeoutMs: 2_000 }).then(() => true, () => false),
      failed,
    ]);
    if (answered) return { child, url };
    await delay(200);
  }
  child.kill('SIGKILL');
  throw new Error(`private moto on ${url} did not answer within 30 s`);
}

const bufferOf = (seed, size) => {
  const bytes = bytesOf(seed, 0, size);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

const sha256 = (buffer) => createHash('sha256').update(buffer).digest('hex');

describe('S3 stopped and continued under a running server', () => {
  let moto;
  let server;

  before(async () => {
    moto = await startMoto();
    server = await TusServer.start({
      name: 's3-outage',
      settings: {
        'Store:Kind': 's3',
        'Store:S3:ServiceUrl': moto.url,
        'Store:S3:Bucket': 'tus-outage',
        'Store:S3:AccessKey': 'test',
        'Store:S3:SecretKey': 'test',
        'Store:S3:CreateBucket': 'true',
        'Store:S3:PartSize': String(5 * MiB),
        'Store:S3:RequestTimeout': '00:00:02',
        'Store:S3:MaxRetries': '0',
        'Tus:MaxSize': String(64 * MiB),
      },
    });
  });

  after(async () => {
    moto?.child.kill('SIGCONT');
    await server?.dispose();
    moto?.child.kill('SIGKILL');
  });

  const stopS3 = () => moto.child.kill('SIGSTOP');
  const continueS3 = () => moto.child.kill('SIGCONT');

  test('stopped before a PATCH: HEAD and PATCH get 503, the offset is unchanged, the upload then completes', async () => {
    const size = 12 * MiB;
    const input = bufferOf(31, size);
    const url = await createUpload(server.endpoint, size);
    const first = await patchUpload(url, 0, input.subarray(0, 6 * MiB));
    assert.equal(first.status, 204, server.logTail());

    stopS3();
    let headWhileStopped;
    let patchWhileStopped;
    try {
      headWhileStopped = await headUpload(url);
      patchWhileStopped = await patchUpload(url, 6 * MiB, input.subarray(6 * MiB, 8 * MiB));
    } finally {
      continueS3();
    }
    const headAfter = await headUpload(url);
    const rest = await patchUpload(url, headAfter.offset, input.subarray(headAfter.offset));
    const download = await downloadSha256(url);

    assert.equal(headWhileStopped.status, 503, `HEAD while S3 is stopped\n${server.logTail()}`);
    assert.equal(patchWhileStopped.status, 503, `PATCH while S3 is stopped\n${server.logTail()}`);
    assert.equal(headAfter.offset, 6 * MiB);
    assert.equal(rest.status, 204, server.logTail());
    assert.equal(download.sha256, sha256(input));
  });

  test('stopped in the middle of a PATCH: retryable 5xx, then resume from the recorded offset', async () => {
    const size = 14 * MiB;
    const input = bufferOf(32, size);
    const url = await createUpload(server.endpoint, size);
    const stopAtByte = 7 * MiB;
    let stopped = false;

    const cut = await streamPatch({
      url,
      offset: 0,
      length: size,
      pauseMs: 2,
      timeoutMs: 60_000,
      bytes: (start, end) => {
        if (!stopped && start >= stopAtByte) {
          stopped = true;
          stopS3();
        }
        return input.subarray(start, end);
      },
    });
    let headWhileStopped;
    try {
      headWhileStopped = await headUpload(url);
    } finally {
      continueS3();
    }
    const headAfter = await headUpload(url);
    const rest = await patchUpload(url, headAfter.offset, input.subarray(headAfter.offset));
    const download = await downloadSha256(url);

    assert.ok(stopped, 'the PATCH never reached the byte at which S3 was to be stopped');
    assert.ok(cut.status === null || (cut.status >= 500 && cut.status <= 599),
      `the cut PATCH answered ${cut.status} (${cut.error}); expected a retryable 5xx or a cut connection\n` +
      server.logTail());
    assert.equal(headWhileStopped.status, 503, `HEAD while S3 is stopped\n${server.logTail()}`);
    assert.ok(headAfter.offset <= stopAtByte + 5 * MiB, `offset ${headAfter.offset} counts bytes S3 never stored`);
    assert.equal(rest.status, 204, server.logTail());
    assert.equal(download.sha256, sha256(input));
  });
});
