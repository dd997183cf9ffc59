// Snapshot of a directory tree (relative path → size), to prove that a request created or changed nothing.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export function treeSnapshot(root) {
  const entries = {};
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        entries[`${relative(root, path)}/`] = 'dir';
        walk(path);
      } else {
        entries[relative(root, path)] = statSync(path).size;
      }
    }
  };
  walk(root);
  return entries;
}
