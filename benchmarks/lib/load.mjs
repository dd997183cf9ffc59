// Load drivers that speak plain tus 1.0.0 over keep-alive HTTP, the same way for every server under test.
import { randomFillSync, randomUUID } from 'node:crypto';
import { WireConnection } from './wire.mjs';

const MiB = 1024 * 1024;

/** One random MiB, reused as the body pattern so that generating data costs nothing measurable. */
const pattern = randomFillSync(Buffer.alloc(MiB));

/** `totalBytes` of the shared pattern, a MiB at a time. */
function* patternBytes(totalBytes) {
  for (let left = totalBytes; left > 0; left -= pattern.length) {
    yield left >= pattern.length ? pattern : pattern.subarray(0, left);
  }
}

/** The path and query of `url`, which must be on the connection's server. */
function targetOf(connection, url) {
  const parsed = new URL(url);
  if (parsed.host !== connection.origin.host) {
    throw new Error(`${url} is not on ${connection.origin.host}`);
  }

  return parsed.pathname + parsed.search;
}

async function createUpload(connection, baseUrl, length) {
  const res = await connection.request('POST', targetOf(connection, baseUrl), {
    'Tus-Resumable': '1.0.0',
    'Upload-Length': String(length),
    'Content-Length': '0',
  });
  if (res.status !== 201 || !res.headers.location) {
    throw new Error(`POST answered ${res.status}`);
  }

  return new URL(res.headers.location, baseUrl).toString();
}

/** The byte count of a PATCH body: a count of pattern bytes, a Buffer, or an array of Buffers. */
function lengthOf(body) {
  return typeof body === 'number' ? body : [body].flat().reduce((n, part) => n + part.length, 0);
}

/**
 * PATCH at `offset` with `body`: a byte count (streamed from the shared pattern), a Buffer, or an array of
 * Buffers sent back to back. Throws unless the server took all of it.
 */
async function patchUpload(connection, uploadUrl, offset, body) {
  const length = lengthOf(body);
  const headers = {
    'Tus-Resumable': '1.0.0',
    'Upload-Offset': String(offset),
    'Content-Type': 'application/offset+octet-stream',
    'Content-Length': String(length),
  };
  const target = targetOf(connection, uploadUrl);
  const res = typeof body === 'number'
    ? await connection.request('PATCH', target, headers, { source: patternBytes(body) })
    : await connection.request('PATCH', target, headers, { body });
  if (res.status !== 204 || Number(res.headers['upload-offset']) !== offset + length) {
    throw new Error(`PATCH answered ${res.status} with offset ${res.headers['upload-offset']}`);
  }
}

/** One upload of `bytes` sent as a single PATCH; returns seconds from the PATCH's start to its 204. */
export async function singlePatch(baseUrl, bytes) {
  const connection = new WireConnection(baseUrl);
  try {
    const url = await createUpload(connection, baseUrl, bytes);
    const started = process.hrtime.bigint();
    await patchUpload(connection, url, 0, bytes);
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    connection.close();
  }
}

/** One upload sent as PATCHes of `chunkBytes`, as tus-js-client does with `chunkSize`; returns seconds. */
export async function chunkedUpload(baseUrl, bytes, chunkBytes) {
  const connection = new WireConnection(baseUrl);
  try {
    const started = process.hrtime.bigint();
    const url = await createUpload(connection, baseUrl, bytes);
    for (let offset = 0; offset < bytes; offset += chunkBytes) {
      await patchUpload(connection, url, offset, Math.min(chunkBytes, bytes - offset));
    }

    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    connection.close();
  }
}

/**
 * A spike of `count` uploads of `bytes` each (POST then one PATCH, as tus-js-client does by default), at most
 * `concurrency` at once, each lane on a keep-alive connection of its own as a browser's would be. Every upload has
 * its own content, as real users' files do: with one body for all, every upload after the first would be a
 * duplicate, and a server that deduplicates would be measured on that path only.
 * Returns wall time, per-upload latencies in ms and the errors seen.
 */
export async function spike(baseUrl, count, bytes, concurrency, onProgress) {
  const latencies = [];
  const errors = [];
  const runTag = randomUUID();
  let next = 0;
  const started = process.hrtime.bigint();

  async function lane() {
    const connection = new WireConnection(baseUrl);
    while (next < count) {
      next += 1;
      const body = distinctBody(bytes, `spike ${runTag} ${next}`);
      const t0 = process.hrtime.bigint();
      try {
        const url = await createUpload(connection, baseUrl, bytes);
        await patchUpload(connection, url, 0, body);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        errors.push(String(error.message ?? error));
      }

      if ((latencies.length + errors.length) % 100 === 0) {
        onProgress?.(latencies.length + errors.length, count);
      }
    }

    connection.close();
  }

  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, latencies, errors };
}

/** Wall-clock milliseconds since the epoch with sub-millisecond resolution, comparable with the server's clock. */
export function epochMs() {
  return performance.timeOrigin + performance.now();
}

/**
 * `bytes` of the shared pattern with `tag` written over the first bytes, so every upload has its own SHA-256, as
 * an array of Buffers: the tag's own 64 bytes, then the pattern from there on, which is not copied.
 */
export function distinctBody(bytes, tag) {
  const head = Buffer.alloc(Math.min(bytes, 64));
  pattern.copy(head, 0, 0, head.length);
  head.write(tag, 0, head.length, 'utf8');
  return bytes > head.length ? [head, pattern.subarray(head.length, bytes)] : [head];
}

/**
 * `count` uploads of `bytes` each, distinct content (POST then one PATCH), at most `concurrency` at once; with
 * `ratePerSecond` the starts are paced open-loop (upload i starts at i / rate s) instead of back to back.
 * Returns wall time and, per upload, its id and the epoch-ms instants of its POST start and its final PATCH's 204.
 */
export async function timedUploads(baseUrl, { count, bytes, concurrency, ratePerSecond, tag, onProgress }) {
  const uploads = [];
  const errors = [];
  let next = 0;
  const started = epochMs();

  async function lane() {
    const connection = new WireConnection(baseUrl);
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
        const url = await createUpload(connection, baseUrl, bytes);
        await patchUpload(connection, url, 0, body);
        const patchDoneAt = epochMs();
        uploads.push({ id: new URL(url).pathname.split('/').pop(), startedAt, patchDoneAt });
      } catch (error) {
        errors.push(String(error.message ?? error));
      }

      if ((uploads.length + errors.length) % 100 === 0) {
        onProgress?.(uploads.length + errors.length, count);
      }
    }

    connection.close();
  }

  await Promise.all(Array.from({ length: concurrency }, lane));
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
