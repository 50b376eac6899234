/**
 * Protecting your own Lambda handlers with this service's access tokens, for code paths not behind the
 * API's authorizer: the same checks as the profile route (signature, claims, session, active user) and the
 * same simplejwt answers when they fail.
 *
 *   import { protect } from './shared/require-user';
 *   export const handler = protect(async (event, user) => ({ statusCode: 200, body: JSON.stringify({ hello: user.username }) }));
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { authenticateBearer } from './bearer-auth';
import { HttpError } from './errors';
import { describeError, log } from './log';
import type { User } from './users';

/** The user the event's `Authorization: Bearer` token names; throws an HttpError (401) otherwise. */
export function requireUser(event: Pick<APIGatewayProxyEventV2, 'headers'>): Promise<User> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  return authenticateBearer({ headers });
}

type ProtectedHandler = (event: APIGatewayProxyEventV2, user: User) => Promise<APIGatewayProxyStructuredResultV2>;

/** Wraps a handler so it only runs for a valid bearer; every refusal is simplejwt's JSON answer. */
export function protect(handler: ProtectedHandler): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  return async (event) => {
    let user: User;
    try {
      user = await requireUser(event);
    } catch (error) {
      if (!(error instanceof HttpError)) {
        log.error('unhandled error', { requestId: event.requestContext?.requestId, ...describeError(error) });
        return { statusCode: 500, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ detail: 'A server error occurred.' }) };
      }
      return { statusCode: error.status, headers: { 'Content-Type': 'application/json', ...error.headers }, body: JSON.stringify(error.body) };
    }
    return handler(event, user);
  };
}
