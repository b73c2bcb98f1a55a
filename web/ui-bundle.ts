import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the UI as the browser gets it. */
export interface UiFile {
  contentType: string;
  body: Buffer;
}

/** The UI's files by URL path (`/`, `/app.js`, `/app.css`). */
export type UiFiles = ReadonlyMap<string, UiFile>;

const APP_DIR = fileURLToPath(new URL('./app/', import.meta.url));

function page(): string {
  // No inline script or style: the content security policy allows only these two files.
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<title>Cairn</title>',
    '<link rel="stylesheet" href="/app.css">',
    '<script type="module" src="/app.js"></script>',
    '</head>',
    '<body><div id="app"></div></body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Bundles the UI (web/app, Preact) with esbuild into one script and one style sheet, in memory.
 * `cairn dev` and `cairn ui` call it at start-up when they run from the sources; the package build
 * writes its output into dist/ with {@link writeUiBundle}, so an installed package never bundles.
 *
 * @example
 * const files = await bundleUi();
 * files.get('/app.js')?.body.length;
 */
export async function bundleUi(appDir: string = APP_DIR): Promise<UiFiles> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(appDir, 'main.tsx')],
    bundle: true,
    write: false,
    minify: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: '/',
    entryNames: 'app',
    logLevel: 'silent',
    legalComments: 'none',
  });
  const files = new Map<string, UiFile>([
    ['/', { contentType: 'text/html; charset=utf-8', body: Buffer.from(page()) }],
  ]);
  for (const output of result.outputFiles) {
    const name = output.path.slice(output.path.lastIndexOf('/'));
    const contentType = name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8';
    files.set(name, { contentType, body: Buffer.from(output.contents) });
  }
  return files;
}

/** File names of the UI on disk (dist/web/ui/), by URL path. */
export const UI_FILE_NAMES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
};

/** Bundles the UI and writes it into `outDir` (the package build: dist/web/ui). */
export async function writeUiBundle(outDir: string, appDir: string = APP_DIR): Promise<void> {
  const files = await bundleUi(appDir);
  await mkdir(outDir, { recursive: true });
  for (const [path, file] of files) {
    const name = UI_FILE_NAMES[path];
    if (!name) throw new Error(`The UI bundle has a file with no name on disk: ${path}`);
    await writeFile(join(outDir, name), file.body);
  }
}
