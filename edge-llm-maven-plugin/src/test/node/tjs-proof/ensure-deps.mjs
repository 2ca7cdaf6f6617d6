// Installs this folder's node_modules with `npm ci` from the committed package-lock.json, unless they
// are already installed from the same lock file (a stamp in node_modules records its SHA-256), so
// repeated builds do not reinstall. onnxruntime-node's install script must not fetch GPU binaries
// from an unreachable host: ONNXRUNTIME_NODE_INSTALL=skip (its CPU binaries ship in the package).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const lock = fs.readFileSync(path.join(here, 'package-lock.json'));
const sha = createHash('sha256').update(lock).digest('hex');
const stamp = path.join(here, 'node_modules', '.edge-llm-lock-sha256');
if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === sha) {
  console.log('node_modules are up to date with package-lock.json');
  process.exit(0);
}
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
console.log('npm ci (package-lock.json changed or node_modules missing)');
execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
  cwd: here,
  stdio: 'inherit',
  env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
});
fs.writeFileSync(stamp, sha + '\n');
