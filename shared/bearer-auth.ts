/**
 * `Authorization: Bearer <access token>` to an active user, with the answers of simplejwt's
 * JWTAuthentication for every way the header, the token or the user can be wrong, and beyond simplejwt:
 * the token's session must not be revoked nor ended. One round trip: the user and the session's
 * revocation entry in one BatchGetItem.
 */
import { getItems } from './dynamodb';
import { authenticationFailed, notAuthenticated, tokenNotValid, unauthorized } from './errors';
import type { HttpRequest } from './http';
import { generationOf, isRevocationInForce, revokedSessionKey, sessionIdOf } from './sessions';
import { decodeToken, type TokenClaims, type TokenProblem, TokenError, userIdOf } from './tokens';
import { toUser, userKey, type User } from './users';

/** simplejwt's answer when no configured token class accepts the token. */
const notValidForAnyType = (problem: TokenProblem | 'Token is blacklisted') =>
  unauthorized({
    detail: 'Given token not valid for any token type',
    code: 'token_not_valid',
    messages: [{ token_class: 'AccessToken', token_type: 'access', message: problem }],
  });

const AUTH_HEADER_TYPE = 'Bearer';

export async function authenticateBearer(request: Pick<HttpRequest, 'headers'>): Promise<User> {
  return (await authenticateBearerToken(request)).user;
}

/** The user and the verified claims of their access token. */
export async function authenticateBearerToken(request: Pick<HttpRequest, 'headers'>): Promise<{ user: User; claims: TokenClaims }> {
  // Python's bytes.split(): runs of ASCII whitespace separate parts, and ends are ignored.
  const parts = (request.headers.authorization ?? '').split(/[ \t\n\r\v\f]+/).filter(Boolean);
  // Another scheme is not ours to judge: simplejwt answers as if no credentials came.
  if (parts[0] !== AUTH_HEADER_TYPE) throw notAuthenticated();
  if (parts.length !== 2) {
    throw authenticationFailed('Authorization header must contain two space-delimited values', 'bad_authorization_header');
  }
  const claims = await decodeToken(parts[1]!, 'access').catch((error: unknown) => {
    if (!(error instanceof TokenError)) throw error;
    throw notValidForAnyType(error.problem);
  });
  const userId = userIdOf(claims);
  if (userId === undefined) throw tokenNotValid('Token contained no recognizable user identification');
  const sid = sessionIdOf(claims);
  const [userItem, revocation] = await getItems([
    { table: 'users', key: userKey(userId) },
    ...(sid === undefined ? [] : [{ table: 'revokedSessions' as const, key: revokedSessionKey(sid) }]),
  ]);
  if (isRevocationInForce(revocation)) throw notValidForAnyType('Token is blacklisted');
  if (!userItem) throw authenticationFailed('User not found', 'user_not_found');
  const user = toUser(userItem);
  if (!user.isActive) throw authenticationFailed('User is inactive', 'user_inactive');
  if (user.sessionGeneration !== generationOf(claims)) throw notValidForAnyType('Token is blacklisted');
  return { user, claims };
}
