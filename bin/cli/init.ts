import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cp, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';

/** The installed cairnflow package: its folder and its package.json. */
function ownPackage(): { root: string; manifest: Record<string, unknown> } {
  const path = createRequire(import.meta.url).resolve('cairnflow/package.json');
  return { root: dirname(path), manifest: JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> };
}

/** A valid npm package name from a folder name. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return name || 'cairn-app';
}

/** `my-app` → `MyApp`, for the CDK stack's name. */
function stackName(name: string): string {
  return (
    name
      .replace(/(^|[-._])([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())
      .replace(/[^A-Za-z0-9]/g, '') || 'CairnApp'
  );
}

/**
 * Writes a new project into `dir` from the template the package ships (`templates/project`),
 * offline: the versions it depends on are the ones this cairnflow was built and tested with.
 */
export async function initProject(dir: string): Promise<string[]> {
  const target = resolve(dir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new Error(`${dir} is not empty: cairn init writes a new project into an empty or new folder`);
  }
  const { root, manifest } = ownPackage();
  const template = join(root, 'templates', 'project');
  const name = packageName(target);
  const versions: Record<string, string> = {
    ...(manifest.devDependencies as Record<string, string>),
    ...(manifest.dependencies as Record<string, string>),
    cairnflow: `^${String(manifest.version)}`,
  };
  const values: Record<string, string> = { ...versions, name, stackName: stackName(name) };
  await cp(template, target, { recursive: true });
  // npm never packs a file named .gitignore, so the template holds it as `gitignore`.
  await rename(join(target, 'gitignore'), join(target, '.gitignore'));
  const written: string[] = [];
  for (const entry of await readdir(target, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const text = await readFile(path, 'utf8');
    const filled = text.replace(/\{\{([@a-zA-Z0-9/_-]+)\}\}/g, (placeholder, key: string) => {
      const value = values[key];
      if (value === undefined)
        throw new Error(`The template's ${relative(target, path)} names an unknown value ${placeholder}`);
      return value;
    });
    if (filled !== text) await writeFile(path, filled);
    written.push(relative(target, path));
  }
  return written.sort();
}

/** `cairn init <dir>`. */
export function addInitCommand(program: Command): void {
  program
    .command('init')
    .description(
      'create a new project: a workflow, activities, a worker entry, a time-skipping test and a CDK app',
    )
    .argument('<dir>', 'the folder to create (empty or new)')
    .action(async (dir: string) => {
      const files = await initProject(dir);
      console.log(`Created ${dir}:`);
      for (const file of files) console.log(`  ${file}`);
      console.log(
        `\nNext:\n  cd ${dir}\n  npm install\n  npm test        # time-skipping tests\n  npm run dev     # cairn dev with src/worker.ts`,
      );
    });
}
