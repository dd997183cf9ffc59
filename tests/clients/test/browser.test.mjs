// A real browser: Debian's Chromium loads a page from another origin that uploads with tus-js-client's browser
// bundle, aborts, resumes, and the stored bytes match the page's SHA-256. A page from an origin that is not in
// Tus:AllowedOrigins cannot upload at all and leaves the store untouched.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test as nodeTest } from 'node:test';

import { launchChromium } from '../lib/browser.mjs';
import { withServerLog } from '../lib/client.mjs';
import { MiB, patternSha256 } from '../lib/data.mjs';
import { TusServer } from '../lib/server.mjs';
import { sharedSetup } from '../lib/setup.mjs';
import { startStaticServer } from '../lib/static.mjs';
import { treeSnapshot } from '../lib/tree.mjs';
import { createUpload, downloadSha256, headUpload, patchUpload, request } from '../lib/tus.mjs';
import { delay, within } from '../lib/wait.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ROUTES = {
  '/': join(here, '..', 'web', 'index.html'),
  '/page.js': join(here, '..', 'web', 'page.js'),
  '/pattern.js': join(here, '..', 'lib', 'pattern.js'),
  '/tus.min.js': join(dirname(require.resolve('tus-js-client/package.json')), 'dist', 'tus.min.js'),
};

/** The tree of `dir` once two snapshots 500 ms apart agree (at most 15 s). */
async function settledTree(dir) {
  let previous = treeSnapshot(dir);
  for (const until = Date.now() + 15_000; Date.now() < until;) {
    await delay(500);
    const current = treeSnapshot(dir);
    if (JSON.stringify(current) === JSON.stringify(previous)) return current;
    previous = current;
  }
  throw new Error(`the store dir ${dir} kept changing for 15 s`);
}

describe('Chromium with tus-js-client\'s browser bundle', { timeout: 240_000 }, () => {
  let allowedSite;
  let foreignSite;
  let server;
  let browser;

  const setup = sharedSetup(async () => {
    allowedSite = await startStaticServer(ROUTES);
    foreignSite = await startStaticServer(ROUTES);
    server = await TusServer.start({
      name: 'browser',
      settings: { 'Tus:AllowedOrigins:0': allowedSite.origin, 'Tus:MaxSize': String(256 * MiB) },
    });
    browser = await launchChromium();
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
    await browser?.close();
    await server?.dispose();
    await allowedSite?.close();
    await foreignSite?.close();
  });

  async function openPage(site) {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${site.origin}/`);
    await page.waitForFunction(() => window.tusPage !== undefined && window.tus !== undefined);
    return page;
  }

  test('A 50 MiB upload from another origin is aborted, resumed from its URL, and stored byte for byte', () =>
    withServerLog(server, async () => {
      const size = 50 * MiB;
      const seed = 5050;
      const chunkSize = 8 * MiB;
      const page = await openPage(allowedSite);

      // Arrange: the page generates the file and hashes it with crypto.subtle; Node hashes the same generator.
      const pageSha256 = await within(60_000, 'prepareFile in the page',
        page.evaluate(([s, n]) => window.tusPage.prepareFile(s, n, 'browser-50mib.bin'), [seed, size]));
      assert.equal(pageSha256, await patternSha256(seed, 0, size), 'page and Node generate the same bytes');

      // Act 1: upload and abort inside the third 8 MiB PATCH.
      const aborted = await within(60_000, 'startAndAbort in the page',
        page.evaluate(([e, c]) => window.tusPage.startAndAbort(e, c, 20 * 1024 * 1024), [server.endpoint, chunkSize]));
      const kept = await headUpload(aborted.url);
      assert.equal(kept.status, 200, 'HEAD after the abort');
      assert.ok(kept.offset >= 16 * MiB && kept.offset < size,
        `after the abort the server keeps ${kept.offset} bytes; expected at least the two finished chunks (16 MiB)`);

      // Act 2: a new Upload of the same File resumes from localStorage.
      const resumed = await within(90_000, 'resume in the page',
        page.evaluate(([e, c]) => window.tusPage.resume(e, c), [server.endpoint, chunkSize]));

      // Assert
      assert.deepEqual(resumed.previousUrls, [aborted.url], 'findPreviousUploads found the aborted upload');
      assert.equal(resumed.url, aborted.url, 'the resumed upload kept its URL');
      assert.equal(resumed.methods[0], 'HEAD', 'resuming starts with HEAD');
      assert.ok(!resumed.methods.includes('POST'), `resuming created no new upload: ${resumed.methods.join(',')}`);
      assert.ok(resumed.firstProgress >= kept.offset,
        `resumed progress started at ${resumed.firstProgress}, below the kept offset ${kept.offset}`);
      const stored = await downloadSha256(aborted.url);
      assert.equal(stored.size, size);
      assert.equal(stored.sha256, pageSha256, 'the stored bytes equal the page\'s SHA-256');
      await page.close();
    }));

  test('A page from an origin not in Tus:AllowedOrigins cannot upload and creates nothing', () =>
    withServerLog(server, async () => {
      // Arrange: an unfinished upload (so the pipeline leaves it alone) makes an unchanged store tree meaningful;
      // wait until the completion pipeline has settled what earlier tests left behind.
      const stored = await createUpload(server.endpoint, 10);
      assert.equal((await patchUpload(stored, 0, Buffer.from('abc'))).status, 204);
      const before = await settledTree(server.dataDir);
      assert.ok(Object.keys(before).length > 0,
        `the store dir ${server.dataDir} is empty after an upload: Store:Disk:Path is not where the server stores`);
      const page = await openPage(foreignSite);

      const outcome = await within(30_000, 'tryUpload in the page',
        page.evaluate((e) => window.tusPage.tryUpload(e, 4096), server.endpoint));

      assert.equal(outcome.ok, false, `the foreign origin's upload must fail, but it created ${outcome.url}`);
      assert.match(outcome.error, /failed to create upload.*response code: n\/a/,
        'the browser blocked the creation (CORS) instead of the server answering it');
      await delay(500);
      assert.deepEqual(treeSnapshot(server.dataDir), before, 'the store is unchanged');
      const preflight = await request(server.endpoint, {
        method: 'OPTIONS',
        headers: {
          Origin: foreignSite.origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'tus-resumable,upload-length',
        },
      });
      assert.equal(preflight.headers['access-control-allow-origin'], undefined,
        'the preflight from the foreign origin is not allowed');
      await page.close();
    }));
});

