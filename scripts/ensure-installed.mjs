// Installs the project's dependencies from the lockfile when they are missing or stale, so the
// README's commands work on a fresh clone. Runs on whatever Node is on PATH (before Node 22 is
// installed as a dependency), so it is plain JavaScript.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  const major = Number(process.versions.node.split('.')[0]);
  const older = major < 22;
  console.error(
    older
      ? `Installing dependencies from package-lock.json (npm ci), with the Node 22 the scripts run on (this shell has Node ${process.versions.node})…`
      : 'Installing dependencies from package-lock.json (npm ci)…',
  );
  // On an older Node, npm would warn that Cairn wants Node 22 (engines): the scripts bring it.
  execSync(`npm ci --no-audit --no-fund${older ? ' --engine-strict=false --loglevel=error' : ''}`, {
    stdio: 'inherit',
  });
}
