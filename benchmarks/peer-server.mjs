// Starts the peer we measure against: @tus/server with @tus/file-store (or @tus/s3-store when --s3 is given).
// Usage: node peer-server.mjs --port 1090 --dir /tmp/peer [--s3 http://127.0.0.1:50509 --bucket peer]
import { parseArgs } from 'node:util';
import { mkdirSync } from 'node:fs';
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';
import { S3Store } from '@tus/s3-store';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '1090' },
    dir: { type: 'string', default: './peer-data' },
    s3: { type: 'string' },
    bucket: { type: 'string', default: 'peer' },
    'part-size': { type: 'string', default: String(8 * 1024 * 1024) },
  },
});

function createDatastore() {
  if (!values.s3) {
    mkdirSync(values.dir, { recursive: true });
    return new FileStore({ directory: values.dir });
  }

  return new S3Store({
    partSize: Number(values['part-size']),
    s3ClientConfig: {
      bucket: values.bucket,
      region: 'us-east-1',
      endpoint: values.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    },
  });
}

const server = new Server({ path: '/files', datastore: createDatastore() });
server.listen({ host: '127.0.0.1', port: Number(values.port) }, () => {
  console.log(`peer listening on http://127.0.0.1:${values.port}/files`);
});
