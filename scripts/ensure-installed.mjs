// Installs the project's dependencies from the lockfile when they are missing or stale, so the
// README's commands work on a fresh clone. Runs on whatever Node is on PATH (before Node 22 is
// installed as a dependency), so it is plain JavaScript.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('Installing dependencies from package-lock.json (npm ci)…');
  execSync('npm ci --no-audit --no-fund', { stdio: 'inherit' });
}
