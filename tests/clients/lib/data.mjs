// Node-side helpers around the deterministic test bytes: streams, temp files and SHA-256 digests.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { bytesOf, BLOCK_SIZE } from './pattern.js';

export const MiB = 1024 * 1024;

/** A Readable over the bytes [start, end) of the pattern stream for `seed`, one block-sized piece at a time. */
export function patternStream(seed, start, end) {
  let position = start;
  return new Readable({
    highWaterMark: 4 * BLOCK_SIZE,
    read() {
      if (position >= end) {
        this.push(null);
        return;
      }
      const next = Math.min(end, (Math.floor(position / BLOCK_SIZE) + 1) * BLOCK_SIZE);
      const bytes = bytesOf(seed, position, next);
      position = next;
      this.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  });
}

/** SHA-256 (hex) of the pattern bytes [start, end) for `seed`. */
export async function patternSha256(seed, start, end) {
  const hash = createHash('sha256');
  for await (const piece of patternStream(seed, start, end)) hash.update(piece);
  return hash.digest('hex');
}

/** Streams `size` pattern bytes into `path` (never held in memory whole) and returns their SHA-256 (hex). */
export async function writePatternFile(path, seed, size) {
  const hash = createHash('sha256');
  const source = patternStream(seed, 0, size);
  source.on('data', (piece) => hash.update(piece));
  await pipeline(source, createWriteStream(path));
  return hash.digest('hex');
}

/** SHA-256 (hex) of a file's bytes. */
export async function fileSha256(path) {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece);
  return hash.digest('hex');
}

/** SHA-256 (hex) of a buffer. */
export function sha256(buffer) {
  return createHash('sha256').update(buffer).digest('hex');
}
