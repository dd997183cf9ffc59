// Bounded waiting: every wait in these tests ends by itself.

export const delay = (ms) => new Promise((done) => setTimeout(done, ms));

/** Awaits `promise` for at most `ms`, naming `what` when it times out. */
export function within(ms, what, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
