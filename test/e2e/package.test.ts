// A new user's path, outside the repository: pack cairnflow, `cairn init` a project, install the
// tarball, then type-check, test, run, serve and synthesize it with the project's own tools.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevProcess, startDev } from '../support/dev-process.ts';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../', import.meta.url));

let work: string;
let project: string;
let tarball: string;
let dev: DevProcess | undefined;

/** Runs a command in the project, as the user would type it; fails the test with its output. */
async function inProject(command: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    return await run(command, args, {
      cwd: project,
      env: { ...process.env, ...env },
      timeout: 240_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

const cairn = (...args: string[]) => inProject(join(project, 'node_modules', '.bin', 'cairn'), args);
const startProjectDev = () =>
  startDev(join(project, 'node_modules', '.bin', 'cairn'), ['dev', '--worker', 'src/worker.ts'], {
    cwd: project,
  });

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cairn-package-'));
  // `npm pack` runs the prepack build, exactly as a publish would.
  await run('npm', ['pack', '--pack-destination', work, '--silent'], { cwd: repo, timeout: 240_000 });
  tarball = join(work, readdirSync(work).find((file) => file.endsWith('.tgz'))!);
  project = join(work, 'my-app');
  await run(process.execPath, [join(repo, 'dist', 'bin', 'cairn.js'), 'init', project], { timeout: 60_000 });
  await inProject('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball]);
}, 600_000);

afterAll(async () => {
  await dev?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each step is a real install's tool (tsc, vitest, cairn dev, cdk synth): seconds alone, much more
// on a loaded machine, so each may take as long as one of its commands may.
describe('cairnflow installed from its tarball into a project made by cairn init', {
  timeout: 240_000,
}, () => {
  it('packs only what a user needs', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball]);
    const files = stdout.trim().split('\n');
    expect(files).toContain('package/dist/sdk/workflow/index.js');
    expect(files).toContain('package/dist/sdk/workflow/index.d.ts');
    expect(files).toContain('package/dist/bin/cairn.js');
    expect(files).toContain('package/templates/project/src/worker.ts');
    expect(files).toContain('package/LICENSE');
    expect(files.filter((file) => /^package\/(test|bench|examples|sdk|lib|functions)\//.test(file))).toEqual(
      [],
    );
    expect(
      files.filter(
        (file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.includes('/templates/'),
      ),
    ).toEqual([]);
  });

  it('type-checks with plain tsc and runs its compiled JavaScript with plain node', async () => {
    const manifest = JSON.parse(readFileSync(join(project, 'tsconfig.json'), 'utf8'));
    expect(manifest.compilerOptions.allowImportingTsExtensions).toBeUndefined();
    await inProject('npx', ['tsc']);
    const { stdout } = await inProject('node', [
      '--input-type=module',
      '-e',
      "const { handler } = await import('./dist/src/worker.js'); console.log(typeof handler, handler.taskQueue);",
    ]);
    expect(stdout.trim()).toBe('function greetings');
  });

  it("runs the project's time-skipping tests with vitest", async () => {
    const { stdout } = await inProject('npx', ['vitest', 'run']);
    expect(stdout).toMatch(/Test Files\s+.*1 passed/);
    expect(stdout).toMatch(/Tests\s+.*2 passed/);
  });

  it('serves its own worker on cairn dev, and keeps its runs across a restart', async () => {
    dev = await startProjectDev();
    const executed = await cairn(
      'workflow',
      'execute',
      '--endpoint',
      dev.endpoint,
      '-t',
      'greeting',
      '-q',
      'greetings',
      '-w',
      'greeting-1',
      '-a',
      '["ada", "1 second"]',
    );
    expect(executed.stdout.trim()).toBe('delivered: Hello, ada!');
    // The compiled client script, with plain node, against the same engine.
    const started = await inProject('node', ['dist/src/start.js', 'grace'], { CAIRN_ENDPOINT: dev.endpoint });
    expect(started.stdout.trim()).toBe('delivered: Hello, grace!');
    // The web UI, bundled by the package build: the package ships no UI sources.
    const page = await fetch(`${dev.endpoint}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/app.js">');
    const script = await fetch(`${dev.endpoint}/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(10_000);

    await dev.stop();
    dev = await startProjectDev();
    const described = await cairn('workflow', 'describe', '--endpoint', dev.endpoint, 'greeting-1');
    expect(JSON.parse(described.stdout)).toMatchObject({ workflowId: 'greeting-1', status: 'Completed' });
    await dev.stop();
    dev = undefined;
  });

  it('synthesizes its own CDK app (Engine + its worker) with the cdk-nag checks passing', async () => {
    await inProject('npx', ['cdk', 'synth', '--quiet', '--output', 'cdk.out']);
    const template = JSON.parse(readFileSync(join(project, 'cdk.out', 'MyApp.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    const descriptions = functions.map((fn) => String(fn.Properties.Description));
    expect(descriptions.some((text) => text.includes("task queue 'greetings'"))).toBe(true);
    expect(functions.length).toBeGreaterThanOrEqual(5);
  });
});
