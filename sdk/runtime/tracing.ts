/**
 * X-Ray tracing of the engine's AWS calls, when the Engine's `tracing` prop turned it on (it sets
 * `POWERTOOLS_TRACE_ENABLED=true` on every function, and Lambda active tracing). Off, the Powertools
 * Tracer and the X-Ray SDK it wraps are never evaluated: the import below only runs when tracing is
 * on, so a function that does not trace pays none of their cold-start time.
 */
const enabled = process.env.POWERTOOLS_TRACE_ENABLED === 'true';

const tracer = enabled
  ? new (await import('@aws-lambda-powertools/tracer')).Tracer({
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cairn',
    })
  : undefined;

/** The client, with its calls recorded as X-Ray subsegments when tracing is on; else unchanged. */
export function traced<Client extends object>(client: Client): Client {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}
