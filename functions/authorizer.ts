/**
 * The API Gateway Lambda authorizer (REQUEST type, payload 2.0, simple responses) that protects any route
 * with this service's access tokens, as simplejwt's DEFAULT_AUTHENTICATION_CLASSES protect every Django
 * view: the profile route's checks (any algorithm of the key set, session, active user), and the user as
 * stored now handed to the route's integration as `requestContext.authorizer.lambda`.
 */
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { authenticateBearer } from '../shared/auth/bearer';
import { HttpError } from '../shared/http/errors';
import { lowerCaseHeaders } from '../shared/http/request';
import { fullName } from '../shared/users/users';

export interface AuthorizerContext {
  [key: string]: string | boolean;
  user_id: string;
  username: string;
  email: string;
  is_staff: boolean;
  full_name: string;
  session_id: string;
}

export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext | Record<string, never>>> {
  try {
    const { user, claims } = await authenticateBearer({ headers: lowerCaseHeaders(event.headers) });
    return {
      isAuthorized: true,
      context: {
        user_id: user.id,
        username: user.username,
        // From the user as stored now, not the token: a demoted user must not stay staff for a session.
        email: user.email,
        is_staff: user.isStaff,
        full_name: fullName(user),
        session_id: typeof claims.sid === 'string' ? claims.sid : '',
      },
    };
  } catch (error) {
    // A refused token is a 403 from API Gateway; a fault (503) must not become a silent "no".
    if (error instanceof HttpError && error.status < 500) return { isAuthorized: false, context: {} };
    throw error;
  }
}
