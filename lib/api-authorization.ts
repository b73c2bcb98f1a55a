import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';

/** Settings of a JWT authorizer (an OIDC provider such as Cognito, Auth0 or Entra ID). */
export interface JwtAuthorizationProps {
  /**
   * The token issuer (`iss`), an https URL; API Gateway fetches its signing keys from
   * `${issuer}/.well-known/openid-configuration`.
   */
  readonly issuer: string;
  /** Accepted audiences (`aud`); a token must name at least one of them. */
  readonly audience: readonly string[];
  /**
   * OAuth scopes a token must carry (any one of them) to call the API.
   *
   * @default - no scope required
   */
  readonly scopes?: readonly string[];
  /**
   * A token claim naming the namespaces its bearer may use (a list, or a space- or comma-separated
   * string; `*` for all): the API refuses a request for any other namespace with 403
   * `NamespaceNotAllowed`, so namespaces isolate tenants under JWT as route grants do under IAM.
   *
   * @default - no namespace check: a valid token reaches every namespace
   */
  readonly namespacesClaim?: string;
}

/** What an ApiAuthorization puts on the API's route. */
export interface BoundApiAuthorization {
  readonly authorizer: apigwv2.IHttpRouteAuthorizer;
  readonly scopes?: string[];
  /** Whether callers are IAM principals (and `grant*` methods therefore mean something). */
  readonly iam: boolean;
  /** The JWT claim that names a caller's namespaces, which the API function checks. */
  readonly namespacesClaim?: string;
}

/**
 * How callers authenticate to the engine's HTTP API: IAM (SigV4, the default) or JWT.
 *
 * @example
 * new Engine(stack, 'Engine', {
 *   authorization: ApiAuthorization.jwt({ issuer: 'https://example.auth0.com/', audience: ['cairn'] }),
 * });
 */
export abstract class ApiAuthorization {
  /** SigV4-signed requests from IAM principals; grant them access with `engine.grantStart()` etc. */
  static iam(): ApiAuthorization {
    return new IamAuthorization();
  }

  /** Bearer tokens from an OIDC provider, checked by API Gateway before the API function runs. */
  static jwt(props: JwtAuthorizationProps): ApiAuthorization {
    if (!/^https:\/\/[^\s/]+/.test(props.issuer)) {
      throw new Error(
        `ApiAuthorization.jwt: issuer '${props.issuer}' must be an https URL (the OIDC issuer, e.g. https://cognito-idp.<region>.amazonaws.com/<pool id>)`,
      );
    }
    if (props.audience.length === 0 || props.audience.some((audience) => audience.length === 0)) {
      throw new Error(
        'ApiAuthorization.jwt: audience must name at least one non-empty audience (the client id)',
      );
    }
    if (props.namespacesClaim !== undefined && !/^[\w:./-]{1,128}$/.test(props.namespacesClaim)) {
      throw new Error(
        `ApiAuthorization.jwt: namespacesClaim '${props.namespacesClaim}' must be a claim name (letters, digits, _ : . / -)`,
      );
    }
    return new JwtAuthorization(props);
  }

  /** @internal Creates the authorizer for one API. */
  abstract bind(): BoundApiAuthorization;
}

class IamAuthorization extends ApiAuthorization {
  bind(): BoundApiAuthorization {
    return { authorizer: new HttpIamAuthorizer(), iam: true };
  }
}

class JwtAuthorization extends ApiAuthorization {
  constructor(private readonly props: JwtAuthorizationProps) {
    super();
  }

  bind(): BoundApiAuthorization {
    return {
      authorizer: new HttpJwtAuthorizer('Jwt', this.props.issuer, { jwtAudience: [...this.props.audience] }),
      scopes: this.props.scopes && [...this.props.scopes],
      iam: false,
      namespacesClaim: this.props.namespacesClaim,
    };
  }
}
