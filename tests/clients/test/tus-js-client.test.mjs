// tus-js-client 4.3.1 (the official client) in Node against the real server: real media files, a 200 MiB file,
// abort and resume, and every extension the client can exercise. Each upload is checked byte for byte by
// comparing the SHA-256 of the source with the SHA-256 of a GET download of the upload URL.
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test as nodeTest } from 'node:test';
import * as tus from 'tus-js-client';

import { runUpload, withServerLog } from '../lib/client.mjs';
import { fileSha256, MiB, patternSha256, patternStream, sha256, writePatternFile } from '../lib/data.mjs';
import { MEDIA_FILES, requireMediaFiles } from '../lib/media.mjs';
import { sharedSetup } from '../lib/setup.mjs';
import { TusServer } from '../lib/server.mjs';
import { downloadSha256, headUpload } from '../lib/tus.mjs';
import { bytesOf } from '../lib/pattern.js';

describe('tus-js-client in Node', { timeout: 420_000 }, () => {
  let server;
  let scratch;
  const streams = [];

  const setup = sharedSetup(async () => {
    requireMediaFiles();
    scratch = mkdtempSync(join(tmpdir(), 'tus-clients-node-'));
    server = await TusServer.start({ name: 'node-client', settings: { 'Tus:MaxSize': String(1024 * MiB) } });
  });
  before(setup.run);

  /** node:test's `test`, failing at once when the shared set-up failed. */
  const test = (name, ...rest) => {
    const body = rest.pop();
    return nodeTest(name, ...rest, (t) => {
      setup.check();
      return body(t);
    });
  };

  after(async () => {
    for (const stream of streams) stream.destroy();
    await server?.dispose();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  /** A file input for tus-js-client: an fs.ReadStream with a path, which the client reads by ranges. */
  function fileInput(path) {
    const stream = createReadStream(path);
    streams.push(stream);
    return stream;
  }

  /** Records method and selected headers of every request the client sends. */
  function requestLog() {
    const sent = [];
    return {
      sent,
      onBeforeRequest: (req) => {
        sent.push({
          method: req.getMethod(),
          override: req.getHeader('X-HTTP-Method-Override'),
          contentType: req.getHeader('Content-Type'),
          deferLength: req.getHeader('Upload-Defer-Length'),
          length: req.getHeader('Upload-Length'),
        });
      },
    };
  }

  async function assertStoredSha256(url, expectedSha256, expectedSize) {
    const stored = await downloadSha256(url);
    assert.equal(stored.size, expectedSize, `downloaded size of ${url}`);
    assert.equal(stored.sha256, expectedSha256, `SHA-256 of the download of ${url} differs from the source`);
  }

  for (const media of MEDIA_FILES) {
    test(`Real ${media.type} file ${basename(media.path)} uploads and downloads byte for byte`, () =>
      withServerLog(server, async () => {
        const upload = await runUpload(fileInput(media.path), {
          endpoint: server.endpoint,
          metadata: { filename: basename(media.path), filetype: media.type },
        });

        await assertStoredSha256(upload.url, await fileSha256(media.path), statSync(media.path).size);
      }));
  }

  test('Generated 200 MiB file uploads in one PATCH and is stored byte for byte', { timeout: 240_000 }, () =>
    withServerLog(server, async () => {
      const path = join(scratch, 'big-200mib.bin');
      const size = 200 * MiB;
      const sourceSha256 = await writePatternFile(path, 2001, size);

      const log = requestLog();
      const upload = await runUpload(fileInput(path), {
        endpoint: server.endpoint,
        metadata: { filename: 'big-200mib.bin', filetype: 'application/octet-stream' },
        onBeforeRequest: log.onBeforeRequest,
      }, { timeoutMs: 180_000 });

      assert.equal(log.sent.filter((r) => r.method === 'PATCH').length, 1, 'one PATCH for the whole file');
      await assertStoredSha256(upload.url, sourceSha256, size);
      rmSync(path);
    }));

  test('Upload aborted mid-PATCH resumes from the stored URL without starting over', () =>
    withServerLog(server, async () => {
      const path = join(scratch, 'resume-32mib.bin');
      const size = 32 * MiB;
      const sourceSha256 = await writePatternFile(path, 3201, size);
      const urlStorage = new tus.FileUrlStorage(join(scratch, 'tus-url-storage.json'));
      const options = {
        endpoint: server.endpoint,
        urlStorage,
        chunkSize: 4 * MiB,
        metadata: { filename: 'resume.bin' },
      };

      // Arrange: the first session is aborted once 13 MiB went out (inside the fourth 4 MiB PATCH).
      let firstUpload;
      await new Promise((resolveAbort, reject) => {
        let aborting = false;
        const timer = setTimeout(() => reject(new Error('first session never reached 13 MiB')), 60_000);
        firstUpload = new tus.Upload(fileInput(path), {
          ...options,
          onProgress: (sent) => {
            if (sent < 13 * MiB || aborting) return;
            aborting = true;
            clearTimeout(timer);
            firstUpload.abort().then(resolveAbort, reject);
          },
          onSuccess: () => reject(new Error('the first session finished before it could be aborted')),
          onError: reject,
        });
        firstUpload.start();
      });
      const afterAbort = await headUpload(firstUpload.url);
      assert.equal(afterAbort.status, 200, 'HEAD after the abort');
      assert.ok(afterAbort.offset > 0 && afterAbort.offset < size,
        `HEAD offset after the abort is ${afterAbort.offset}; expected 0 < offset < ${size}`);

      // Act: a new Upload finds the stored URL and resumes it.
      const log = requestLog();
      let firstProgress = null;
      let previous = [];
      const second = await runUpload(fileInput(path), {
        ...options,
        onBeforeRequest: log.onBeforeRequest,
        onProgress: (sent) => {
          firstProgress ??= sent;
        },
      }, {
        prepare: async (upload) => {
          previous = await upload.findPreviousUploads();
          if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
        },
      });

      // Assert: same URL, no new creation, first progress at or past the kept offset, identical bytes.
      assert.equal(previous.length, 1, 'findPreviousUploads finds the aborted upload in the URL storage');
      assert.equal(previous[0].uploadUrl, firstUpload.url, 'the stored URL is the first session\'s URL');
      assert.equal(second.url, firstUpload.url, 'the resumed upload kept its URL');
      assert.deepEqual(log.sent.filter((r) => r.method === 'POST'), [], 'the second session created no upload');
      assert.equal(log.sent[0]?.method, 'HEAD', 'the second session starts with HEAD');
      assert.ok(firstProgress >= afterAbort.offset,
        `the second session's first progress (${firstProgress}) is not below the kept offset ${afterAbort.offset}`);
      await assertStoredSha256(second.url, sourceSha256, size);
    }));

  test('parallelUploads: 4 uploads partials and a final concatenation with identical bytes', () =>
    withServerLog(server, async () => {
      const path = join(scratch, 'parallel-24mib.bin');
      const size = 24 * MiB + 12345;
      const sourceSha256 = await writePatternFile(path, 2402, size);
      const log = requestLog();

      const upload = await runUpload(fileInput(path), {
        endpoint: server.endpoint,
        parallelUploads: 4,
        metadata: { filename: 'parallel.bin' },
        onBeforeRequest: log.onBeforeRequest,
      });

      const posts = log.sent.filter((r) => r.method === 'POST');
      assert.equal(posts.length, 5, 'four partial uploads and one final upload were created');
      const final = await headUpload(upload.url);
      assert.equal(final.status, 200);
      assert.match(String(final.headers['upload-concat']), /^final;/, 'the upload URL is a final concatenation');
      assert.equal(final.offset, size, 'the final upload is complete');
      await assertStoredSha256(upload.url, sourceSha256, size);
    }));

  test('uploadLengthDeferred: a stream of unknown length declares its length in the last PATCH', () =>
    withServerLog(server, async () => {
      const size = 13 * MiB + 777;
      const seed = 1303;
      const log = requestLog();

      const upload = await runUpload(patternStream(seed, 0, size), {
        endpoint: server.endpoint,
        chunkSize: 5 * MiB,
        uploadLengthDeferred: true,
        metadata: { filename: 'deferred.bin' },
        onBeforeRequest: log.onBeforeRequest,
      });

      const post = log.sent.find((r) => r.method === 'POST');
      assert.equal(post.deferLength, '1', 'POST declared Upload-Defer-Length: 1');
      assert.equal(post.length, undefined, 'POST carried no Upload-Length');
      const patches = log.sent.filter((r) => r.method === 'PATCH');
      assert.ok(patches.length >= 3, `expected at least 3 PATCHes, saw ${patches.length}`);
      assert.equal(patches.at(-1).length, String(size), 'the last PATCH declared Upload-Length');
      await assertStoredSha256(upload.url, await patternSha256(seed, 0, size), size);
    }));

  test('overridePatchMethod: chunks sent as POST with X-HTTP-Method-Override: PATCH are stored', () =>
    withServerLog(server, async () => {
      const body = Buffer.from(bytesOf(611, 0, 6 * MiB + 5));
      const log = requestLog();

      const upload = await runUpload(body, {
        endpoint: server.endpoint,
        chunkSize: 2 * MiB,
        overridePatchMethod: true,
        onBeforeRequest: log.onBeforeRequest,
      });

      assert.equal(log.sent.filter((r) => r.method === 'PATCH').length, 0, 'no request used the PATCH method');
      assert.equal(log.sent.filter((r) => r.override === 'PATCH').length, 4, 'four overridden PATCHes');
      await assertStoredSha256(upload.url, sha256(body), body.length);
    }));

  test('uploadDataDuringCreation: the first chunk travels in the POST, the rest in PATCHes', () =>
    withServerLog(server, async () => {
      const body = Buffer.from(bytesOf(733, 0, 7 * MiB + 3));
      const log = requestLog();
      const postOffsets = [];

      const upload = await runUpload(body, {
        endpoint: server.endpoint,
        chunkSize: 3 * MiB,
        uploadDataDuringCreation: true,
        onBeforeRequest: log.onBeforeRequest,
        onAfterResponse: (req, res) => {
          if (req.getMethod() === 'POST') postOffsets.push(res.getHeader('Upload-Offset'));
        },
      });

      const post = log.sent.find((r) => r.method === 'POST');
      assert.equal(post.contentType, 'application/offset+octet-stream', 'the POST carried data');
      assert.deepEqual(postOffsets, [String(3 * MiB)], 'the POST answer reports the first chunk as stored');
      assert.equal(log.sent.filter((r) => r.method === 'PATCH').length, 2, 'the remaining 4 MiB took two PATCHes');
      await assertStoredSha256(upload.url, sha256(body), body.length);
    }));

  test('A 0-byte file is complete at creation and downloads as empty', () =>
    withServerLog(server, async () => {
      const log = requestLog();

      const upload = await runUpload(Buffer.alloc(0), {
        endpoint: server.endpoint,
        metadata: { filename: 'empty.txt', filetype: 'text/plain' },
        onBeforeRequest: log.onBeforeRequest,
      });

      const head = await headUpload(upload.url);
      assert.equal(head.status, 200);
      assert.equal(head.offset, 0);
      assert.equal(head.length, 0);
      assert.equal(log.sent.filter((r) => r.method === 'PATCH').length, 0, 'no PATCH was needed');
      await assertStoredSha256(upload.url, sha256(Buffer.alloc(0)), 0);
    }));

  test('chunkSize 1 MiB: a 16 MiB file takes 17 PATCHes and is stored byte for byte', () =>
    withServerLog(server, async () => {
      const path = join(scratch, 'chunked-16mib.bin');
      const size = 16 * MiB + 123;
      const sourceSha256 = await writePatternFile(path, 1601, size);
      const log = requestLog();

      const upload = await runUpload(fileInput(path), {
        endpoint: server.endpoint,
        chunkSize: 1 * MiB,
        onBeforeRequest: log.onBeforeRequest,
      });

      assert.equal(log.sent.filter((r) => r.method === 'PATCH').length, 17, 'one PATCH per MiB plus the tail');
      await assertStoredSha256(upload.url, sourceSha256, size);
    }));
});
