// Runs tus-js-client uploads as promises with a deadline, and attaches the server log to failures.
import * as tus from 'tus-js-client';

/**
 * Creates `new tus.Upload(input, options)`, awaits `prepare(upload)` (e.g. findPreviousUploads and
 * resumeFromPreviousUpload), starts it, and resolves with the finished upload; rejects with the client's error or
 * after `timeoutMs`.
 */
export function runUpload(input, options, { timeoutMs = 120_000, prepare } = {}) {
  return new Promise((resolveUpload, reject) => {
    const timer = setTimeout(() => {
      upload.abort();
      reject(new Error(`tus-js-client upload did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const upload = new tus.Upload(input, {
      retryDelays: [0, 250, 1000],
      ...options,
      onSuccess: () => {
        clearTimeout(timer);
        resolveUpload(upload);
      },
      onError: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    Promise.resolve(prepare?.(upload)).then(
      () => upload.start(),
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Runs `body`; if it throws, rethrows with the tail of the server's log appended. */
export async function withServerLog(server, body) {
  try {
    return await body();
  } catch (error) {
    throw new Error(`${error?.message ?? error}\n${server.logTail()}`, { cause: error });
  }
}
