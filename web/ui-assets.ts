import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleUi, UI_FILE_NAMES, type UiFile, type UiFiles } from './ui-bundle.ts';

export type { UiFiles };

/** Where the package build puts the bundled UI, beside this module in dist/web/. */
const PREBUILT_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

/**
 * The UI's files: the bundle the package build wrote (an installed package), or, running from the
 * sources, a fresh bundle of web/app.
 */
export async function loadUi(): Promise<UiFiles> {
  if (!existsSync(join(PREBUILT_DIR, 'app.js'))) return bundleUi();
  const files = new Map<string, UiFile>();
  for (const [path, name] of Object.entries(UI_FILE_NAMES)) {
    const body = await readFile(join(PREBUILT_DIR, name));
    const contentType = name.endsWith('.html')
      ? 'text/html; charset=utf-8'
      : name.endsWith('.css')
        ? 'text/css; charset=utf-8'
        : 'text/javascript; charset=utf-8';
    files.set(path, { contentType, body });
  }
  return files;
}

/**
 * Everything the UI shows from payloads is text; the policy is the second wall: no inline script,
 * nothing loaded from elsewhere, no framing.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/**
 * Answers a GET for one of the UI's files; any other path that is not the API gets the page too
 * (the UI routes in the URL's fragment, so this only spares a user a 404 for a stray path).
 */
export function serveUiFile(
  files: UiFiles,
  method: string | undefined,
  path: string,
  response: ServerResponse,
) {
  if (method !== 'GET' && method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    response.end('Method Not Allowed');
    return;
  }
  const file = files.get(path.split('?')[0]!) ?? files.get('/')!;
  response.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': file.contentType,
    'content-length': String(file.body.length),
    'cache-control': 'no-cache',
  });
  response.end(method === 'HEAD' ? undefined : file.body);
}
