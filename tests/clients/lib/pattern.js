// Deterministic test bytes, shared by Node and the browser page (plain ES module, no Node imports).
//
// The byte stream for a seed is cut into 64 KiB blocks; each block is filled by xorshift32 from a state derived
// from (seed, block index). Any range can therefore be produced without generating what comes before it, which
// the fault tests need to resume a PATCH at whatever offset the server reports. Words are stored in the
// platform's byte order; Node and Chromium run on the same machine, so both see the same bytes.

export const BLOCK_SIZE = 64 * 1024;

function blockState(seed, index) {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h = (h ^ (h >>> 16)) >>> 0;
  // xorshift32 must never start at 0.
  return h === 0 ? 0x6d2b79f5 : h;
}

/** Fills `out` (a Uint8Array of BLOCK_SIZE bytes whose byteOffset is a multiple of 4) with block `index`. */
export function fillBlock(seed, index, out) {
  const words = new Uint32Array(out.buffer, out.byteOffset, BLOCK_SIZE >>> 2);
  let x = blockState(seed, index);
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
}

/** Returns a new Uint8Array with the bytes [start, end) of the stream for `seed`. */
export function bytesOf(seed, start, end) {
  const result = new Uint8Array(end - start);
  const block = new Uint8Array(BLOCK_SIZE);
  let position = start;
  while (position < end) {
    const index = Math.floor(position / BLOCK_SIZE);
    const within = position - index * BLOCK_SIZE;
    const take = Math.min(BLOCK_SIZE - within, end - position);
    fillBlock(seed, index, block);
    result.set(block.subarray(within, within + take), position - start);
    position += take;
  }
  return result;
}
