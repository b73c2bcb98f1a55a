import { ArnFormat, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ApiAuthorization } from './api-authorization.ts';

/** What an API caller may do, as execute-api resource paths (see `functions/api/router.ts`). */
export type ApiRoute = readonly [method: string, path: string];

/** HTTP API access log fields (HTTP API context variables, not REST API ones). */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    caller: '$context.identity.caller',
    principal: '$context.identity.userArn',
    method: '$context.httpMethod',
    path: '$context.path',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    authorizerError: '$context.authorizer.error',
  }),
);

/** The engine's HTTP API, as {@link engineHttpApi} builds it. */
export interface EngineHttpApi {
  httpApi: apigwv2.HttpApi;
  stage: apigwv2.HttpStage;
  accessLogGroup: logs.LogGroup;
  /** Whether callers authenticate with IAM (SigV4), so `grant*()` can grant routes. */
  authorizesWithIam: boolean;
}

/**
 * The engine's HTTP API in `scope`: one catch-all route to the API function behind the
 * authorizer (IAM by default), on an auto-deployed `$default` stage with throttling and an access log.
 */
export function engineHttpApi(
  scope: Construct,
  options: {
    prefix: string;
    apiFunction: lambda.Function;
    authorization?: ApiAuthorization;
    logRetention: logs.RetentionDays;
    throttle: apigwv2.ThrottleSettings;
  },
): EngineHttpApi {
  const authorization = (options.authorization ?? ApiAuthorization.iam()).bind();
  // The API function refuses a token's request for a namespace its claim does not name.
  if (authorization.namespacesClaim !== undefined)
    options.apiFunction.addEnvironment('CAIRN_JWT_NAMESPACES_CLAIM', authorization.namespacesClaim);
  const httpApi = new apigwv2.HttpApi(scope, 'HttpApi', {
    description: `Cairn workflow API (${options.prefix})`,
    createDefaultStage: false,
    // One catch-all route: the API function routes requests itself (functions/api/router.ts).
    defaultIntegration: new HttpLambdaIntegration('ApiIntegration', options.apiFunction, {
      payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
    }),
    defaultAuthorizer: authorization.authorizer,
    defaultAuthorizationScopes: authorization.scopes,
  });
  const accessLogGroup = new logs.LogGroup(scope, 'ApiAccessLogs', { retention: options.logRetention });
  const stage = new apigwv2.HttpStage(scope, 'ApiStage', {
    httpApi,
    stageName: '$default',
    autoDeploy: true,
    throttle: options.throttle,
    accessLogSettings: {
      destination: new apigwv2.LogGroupLogDestination(accessLogGroup),
      format: ACCESS_LOG_FORMAT,
    },
  });
  return { httpApi, stage, accessLogGroup, authorizesWithIam: authorization.iam };
}

/** The execute-api ARNs of `routes` on the API's stage: what an IAM grant of those routes names. */
export function routeArns(
  httpApi: apigwv2.IHttpApi,
  stage: apigwv2.IHttpStage,
  routes: readonly ApiRoute[],
): string[] {
  const stack = Stack.of(stage);
  return routes.map(([httpMethod, path]) =>
    stack.formatArn({
      service: 'execute-api',
      resource: httpApi.apiId,
      resourceName: `${stage.stageName}/${httpMethod}${path}`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    }),
  );
}

/** The routes that start workflows in `namespace` (what `Engine.grantStart` grants). */
export function startRoutes(namespace: string): ApiRoute[] {
  return [['POST', `/v1/namespaces/${namespace}/workflows`]];
}

/**
 * The routes that read workflows in `namespace`: list, describe, history, results and queries; and
 * list and describe its schedules (what `Engine.grantRead` grants).
 */
export function readRoutes(namespace: string): ApiRoute[] {
  const workflows = `/v1/namespaces/${namespace}/workflows`;
  const schedules = `/v1/namespaces/${namespace}/schedules`;
  return [
    ['GET', workflows],
    ['GET', `${workflows}/*`],
    ['GET', schedules],
    ['GET', `${schedules}/*`],
    ['POST', `${workflows}/*/queries/*`],
    // Result polls of many runs in one request (what the client's `result()` sends).
    ['POST', `/v1/namespaces/${namespace}/workflow-results`],
    ['GET', '/v1/openapi.json'],
  ];
}

/** Every route in every namespace (what `Engine.grantFullAccess` grants). */
export const ALL_ROUTES: readonly ApiRoute[] = [['*', '/*']];
