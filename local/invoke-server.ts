import { createServer, type Server } from 'node:http';
import type { LocalFunction } from './function-host.ts';

/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`, RequestResponse) on
 * 127.0.0.1, so the API function's LambdaClient reaches local worker functions exactly as it
 * reaches deployed ones (via `AWS_ENDPOINT_URL_LAMBDA`).
 */
export async function startInvokeServer(
  functions: Map<string, LocalFunction<unknown, unknown>>,
): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(request.url ?? '');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const fn = match ? functions.get(decodeURIComponent(match[1]!)) : undefined;
      if (!fn) {
        response.writeHead(404, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'ResourceNotFoundException',
        });
        response.end(JSON.stringify({ message: `Function not found: ${match?.[1] ?? request.url}` }));
        return;
      }
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString() || 'null');
        const result = await fn.invoke(event);
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(result ?? null));
      } catch (error) {
        response.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
        response.end(
          JSON.stringify({ errorType: (error as Error).name, errorMessage: (error as Error).message }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
