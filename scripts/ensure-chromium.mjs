// Makes sure Debian's `chromium` is installed (the browser tests drive it with playwright-core) and
// prints its path. CI runs as root on a fresh machine where only Debian's apt and npm are reachable,
// so this installs the distribution's package rather than downloading a browser build.
// Plain JavaScript: the tests call it before anything else, and it can run by hand.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
const LOCK = join(tmpdir(), 'cairn-ensure-chromium.lock');

/** The path of an installed Chromium, or undefined. */
export function findChromium() {
  return CANDIDATES.find((path) => existsSync(path));
}

/**
 * Installs Debian's chromium when it is missing; returns its path. Test files run in parallel, and
 * apt takes one install at a time: the check and the install run under one lock (`flock`, released
 * when its holder exits), so a second caller waits for the first and then finds chromium there.
 */
export function ensureChromium() {
  const found = findChromium();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('chromium is not installed and this is not root: run `apt-get install -y chromium`');
  }
  execFileSync('flock', [LOCK, process.execPath, fileURLToPath(import.meta.url), '--install'], {
    stdio: 'inherit',
  });
  const installed = findChromium();
  if (!installed) throw new Error(`apt-get installed chromium, but none of ${CANDIDATES.join(', ')} exists`);
  return installed;
}

/** Under the lock: installs chromium unless a caller that held the lock before did. */
function install() {
  if (findChromium()) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
    stdio: 'inherit',
    env,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv[2] === '--install') install();
  else console.log(ensureChromium());
}
