/**
 * Protecting your own Lambda handlers with this service's access tokens, for code paths not behind the
 * API's authorizer: the profile route's checks (authenticateBearer) and, when they fail, the service's own
 * answers (simplejwt's 401 bodies, WWW-Authenticate, Cache-Control: no-store). A browser's CORS preflight is
 * answered before authentication, as every handler of the service answers it.
 *
 *   import { protect } from './shared/auth/protect';
 *   export const handler = protect(async (event, user) => ({ statusCode: 200, body: JSON.stringify({ hello: user.username }) }));
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { answerBeforeHandler, renderError, type LambdaHandler } from '../http/endpoint';
import { lowerCaseHeaders } from '../http/request';
import type { TokenClaims } from '../tokens/tokens';
import type { User } from '../users/users';
import { authenticateBearer, type Bearer } from './bearer';

type ProtectedHandler = (event: APIGatewayProxyEventV2, user: User, claims: TokenClaims) => Promise<APIGatewayProxyStructuredResultV2>;

/** Wraps a handler so it only runs for a valid bearer. */
export function protect(handler: ProtectedHandler): LambdaHandler {
  return async (event) => {
    const early = answerBeforeHandler(event);
    if (early) return early;
    let bearer: Bearer;
    try {
      bearer = await authenticateBearer({ headers: lowerCaseHeaders(event.headers) });
    } catch (error) {
      return renderError(error, event);
    }
    return handler(event, bearer.user, bearer.claims);
  };
}
