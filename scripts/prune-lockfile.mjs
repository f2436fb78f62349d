// Drops, from package-lock.json, optional dependencies the lockfile lists but could not resolve
// (platform binaries, e.g. @rollup/rollup-darwin-arm64, that the registry this lockfile was made
// against does not carry). Without this, `npm ci` refuses the lockfile as out of sync.
// Run after `npm install` changes the lockfile: node scripts/prune-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const removed = [];
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
    // npm resolves a dependency in the nearest node_modules up the tree.
    const parts = key ? key.split('/node_modules/') : [];
    let found = false;
    for (let i = parts.length; i >= 0 && !found; i--) {
      const prefix = parts.slice(0, i).join('/node_modules/');
      found = Boolean(lock.packages[prefix ? `${prefix}/node_modules/${dep}` : `node_modules/${dep}`]);
    }
    if (!found) {
      delete entry.optionalDependencies[dep];
      removed.push(`${key || '(root)'} -> ${dep}`);
    }
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`pruned ${removed.length} unresolvable optional dependencies`);
