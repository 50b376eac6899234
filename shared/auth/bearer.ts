/**
 * `Authorization: Bearer <access token>` to an active user: the one way this service authenticates a
 * bearer, for the profile, password and logout-all routes, the API's authorizer and `protect`. It answers
 * as simplejwt's JWTAuthentication for every way the header, the token or the user can be wrong, and beyond
 * simplejwt: the token's session must not be revoked nor ended. One round trip: the user and the session's
 * revocation entry in one BatchGetItem.
 */
import { authenticationFailed, notAuthenticated, tokenNotValid, unauthorized } from '../http/errors';
import type { HttpRequest } from '../http/request';
import { isSessionLive, sessionKey } from '../sessions/session-store';
import { generationOf, readToken, sessionIdOf } from '../sessions/session-tokens';
import { getItems } from '../store/dynamodb';
import { type TokenClaims, type TokenProblem, TokenError, userIdOf } from '../tokens/tokens';
import { toUser, userKey, type User } from '../users/users';

/** Who is calling: the user as stored now, and the verified claims of the access token they sent. */
export interface Bearer {
  readonly user: User;
  readonly claims: TokenClaims;
}

/** simplejwt's answer when no configured token class accepts the token. */
const notValidForAnyType = (problem: TokenProblem | 'Token is blacklisted') =>
  unauthorized({
    detail: 'Given token not valid for any token type',
    code: 'token_not_valid',
    messages: [{ token_class: 'AccessToken', token_type: 'access', message: problem }],
  });

const AUTH_HEADER_TYPE = 'Bearer';

/** Headers must be lower-cased (see lowerCaseHeaders); throws the 401 simplejwt would answer. */
export async function authenticateBearer(request: Pick<HttpRequest, 'headers'>): Promise<Bearer> {
  // Python's bytes.split(): runs of ASCII whitespace separate parts, and ends are ignored.
  const parts = (request.headers.authorization ?? '').split(/[ \t\n\r\v\f]+/).filter(Boolean);
  // Another scheme is not ours to judge: simplejwt answers as if no credentials came.
  if (parts[0] !== AUTH_HEADER_TYPE) throw notAuthenticated();
  if (parts.length !== 2) {
    throw authenticationFailed('Authorization header must contain two space-delimited values', 'bad_authorization_header');
  }
  const claims = await readToken(parts[1]!, 'access').catch((error: unknown) => {
    if (!(error instanceof TokenError)) throw error;
    throw notValidForAnyType(error.problem);
  });
  const userId = userIdOf(claims);
  if (userId === undefined) throw tokenNotValid('Token contained no recognizable user identification');
  const sid = sessionIdOf(claims);
  const [userItem, session] = await getItems([
    { table: 'users', key: userKey(userId) },
    ...(sid === undefined ? [] : [{ table: 'sessions' as const, key: sessionKey(userId, sid) }]),
  ]);
  // simplejwt's order for the user (found, active), then this service's session checks.
  if (!userItem) throw authenticationFailed('User not found', 'user_not_found');
  const user = toUser(userItem);
  if (!user.isActive) throw authenticationFailed('User is inactive', 'user_inactive');
  if (sid !== undefined && !isSessionLive(session)) throw notValidForAnyType('Token is blacklisted');
  if (user.sessionGeneration !== generationOf(claims)) throw notValidForAnyType('Token is blacklisted');
  return { user, claims };
}
