import { sigv4Signer } from 'cairnflow/client';
import type { Command } from 'commander';
import { loadUi } from '../../web/ui-assets.ts';
import { startUiServer } from '../../web/ui-server.ts';

interface UiFlags {
  endpoint?: string;
  sigv4?: boolean;
  region?: string;
  port: string;
}

/** `cairn ui`: the web UI on 127.0.0.1 for any engine, a deployed one signing with the user's credentials. */
export function addUiCommand(program: Command): void {
  program
    .command('ui')
    .description(
      "serve the web UI on 127.0.0.1 for an engine's HTTP API, forwarding (and with --sigv4 signing) its calls",
    )
    .option(
      '-e, --endpoint <url>',
      'base URL of the HTTP API (or CAIRN_ENDPOINT)',
      process.env.CAIRN_ENDPOINT,
    )
    .option('--sigv4', 'sign each API call with AWS SigV4 (credentials from the usual AWS chain)')
    .option('--region <region>', 'AWS region of the API, for SigV4 (or AWS_REGION)', process.env.AWS_REGION)
    .option('-p, --port <port>', 'port of the UI on 127.0.0.1', '8233')
    .action(async (flags: UiFlags) => {
      if (!flags.endpoint)
        throw new Error('cairn ui needs the API: pass --endpoint <url> (or set CAIRN_ENDPOINT)');
      let endpoint: URL;
      try {
        endpoint = new URL(flags.endpoint);
      } catch {
        throw new Error(
          `--endpoint must be a URL such as https://abc123.execute-api.eu-west-1.amazonaws.com, got '${flags.endpoint}'`,
        );
      }
      const port = Number(flags.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        throw new Error(`--port must be a port number (0–65535), got '${flags.port}'`);
      }
      if (flags.sigv4 && !flags.region) {
        throw new Error("--sigv4 needs the API's region: pass --region <r> (or set AWS_REGION)");
      }
      const server = await startUiServer({
        ui: await loadUi(),
        endpoint: endpoint.toString(),
        signer: flags.sigv4 ? sigv4Signer({ region: flags.region! }) : undefined,
        port,
      }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') {
          throw new Error(`Port ${port} on 127.0.0.1 is already in use; choose another with --port <n>`);
        }
        throw error;
      });
      console.log(`Cairn UI: ${server.url}/`);
      console.log(
        `API: ${endpoint.origin}${endpoint.pathname.replace(/\/+$/, '')}${flags.sigv4 ? ` (signed with SigV4, region ${flags.region})` : ''}`,
      );
      console.log('Ctrl-C stops it.');
      const stop = async () => {
        await server.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
