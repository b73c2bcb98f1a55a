import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { InvalidArgumentError } from '../common/errors.ts';
import type { RequestSigner } from './connection.ts';

type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];
type CredentialsProvider = Extract<Credentials, (...args: never[]) => unknown>;

/** Options of {@link sigv4Signer}. */
export interface SigV4SignerOptions {
  /** The region of the API, e.g. `eu-west-1`. */
  region: string;
  /**
   * The signing name of the service.
   * @default 'execute-api' (API Gateway)
   */
  service?: string;
  /**
   * Credentials, or a function that resolves them (any AWS SDK credential provider).
   * @default the AWS SDK's default chain: environment, SSO, shared config files, container and instance roles
   */
  credentials?: Credentials;
}

/** The default chain, loaded on first use so that unsigned clients never need the package. */
function defaultCredentials(): CredentialsProvider {
  let provider: Promise<CredentialsProvider> | undefined;
  return async () => {
    provider ??= import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
    return (await provider)();
  };
}

/**
 * Signs the client's requests with AWS Signature Version 4, for an API deployed with API Gateway's
 * IAM authorization (the default of the `Engine` construct).
 *
 * @example
 * const client = new Client({ endpoint: apiUrl, signer: sigv4Signer({ region: 'eu-west-1' }) });
 */
export function sigv4Signer(options: SigV4SignerOptions): RequestSigner {
  if (!options?.region)
    throw new InvalidArgumentError("sigv4Signer needs the API's region, e.g. { region: 'eu-west-1' }");
  const signer = new SignatureV4({
    region: options.region,
    service: options.service ?? 'execute-api',
    credentials: options.credentials ?? defaultCredentials(),
    sha256: Sha256,
  });
  return async ({ method, url, headers, body }) => {
    const target = new URL(url);
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of target.searchParams) {
      const existing = query[name];
      query[name] =
        existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const signed = await signer.sign({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      // Still percent-encoded, as sent; the signer encodes it once more, as SigV4 wants for non-S3 services.
      path: target.pathname,
      query,
      // `host` is signed because fetch sends exactly this value; it is not returned (fetch sets it).
      headers: { ...headers, host: target.host },
      body,
    });
    const { host: _host, ...added } = signed.headers;
    return added;
  };
}
