import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiAuthorization } from 'cairnflow/cdk';
import { describe, expect, it } from 'vitest';
import { createApiHandler } from '../../functions/api/handler.ts';
import type { ApiService } from '../../functions/api/router.ts';
import { toGatewayEvent } from '../../local/http-gateway-event.ts';
import { engineFixture } from '../cdk/fixtures.ts';

/** A service that answers every describe: what matters is whether the request reaches it. */
const service = new Proxy({} as ApiService, {
  get: () => async () => ({ workflowId: 'wf', status: 'Running' }),
});

/** A request as API Gateway hands it on after its JWT authorizer accepted the token. */
function withClaims(namespace: string, claims: Record<string, unknown> | undefined): APIGatewayProxyEventV2 {
  const event = toGatewayEvent({
    method: 'GET',
    target: `/v1/namespaces/${namespace}/workflows/wf`,
    headers: { host: 'api.local' },
  });
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      ...(claims && { authorizer: { jwt: { claims, scopes: [] } } }),
    },
  } as APIGatewayProxyEventV2;
}

describe("a JWT's namespaces claim", () => {
  const handler = createApiHandler(service, { namespacesClaim: 'cairn/namespaces' });

  it('lets a token reach the namespaces its claim names, as a list or a string', async () => {
    expect((await handler(withClaims('shop', { 'cairn/namespaces': '[shop billing]' }))).statusCode).toBe(
      200,
    );
    expect((await handler(withClaims('billing', { 'cairn/namespaces': 'shop,billing' }))).statusCode).toBe(
      200,
    );
    expect((await handler(withClaims('any', { 'cairn/namespaces': '*' }))).statusCode).toBe(200);
  });

  it('refuses a namespace the claim does not name, or a token without the claim, with 403 NamespaceNotAllowed', async () => {
    const other = await handler(withClaims('payroll', { 'cairn/namespaces': '[shop billing]' }));
    expect(other.statusCode).toBe(403);
    expect(JSON.parse(other.body!).error).toMatchObject({
      code: 'NamespaceNotAllowed',
      message: "The caller's token allows namespaces 'shop', 'billing', not 'payroll'",
    });
    const none = await handler(withClaims('shop', { sub: 'someone' }));
    expect(none.statusCode).toBe(403);
    expect(JSON.parse(none.body!).error.message).toContain("no 'cairn/namespaces' claim");
    expect((await handler(withClaims('shop', undefined))).statusCode).toBe(403);
  });

  it('is checked only when the engine names the claim', async () => {
    const open = createApiHandler(service);
    expect((await open(withClaims('payroll', { 'cairn/namespaces': 'shop' }))).statusCode).toBe(200);
  });

  it('reaches the API function from ApiAuthorization.jwt({ namespacesClaim })', () => {
    const { template } = engineFixture({
      authorization: ApiAuthorization.jwt({
        issuer: 'https://issuer.example.com',
        audience: ['cairn'],
        namespacesClaim: 'cairn/namespaces',
      }),
    });
    const apis = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) =>
      fn.Properties.Description?.startsWith('Cairn HTTP API'),
    );
    expect(apis).toHaveLength(1);
    expect(apis[0]!.Properties.Environment.Variables.CAIRN_JWT_NAMESPACES_CLAIM).toBe('cairn/namespaces');
    expect(() =>
      ApiAuthorization.jwt({
        issuer: 'https://i.example.com',
        audience: ['a'],
        namespacesClaim: 'bad claim',
      }),
    ).toThrow(/namespacesClaim 'bad claim' must be a claim name/);
  });
});
