/**
 * Refreshing: a valid refresh token of an active user, from a session still live, buys a new access token
 * and, with rotation on, the token's one successor, while the used token is blacklisted.
 *
 * simplejwt checks the blacklist and then writes it, so concurrent refreshes of one token can all win.
 * Here one DynamoDB transaction settles it: a conditional Put of the jti into the blacklist, a
 * ConditionCheck that the user exists, is active and has not ended the token's session generation, and an
 * Update recording the refresh on the session, conditional on it being live. Exactly one of N concurrent
 * refreshes commits.
 *
 * A refresh token has exactly one successor, ever: its jti derives from the used token's, and its iat is
 * the rotation time stored in the blacklist entry, so it can be signed again identically. Presented again
 * within REFRESH_REUSE_GRACE of its rotation (two tabs, a retry after a lost answer or a timed-out commit),
 * the used token gets that same successor, never a second branch of the family. After that window it is a
 * replay, perhaps by a thief: the whole session is revoked (RFC 9700 section 4.14.2).
 *
 * The new tokens carry the user's claims as stored now (read in parallel with the transaction), not as at
 * login: a demoted user is no longer staff in the next access token.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { nowSeconds } from '../clock';
import { authenticationFailed, tokenNotValid, type JsonObject } from '../http/errors';
import { settings } from '../settings';
import { cancellationReasons, dynamo } from '../store/dynamodb';
import { type TokenClaims, userIdOf } from '../tokens/tokens';
import { activeUserCheck, findUserById, userClaimsFor, type User } from '../users/users';
import { blacklistedAt, blacklistPut, isRecentRotation } from './blacklist';
import { refreshRefusal } from './refresh-state';
import { adoptedSessionPut, isSessionLive, refreshedSessionUpdate, revokeSession } from './session-store';
import { generationOf, readToken, sessionIdFor, sessionIdOf, signSessionToken, successorJti } from './session-tokens';

const noActiveAccount = () => authenticationFailed('No active account found for the given token.');
const blacklisted = () => tokenNotValid('Token is blacklisted');

/** How the used token was accepted: by whom, in which session, and when its successor was (or is) issued. */
interface Rotation {
  readonly user: User;
  readonly sid: string | undefined;
  readonly rotatedAt: number;
}

export async function refreshTokens(token: string, client: string | undefined): Promise<JsonObject> {
  const claims = await readToken(token, 'refresh');
  const userId = userIdOf(claims);
  if (userId === undefined) throw noActiveAccount();
  const { rotateRefreshTokens, blacklistAfterRotation } = settings();
  const once = rotateRefreshTokens && blacklistAfterRotation;
  const { user, sid, rotatedAt } = once ? await consumeOnce(claims, userId, client) : await checkStillUsable(claims);
  const next = {
    ...claims,
    ...(sid === undefined ? {} : { sid, auth_time: typeof claims.auth_time === 'number' ? claims.auth_time : rotatedAt, gen: generationOf(claims) }),
    ...userClaimsFor(user),
  };
  const access = await signSessionToken('access', next);
  if (!rotateRefreshTokens) return { access };
  const refresh = await signSessionToken('refresh', next, once ? { issuedAt: rotatedAt, jti: await successorJti(claims) } : {});
  return { access, refresh };
}

/** One round trip when the refresh succeeds or is a retry; a second only to revoke a session on a replay. */
async function consumeOnce(claims: TokenClaims, userId: string, client: string | undefined): Promise<Rotation> {
  const now = nowSeconds();
  const adopting = sessionIdOf(claims) === undefined;
  const sid = await sessionIdFor(claims);
  const storedUser = findUserById(userId);
  storedUser.catch(() => {}); // awaited below; a failure here must not go unhandled while the transaction runs
  try {
    await dynamo().send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: blacklistPut(claims, 'rotated', now) },
          activeUserCheck(userId, generationOf(claims)),
          adopting ? adoptedSessionPut(userId, claims, sid, now, client) : refreshedSessionUpdate(userId, claims, sid, now),
        ],
      }),
    );
    return { user: await activeUser(storedUser), sid, rotatedAt: now };
  } catch (error) {
    const reasons = cancellationReasons(error);
    if (!reasons) throw error;
    const failed = (index: number) => reasons[index]?.code === 'ConditionalCheckFailed';
    // An adopted session that already exists failed its Put; it is live unless revoked.
    const sessionLive = !failed(2) || (adopting && isSessionLive(reasons[2]?.item));
    // simplejwt's order: a blacklisted token is reported as such before the user is looked at.
    if (failed(0)) {
      const entry = reasons[0]?.item;
      if (isRecentRotation(entry) && !failed(1) && sessionLive) {
        return { user: await activeUser(storedUser), sid, rotatedAt: blacklistedAt(entry)! };
      }
      if (sessionLive && !isRecentRotation(entry)) await revokeSession(userId, sid, claims);
      throw blacklisted();
    }
    if (!sessionLive) throw blacklisted();
    if (failed(1)) throw (await storedUser)?.isActive ? blacklisted() : noActiveAccount();
    throw error;
  }
}

async function activeUser(read: Promise<User | undefined>): Promise<User> {
  const user = await read;
  if (!user?.isActive) throw noActiveAccount();
  return user;
}

/**
 * Without blacklist-after-rotation nothing is written, but a token blacklisted by logout, a revoked
 * session and ended sessions stay refused; a token from before sessions stays without one. One round trip.
 */
async function checkStillUsable(claims: TokenClaims): Promise<Rotation> {
  const { refusal, user } = await refreshRefusal(claims);
  if (refusal === 'blacklisted') throw blacklisted();
  if (!user) throw noActiveAccount();
  return { user, sid: sessionIdOf(claims), rotatedAt: nowSeconds() };
}
