// Process and network faults against the real server: kill -9 in the middle of a large PATCH (repeated at seeded
// random points), a client that goes silent mid-body, and two concurrent PATCHes on one upload.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import * as tus from 'tus-js-client';

import { runUpload, withServerLog } from '../lib/client.mjs';
import { MiB, patternSha256, sha256 } from '../lib/data.mjs';
import { bytesOf } from '../lib/pattern.js';
import { streamPatch } from '../lib/raw.mjs';
import { TusServer } from '../lib/server.mjs';
import { createUpload, downloadSha256, headUpload, patchUpload, request } from '../lib/tus.mjs';
import { delay, within } from '../lib/wait.mjs';

/** mulberry32: small seeded PRNG for the kill points, so a failing run can be repeated with TUS_FAULT_SEED. */
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

/** Streams a GET download and returns the first position whose byte differs from `expected(p)`, or -1. */
function firstDifference(url, expectedAt) {
  return new Promise((settle, reject) => {
    const outgoing = http.get(url, { agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`GET ${url} answered ${response.statusCode}`));
        response.resume();
        return;
      }
      let position = 0;
      let found = -1;
      response.on('data', (piece) => {
        if (found >= 0) return;
        const expected = expectedAt(position, position + piece.length);
        for (let i = 0; i < piece.length; i++) {
          if (piece[i] !== expected[i]) {
            found = position + i;
            break;
          }
        }
        position += piece.length;
      });
      response.on('end', () => settle(found));
      response.on('error', reject);
    });
    outgoing.setTimeout(60_000, () => outgoing.destroy(new Error(`GET ${url} timed out`)));
    outgoing.on('error', reject);
  });
}

/** First position in [start, end) where the file's bytes differ from `expectedAt`, or -1 if they all match. */
async function firstFileDifference(path, start, end, expectedAt) {
  if (end <= start) return -1;
  let position = start;
  for await (const piece of createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 })) {
    const expected = expectedAt(position, position + piece.length);
    for (let i = 0; i < piece.length; i++) {
      if (piece[i] !== expected[i]) return position + i;
    }
    position += piece.length;
  }
  return position < end ? position : -1;
}

/**
 * Holds the SQLite ledger's write lock for `holdMs` from another process, as a backup tool would (python3's sqlite3;
 * python3 is already needed for the S3 server). Resolves once the lock is held, with a promise of the holder's exit.
 */
async function lockLedger(ledgerPath, holdMs) {
  const script = 'import sqlite3, sys, time\n'
    + 'db = sqlite3.connect(sys.argv[1], isolation_level=None)\n'
    + 'db.execute("BEGIN EXCLUSIVE")\n'
    + 'print("locked", flush=True)\n'
    + 'time.sleep(float(sys.argv[2]))\n'
    + 'db.execute("ROLLBACK")\n';
  const holder = spawn('python3', ['-c', script, ledgerPath, String(holdMs / 1000)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((done) => holder.once('exit', (code) => done(code)));
  await within(10_000, 'locking the ledger', new Promise((locked, failed) => {
    holder.stdout.once('data', () => locked());
    holder.once('error', failed);
    exited.then((code) => failed(new Error(`the ledger lock holder exited early with ${code}`)));
  }));
  return { exited };
}

const IDLE_SETTINGS = { 'Tus:IdleTimeout': '00:00:02', 'Tus:MaxSize': String(1024 * MiB) };

describe('Faults', { timeout: 420_000 }, () => {
  const servers = [];

  after(async () => {
    for (const server of servers) await server.dispose();
  });

  async function startServer(name) {
    const server = await TusServer.start({ name, settings: IDLE_SETTINGS });
    servers.push(server);
    return server;
  }

  test('tus-js-client terminating an upload while another process locks the ledger: the DELETE answered 503 is ' +
    'retried until the termination is recorded', { timeout: 60_000 }, async (t) => {
    const server = await TusServer.start({ name: 'terminate-busy', settings: { 'Ledger:BusyTimeout': '00:00:01' } });
    servers.push(server);
    await withServerLog(server, async () => {
      const url = await createUpload(server.endpoint, 10);
      const id = new URL(url).pathname.split('/').pop();
      const statuses = [];

      const holder = await lockLedger(join(server.root, 'ledger.db'), 3_000);
      await within(30_000, 'tus-js-client terminate', tus.Upload.terminate(url, {
        retryDelays: [0, 1000, 3000, 5000],
        onAfterResponse: (_, response) => {
          statuses.push(response.getStatus());
        },
      }));
      t.diagnostic(`DELETE answers: ${statuses.join(', ')}`);
      const holderExit = await within(10_000, 'the ledger lock holder', holder.exited);
      const head = await headUpload(url);
      const status = await request(`${server.baseUrl}/uploads/${id}/status`);

      assert.equal(holderExit, 0);
      assert.equal(statuses[0], 503, `statuses: ${statuses.join(', ')}`);
      assert.equal(statuses.at(-1), 204, `statuses: ${statuses.join(', ')}`);
      assert.equal(head.status, 404);
      assert.equal(JSON.parse(status.body.toString()).state, 'terminated');
    });
  });

  test('kill -9 in the middle of a 300 MiB PATCH, 10 times at random points: HEAD never overstates, resume ' +
    'from HEAD yields identical bytes', { timeout: 300_000 }, async (t) => {
    const server = await startServer('kill9');
    await withServerLog(server, async () => {
      const size = 300 * MiB;
      const dataSeed = 30_000;
      const seed = Number(process.env.TUS_FAULT_SEED ?? randomInt(1, 2 ** 31));
      t.diagnostic(`kill -9 seed: ${seed} (repeat with TUS_FAULT_SEED=${seed})`);
      console.log(`# kill -9 fault test seed: ${seed} (repeat with TUS_FAULT_SEED=${seed})`);
      const random = seededRandom(seed);
      const bytes = (start, end) => bytesOf(dataSeed, start, end);
      const url = await createUpload(server.endpoint, size);
      const dataFile = join(server.dataDir, `${new URL(url).pathname.split('/').pop()}.data`);
      const deadline = Date.now() + 200_000;
      const kills = 10;
      let durable = 0; // offset HEAD reported after the previous restart: must never go back
      const rounds = [];

      // Act + assert per round: PATCH from HEAD's offset, kill -9 after a random number of body bytes, restart.
      for (let round = 1; round <= kills; round++) {
        assert.ok(Date.now() < deadline, `kill rounds exceeded their time budget at round ${round}`);
        const before = await headUpload(url);
        assert.equal(before.status, 200, `HEAD before round ${round}`);
        const offset = before.offset;
        const remaining = size - offset;
        // Spread the kills so that all of them land inside a PATCH, before the upload can complete.
        const share = Math.floor((2 * remaining) / (kills - round + 2));
        const stopAt = Math.max(64 * 1024, Math.floor(random() * share));
        // Half the rounds stream at full speed, half throttled; the kill comes 0-150 ms after the last byte, so it
        // finds the server in the middle of a read, a write or a checkpoint.
        const pauseMs = random() < 0.5 ? 0 : 1;
        const killDelayMs = Math.floor(random() * 150);

        const result = await streamPatch({
          url,
          offset,
          length: remaining,
          bytes,
          pieceSize: 256 * 1024,
          pauseMs,
          stopAt,
          onStop: () => {
            delay(killDelayMs).then(() => server.kill9());
          },
        });
        await server.kill9();
        await server.restart();

        const afterRestart = await headUpload(url);
        rounds.push({ round, offset, sent: result.written, kept: afterRestart.offset, killDelayMs });
        assert.equal(afterRestart.status, 200, `HEAD after restart ${round}`);
        assert.equal(result.status, null, `round ${round}: the PATCH must have been cut by the kill, ` +
          `but it was answered ${result.status}`);
        assert.ok(afterRestart.offset <= offset + result.written,
          `round ${round}: HEAD reports ${afterRestart.offset} bytes but only ${offset + result.written} were sent`);
        assert.ok(afterRestart.offset >= durable,
          `round ${round}: HEAD went back from ${durable} to ${afterRestart.offset} ` +
            '(a reported offset was not durable)');
        // The disk store keeps the bytes in ID.data, of which the first `offset` count (docs/storage-disk.md):
        // what this round newly kept must be the source's bytes at those positions.
        const differs = await firstFileDifference(dataFile, durable, afterRestart.offset, bytes);
        assert.equal(differs, -1, `round ${round}: ${dataFile} differs from the source at byte ${differs} ` +
          `(kept ${durable}..${afterRestart.offset})`);
        durable = afterRestart.offset;
      }
      t.diagnostic(`rounds (offset, sent, kept): ${rounds.map((r) => `${r.offset}+${r.sent}->${r.kept}`).join(' ')}`);

      // Final: resume from HEAD's offset and finish without a kill.
      const last = await headUpload(url);
      const finish = await streamPatch({ url, offset: last.offset, length: size - last.offset, bytes,
        pieceSize: 256 * 1024 });
      assert.equal(finish.status, 204, `final PATCH from ${last.offset}: ${finish.status} ${finish.error}`);
      assert.equal(Number(finish.headers['upload-offset']), size);

      // Each round checked the bytes it newly kept; the final download proves no later write touched them.
      const stored = await downloadSha256(url, { timeoutMs: 120_000 });
      if (stored.sha256 !== (await patternSha256(dataSeed, 0, size))) {
        const at = await firstDifference(url, bytes);
        const round = rounds.find((r) => at < r.kept);
        assert.fail(`stored bytes differ from the source at byte ${at}` +
          (round ? ` (kept before restart ${round.round}: ${round.offset}..${round.kept})` : ''));
      }
      assert.equal(stored.size, size);
    });
  });

  test('tus-js-client rides out a kill -9 and restart of the server mid-upload: one upload, identical bytes',
    { timeout: 120_000 }, async () => {
      const server = await startServer('client-restart');
      await withServerLog(server, async () => {
        const size = 64 * MiB + 99;
        const body = Buffer.from(bytesOf(6464, 0, size));
        const methods = [];
        let restarted = null;

        // Act: kill -9 once 20 MiB went out, start the server again on the same port and data; the client's
        // retries (network errors are retried) must find the upload with HEAD and continue it.
        const upload = await runUpload(body, {
          endpoint: server.endpoint,
          chunkSize: 8 * MiB,
          retryDelays: [250, 500, 1000, 2000, 3000, 5000],
          onBeforeRequest: (req) => methods.push(req.getMethod()),
          onProgress: (sent) => {
            if (sent < 20 * MiB || restarted) return;
            restarted = server.kill9().then(() => server.restart());
          },
        }, { timeoutMs: 90_000 });
        await restarted;

        // Assert
        assert.ok(restarted, 'the server was killed during the upload');
        assert.equal(methods.filter((m) => m === 'POST').length, 1, `one upload was created: ${methods.join(',')}`);
        assert.ok(methods.includes('HEAD'), `the client resumed with HEAD: ${methods.join(',')}`);
        const stored = await downloadSha256(upload.url);
        assert.equal(stored.size, size);
        assert.equal(stored.sha256, sha256(body), 'stored bytes equal the source');
      });
    });

  test('A client silent mid-body is cut off within the idle timeout; the kept bytes resume from a new ' +
    'connection', { timeout: 60_000 }, async (t) => {
    const server = await startServer('silent');
    await withServerLog(server, async () => {
      const size = 4 * MiB;
      const dataSeed = 4004;
      const sent = 300 * 1024;
      const url = new URL(await createUpload(server.endpoint, size));

      // Act: headers and 300 KiB of body, then nothing: no more bytes, no FIN.
      const socket = net.connect({ host: '127.0.0.1', port: server.port });
      await within(5_000, 'connecting to the server', new Promise((connected, reject) => {
        socket.once('connect', connected);
        socket.once('error', reject);
      }));
      const answer = [];
      socket.on('data', (piece) => answer.push(piece));
      socket.on('error', () => {});
      const closed = new Promise((done) => socket.once('close', done));
      const head = [
        `PATCH ${url.pathname} HTTP/1.1`,
        `Host: ${url.host}`,
        'Tus-Resumable: 1.0.0',
        'Content-Type: application/offset+octet-stream',
        'Upload-Offset: 0',
        `Content-Length: ${size}`,
        '',
        '',
      ].join('\r\n');
      await within(5_000, 'writing the headers', new Promise((written) => socket.write(head, written)));
      await within(5_000, 'writing 300 KiB of body',
        new Promise((written) => socket.write(bytesOf(dataSeed, 0, sent), written)));
      const silentSince = Date.now();
      const cutOff = await Promise.race([closed.then(() => true), delay(10_000).then(() => false)]);
      const silentFor = Date.now() - silentSince;
      socket.destroy();
      const reply = Buffer.concat(answer).toString('latin1').split('\r\n')[0];
      t.diagnostic(`closed after ${silentFor} ms of silence; the server's reply: ${reply || '(none)'}`);

      // Assert: cut off by the server after about the idle timeout (2 s), not at once and not never.
      assert.ok(cutOff, 'the server did not close the connection of a silent client within 10 s');
      assert.ok(silentFor >= 1_500, `the connection was closed after ${silentFor} ms, before the 2 s idle timeout`);
      let kept = null;
      for (const until = Date.now() + 5_000; Date.now() < until; await delay(100)) {
        kept = (await headUpload(url.href)).offset;
        if (kept === sent) break;
      }
      assert.equal(kept, sent, `HEAD after the cut-off reports ${kept}; the ${sent} bytes received must be kept ` +
        `(server answered: ${JSON.stringify(Buffer.concat(answer).toString('latin1').slice(0, 200))})`);

      const resumed = await patchUpload(url.href, kept, Buffer.from(bytesOf(dataSeed, kept, size)));
      assert.equal(resumed.status, 204, `resume from a new connection (the lock must be free): ${resumed.status}`);
      assert.equal(Number(resumed.headers['upload-offset']), size);
      const stored = await downloadSha256(url.href);
      assert.equal(stored.sha256, await patternSha256(dataSeed, 0, size), 'stored bytes equal the source');
    });
  });

  test('Two concurrent PATCHes on one upload never interleave; the loser gets 409/423 or is stopped',
    { timeout: 120_000 }, async (t) => {
      const server = await startServer('concurrent');
      await withServerLog(server, async () => {
        const size = 16 * MiB;
        const base = (start, end) => bytesOf(1616, start, end);
        // Writer A sends even bytes, writer B odd ones; the upper 7 bits are the same pattern, so every stored
        // byte names its writer and its intended position.
        const writerBytes = (parity) => (start, end) => base(start, end).map((b) => (b & 0xfe) | parity);
        const writers = { A: writerBytes(0), B: writerBytes(1) };

        // Races: B starts 0, 40 or 250 ms after A, both from offset 0 (a stale second client).
        for (const startGapMs of [0, 40, 250]) {
          const url = await createUpload(server.endpoint, size);
          const label = `gap ${startGapMs} ms`;

          // Act: A starts, B follows; both throttled so that their bodies overlap.
          const first = streamPatch({ url, offset: 0, length: size, bytes: writers.A, pauseMs: 3 });
          await delay(startGapMs);
          const second = streamPatch({ url, offset: 0, length: size, bytes: writers.B, pauseMs: 3 });
          const outcomes = { A: await first, B: await second };
          const startOffsets = { A: 0, B: 0 };
          const summary = Object.entries(outcomes)
            .map(([w, o]) => `${w} from ${startOffsets[w]}: ${o.status ?? o.error} ` +
              `offset ${o.headers['upload-offset']} sent ${o.written}`)
            .join('; ');
          t.diagnostic(`${label}: ${summary}`);

          // Assert: answers are 204, 409, 423 or a stopped connection; at most one writer completed the upload.
          for (const [writer, outcome] of Object.entries(outcomes)) {
            assert.ok(outcome.status === null || [204, 409, 423].includes(outcome.status),
              `writer ${writer} got ${outcome.status} (${summary})`);
          }
          const completed = Object.values(outcomes)
            .filter((o) => o.status === 204 && Number(o.headers['upload-offset']) === size);
          assert.ok(completed.length <= 1, `both writers completed the upload (${summary})`);

          const head = await headUpload(url);
          const offset = head.offset;
          t.diagnostic(`${label}: HEAD offset afterwards ${offset}`);
          if (startGapMs >= 250) {
            // A wrote alone for 250 ms: whether B took over or was refused, what A stored must stay (P4).
            assert.ok(offset > 0, `writer A had the upload alone for 250 ms but nothing was kept (${summary})`);
          }
          for (const outcome of Object.values(outcomes)) {
            if (outcome.status === 204) {
              assert.ok(Number(outcome.headers['upload-offset']) <= offset,
                `a 204 reported offset ${outcome.headers['upload-offset']} but HEAD says ${offset} (${summary})`);
            }
          }

          // Complete the rest with A's pattern so the upload can be downloaded, then attribute every byte.
          if (offset < size) {
            const rest = await patchUpload(url, offset, Buffer.from(writers.A(offset, size)));
            assert.equal(rest.status, 204, `completing from ${offset}: ${rest.status}`);
          }
          const content = (await downloadSha256(url, { keepBody: true })).body;
          assert.equal(content.length, size);
          const expected = base(0, size);
          const runs = [];
          for (let p = 0; p < offset; p++) {
            const writer = content[p] & 1 ? 'B' : 'A';
            if ((content[p] & 0xfe) !== (expected[p] & 0xfe)) {
              assert.fail(`byte ${p} was written by ${writer} for another position (interleaved or misplaced) ` +
                `(${summary})`);
            }
            if (runs.length === 0 || runs.at(-1).writer !== writer) runs.push({ writer, from: p });
          }
          // Each writer's bytes form one run that starts exactly at the offset its PATCH named; runs follow each
          // other (A's prefix, then possibly B's continuation), never alternate.
          const where = `runs ${JSON.stringify(runs.slice(0, 5))} in the first ${offset} bytes (${summary})`;
          assert.ok(runs.length <= 2, `writers alternate: ${where}`);
          assert.equal(new Set(runs.map((r) => r.writer)).size, runs.length, `a writer has two runs: ${where}`);
          for (const run of runs) {
            assert.equal(run.from, startOffsets[run.writer],
              `${run.writer}'s bytes start at ${run.from}, not at the offset its PATCH named: ${where}`);
          }
          const completion = writers.A(offset, size);
          for (let p = offset; p < size; p++) {
            if (content[p] !== completion[p - offset]) assert.fail(`completion byte ${p} differs`);
          }
        }

        // Takeover: A's connection hangs after 1 MiB (no more bytes, no FIN) and B resumes the way tus-js-client
        // does: HEAD, PATCH from that offset, and on 409/423 HEAD and try again. The content must be A's prefix up
        // to exactly the offset of B's accepted PATCH, then B's bytes.
        const url = await createUpload(server.endpoint, size);
        const hung = streamPatch({ url, offset: 0, length: size, bytes: writers.A, stopAt: MiB });
        await delay(300);
        const attempts = [];
        let accepted = null;
        for (let attempt = 1; attempt <= 6 && !accepted; attempt++) {
          const from = (await headUpload(url)).offset;
          const outcome = await streamPatch({ url, offset: from, length: size - from, bytes: writers.B });
          attempts.push(`${from}: ${outcome.status ?? outcome.error}`);
          if (outcome.status === 204) accepted = { from, offset: Number(outcome.headers['upload-offset']) };
          else if (![409, 423].includes(outcome.status)) assert.fail(`B's attempts: ${attempts.join(', ')}`);
          else await delay(200);
        }
        const a = await hung;
        const summary = `A: ${a.status ?? a.error} after ${a.written} bytes; B's attempts: ${attempts.join(', ')}`;
        t.diagnostic(`takeover: ${summary}`);
        assert.ok(accepted, `B never took over the upload (${summary})`);
        assert.equal(accepted.offset, size, `B's accepted PATCH completed the upload (${summary})`);
        assert.ok(accepted.from <= MiB, `B resumed at ${accepted.from}, beyond what A sent (${summary})`);
        const content = (await downloadSha256(url, { keepBody: true })).body;
        const expectedA = writers.A(0, accepted.from);
        const expectedB = writers.B(accepted.from, size);
        assert.ok(content.subarray(0, accepted.from).equals(Buffer.from(expectedA)),
          `bytes below ${accepted.from} are not A's (${summary})`);
        assert.ok(content.subarray(accepted.from).equals(Buffer.from(expectedB)),
          `bytes from ${accepted.from} are not B's (${summary})`);
      });
    });
});
