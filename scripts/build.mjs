// Builds the published package into dist/: JavaScript and .d.ts from the sources (tsc with
// tsconfig.build.json), the non-TypeScript files the runtime reads, and an executable bin.
// `--if-stale` skips the build when dist/ is newer than every source file (for `npm run cairn`).
// Plain JavaScript: it runs before anything is compiled.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = [
  'sdk',
  'lib',
  'functions',
  'local',
  'bin',
  'web',
  'tsconfig.json',
  'tsconfig.build.json',
  'package.json',
];
const stamp = join(root, 'dist', '.built');

function* files(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) yield [path, stat];
  else for (const entry of readdirSync(path)) yield* files(join(path, entry));
}

function newestSource() {
  let newest = 0;
  for (const source of sources) {
    const path = join(root, source);
    if (!existsSync(path)) continue;
    for (const [, stat] of files(path)) newest = Math.max(newest, stat.mtimeMs);
  }
  return newest;
}

if (process.argv.includes('--if-stale') && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) {
  process.exit(0);
}

const started = Date.now();
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

// tsc rewrites `.ts` specifiers in emitted JavaScript but not in declarations: a consumer's tsc
// would then need allowImportingTsExtensions. Point them at the emitted `.js` instead.
const tsSpecifier = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g;
for (const [path] of files(join(root, 'dist'))) {
  if (!path.endsWith('.d.ts')) continue;
  const text = readFileSync(path, 'utf8');
  const rewritten = text.replace(tsSpecifier, '$1$2.js$3');
  if (rewritten !== text) writeFileSync(path, rewritten);
}

// Files the runtime reads beside its modules.
cpSync(
  join(root, 'local', 'LoopbackDynamoDbLocal.java'),
  join(root, 'dist', 'local', 'LoopbackDynamoDbLocal.java'),
);
// The web UI that `cairn dev` and `cairn ui` serve, bundled once here: the package holds no UI sources.
const { writeUiBundle } = await import(pathToFileURL(join(root, 'dist', 'web', 'ui-bundle.js')).href);
await writeUiBundle(join(root, 'dist', 'web', 'ui'), join(root, 'web', 'app'));
chmodSync(join(root, 'dist', 'bin', 'cairn.js'), 0o755);
writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.error(`Built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
