// Runs inside Chromium, on an origin other than the tus server's. The Node test drives these functions through
// page.evaluate; the uploads themselves are tus-js-client's browser bundle (window.tus) using XHR and CORS.
import { bytesOf } from '/pattern.js';

const state = { file: null };

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Generates `size` deterministic bytes as a File and returns their SHA-256 (hex), computed by crypto.subtle. */
async function prepareFile(seed, size, name) {
  const bytes = bytesOf(seed, 0, size);
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  state.file = new File([bytes], name, { type: 'application/octet-stream', lastModified: 1700000000000 });
  return hex(digest);
}

/** Starts an upload and aborts it once `abortAt` bytes went out; resolves with its URL. */
function startAndAbort(endpoint, chunkSize, abortAt) {
  return new Promise((resolve, reject) => {
    let aborting = false;
    const upload = new tus.Upload(state.file, {
      endpoint,
      chunkSize,
      retryDelays: [0, 250, 1000],
      metadata: { filename: state.file.name, filetype: state.file.type },
      onProgress: (sent) => {
        if (aborting || sent < abortAt) return;
        aborting = true;
        upload.abort().then(() => resolve({ url: upload.url, sentAtAbort: sent }), reject);
      },
      onSuccess: () => reject(new Error('the upload finished before it could be aborted')),
      onError: (error) => reject(new Error(String(error))),
    });
    upload.start();
  });
}

/** A new Upload of the same File finds the URL in localStorage and resumes it. */
async function resume(endpoint, chunkSize) {
  const methods = [];
  let firstProgress = null;
  let upload;
  const done = new Promise((resolve, reject) => {
    upload = new tus.Upload(state.file, {
      endpoint,
      chunkSize,
      retryDelays: [0, 250, 1000],
      metadata: { filename: state.file.name, filetype: state.file.type },
      onBeforeRequest: (req) => methods.push(req.getMethod()),
      onProgress: (sent) => {
        firstProgress ??= sent;
      },
      onSuccess: () => resolve(),
      onError: (error) => reject(new Error(String(error))),
    });
  });
  const previous = await upload.findPreviousUploads();
  if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
  upload.start();
  await done;
  return { url: upload.url, previousUrls: previous.map((p) => p.uploadUrl), firstProgress, methods };
}

/** Tries a small upload without retries; resolves with the outcome instead of throwing. */
function tryUpload(endpoint, size) {
  return new Promise((resolve) => {
    const upload = new tus.Upload(new Blob([bytesOf(7, 0, size)]), {
      endpoint,
      retryDelays: null,
      onSuccess: () => resolve({ ok: true, url: upload.url }),
      onError: (error) => resolve({ ok: false, error: String(error) }),
    });
    upload.start();
  });
}

window.tusPage = { prepareFile, startAndAbort, resume, tryUpload };
document.getElementById('status').textContent = 'ready';
