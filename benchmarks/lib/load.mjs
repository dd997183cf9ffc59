// Load drivers that speak plain tus 1.0.0 over keep-alive HTTP, the same way for every server under test.
import http from 'node:http';
import { randomFillSync, randomUUID } from 'node:crypto';

const MiB = 1024 * 1024;

/** One random MiB, reused as the body pattern so that generating data costs nothing measurable. */
const pattern = randomFillSync(Buffer.alloc(MiB));

function request(agent, url, method, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(600_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    if (body === undefined) {
      req.end();
      return;
    }

    writeBody(req, body).catch(reject);
  });
}

async function writeBody(req, totalBytes) {
  // A Buffer body is sent as is: the pipeline benchmark needs distinct content per upload, or every upload
  // after the first would be a duplicate and the worker would skip part of its work.
  if (Buffer.isBuffer(totalBytes)) {
    req.end(totalBytes);
    return;
  }

  let left = totalBytes;
  while (left > 0) {
    const n = Math.min(left, pattern.length);
    left -= n;
    if (!req.write(n === pattern.length ? pattern : pattern.subarray(0, n))) {
      await new Promise((resolve) => req.once('drain', resolve));
    }
  }

  req.end();
}

async function createUpload(agent, baseUrl, length) {
  const res = await request(agent, baseUrl, 'POST', {
    'Tus-Resumable': '1.0.0',
    'Upload-Length': String(length),
    'Content-Length': '0',
  });
  if (res.status !== 201 || !res.headers.location) {
    throw new Error(`POST answered ${res.status}`);
  }

  return new URL(res.headers.location, baseUrl).toString();
}

/** PATCH at `offset` with `body`: a byte count (sent from the shared pattern) or a Buffer sent as is. */
async function patchUpload(agent, uploadUrl, offset, body) {
  const length = Buffer.isBuffer(body) ? body.length : body;
  const res = await request(agent, uploadUrl, 'PATCH', {
    'Tus-Resumable': '1.0.0',
    'Upload-Offset': String(offset),
    'Content-Type': 'application/offset+octet-stream',
    'Content-Length': String(length),
  }, body);
  if (res.status !== 204 || Number(res.headers['upload-offset']) !== offset + length) {
    throw new Error(`PATCH answered ${res.status} with offset ${res.headers['upload-offset']}`);
  }
}

/** One upload of `bytes` sent as a single PATCH; returns seconds from the PATCH's start to its 204. */
export async function singlePatch(baseUrl, bytes) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const url = await createUpload(agent, baseUrl, bytes);
    const started = process.hrtime.bigint();
    await patchUpload(agent, url, 0, bytes);
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    agent.destroy();
  }
}

/** One upload sent as PATCHes of `chunkBytes`, as tus-js-client does with `chunkSize`; returns seconds. */
export async function chunkedUpload(baseUrl, bytes, chunkBytes) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const started = process.hrtime.bigint();
    const url = await createUpload(agent, baseUrl, bytes);
    for (let offset = 0; offset < bytes; offset += chunkBytes) {
      await patchUpload(agent, url, offset, Math.min(chunkBytes, bytes - offset));
    }

    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    agent.destroy();
  }
}

/**
 * A spike of `count` uploads of `bytes` each (POST then one PATCH, as tus-js-client does by default), at most
 * `concurrency` at once. Every upload has its own content, as real users' files do: with one body for all, every
 * upload after the first would be a duplicate, and a server that deduplicates would be measured on that path only.
 * Returns wall time, per-upload latencies in ms and the errors seen.
 */
export async function spike(baseUrl, count, bytes, concurrency, onProgress) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const errors = [];
  const runTag = randomUUID();
  let next = 0;
  const started = process.hrtime.bigint();

  async function lane() {
    while (next < count) {
      next += 1;
      const body = distinctBody(bytes, `spike ${runTag} ${next}`);
      const t0 = process.hrtime.bigint();
      try {
        const url = await createUpload(agent, baseUrl, bytes);
        await patchUpload(agent, url, 0, body);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        errors.push(String(error.message ?? error));
      }

      if ((latencies.length + errors.length) % 100 === 0) {
        onProgress?.(latencies.length + errors.length, count);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, lane));
  agent.destroy();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, latencies, errors };
}

/** Wall-clock milliseconds since the epoch with sub-millisecond resolution, comparable with the server's clock. */
export function epochMs() {
  return performance.timeOrigin + performance.now();
}

/** `bytes` of the shared pattern with `tag` written over the first bytes, so every upload has its own SHA-256. */
export function distinctBody(bytes, tag) {
  const body = Buffer.from(pattern.subarray(0, bytes));
  body.write(tag, 0, Math.min(bytes, 64), 'utf8');
  return body;
}

/**
 * `count` uploads of `bytes` each, distinct content (POST then one PATCH), at most `concurrency` at once; with
 * `ratePerSecond` the starts are paced open-loop (upload i starts at i / rate s) instead of back to back.
 * Returns wall time and, per upload, its id and the epoch-ms instants of its POST start and its final PATCH's 204.
 */
export async function timedUploads(baseUrl, { count, bytes, concurrency, ratePerSecond, tag, onProgress }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const uploads = [];
  const errors = [];
  let next = 0;
  const started = epochMs();

  async function lane() {
    while (next < count) {
      const index = next;
      next += 1;
      if (ratePerSecond) {
        const due = started + (index * 1000) / ratePerSecond;
        const wait = due - epochMs();
        if (wait > 0) {
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
      }

      const body = distinctBody(bytes, `${tag}:${index}:`);
      const startedAt = epochMs();
      try {
        const url = await createUpload(agent, baseUrl, bytes);
        const res = await request(agent, url, 'PATCH', {
          'Tus-Resumable': '1.0.0',
          'Upload-Offset': '0',
          'Content-Type': 'application/offset+octet-stream',
          'Content-Length': String(bytes),
        }, body);
        const patchDoneAt = epochMs();
        if (res.status !== 204 || Number(res.headers['upload-offset']) !== bytes) {
          throw new Error(`PATCH answered ${res.status} with offset ${res.headers['upload-offset']}`);
        }

        uploads.push({ id: new URL(url).pathname.split('/').pop(), startedAt, patchDoneAt });
      } catch (error) {
        errors.push(String(error.message ?? error));
      }

      if ((uploads.length + errors.length) % 100 === 0) {
        onProgress?.(uploads.length + errors.length, count);
      }
    }
  }

  await Promise.all(Array.from({ length: concurrency }, lane));
  agent.destroy();
  return { seconds: (epochMs() - started) / 1000, uploads, errors };
}

export function percentile(values, p) {
  if (values.length === 0) {
    return NaN;
  }

  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

export { MiB };
