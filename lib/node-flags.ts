/**
 * Node flags every Cairn function runs with, and the Lambda exec wrapper that passes them.
 *
 * `--experimental-async-context-frame` keeps AsyncLocalStorage on V8's continuation data instead
 * of promise hooks (Node 24's default): the determinism guard's run slot then costs a few percent
 * of a cold workflow task instead of ~18 % (`npm run bench`, determinism.cold_task.*). Lambda does
 * not accept the flag in NODE_OPTIONS, so the runtime starts Node through a wrapper script
 * (`AWS_LAMBDA_EXEC_WRAPPER`), which receives Node's command line and adds the flags.
 */
export const NODE_FLAGS: readonly string[] = ['--experimental-async-context-frame'];

/** The wrapper's file name in every function's bundle (`/var/task/<name>` in Lambda). */
export const EXEC_WRAPPER_FILE = 'cairn-node';

/** Where Lambda finds the wrapper: the function's code is unpacked in /var/task. */
export const EXEC_WRAPPER_PATH = `/var/task/${EXEC_WRAPPER_FILE}`;

/** The wrapper: its first argument is the Node binary, the rest Node's own arguments. */
export const EXEC_WRAPPER_SCRIPT = `#!/bin/sh
# Lambda's runtime runs Node through this script (AWS_LAMBDA_EXEC_WRAPPER): add Cairn's Node flags.
node="$1"
shift
exec "$node" ${NODE_FLAGS.join(' ')} "$@"
`;

/** Shell commands that write the wrapper into a bundle's output folder (NodejsFunction command hooks). */
export function writeExecWrapperCommands(outputDir: string): string[] {
  const encoded = Buffer.from(EXEC_WRAPPER_SCRIPT).toString('base64');
  const target = `${outputDir}/${EXEC_WRAPPER_FILE}`;
  return [`echo ${encoded} | base64 -d > "${target}"`, `chmod 755 "${target}"`];
}
