/**
 * The tokens of a session (a token family). Each login starts a session: its id (`sid`), its start
 * (`auth_time`) and the user's session generation at that moment (`gen`) are claims of both tokens and
 * survive every refresh. A session ends at `auth_time + SESSION_LIFETIME`, however often it is refreshed:
 * no token is signed to outlive it, and none is accepted after it, even one signed under a longer lifetime
 * setting. Pure token work (no DynamoDB): verify reads tokens through here.
 */
import { randomUUID } from 'node:crypto';
import { nowSeconds } from '../clock';
import { keyedHash } from '../secrets/secret-key';
import { settings } from '../settings';
import { checkType, decodeToken, signToken, TokenError, type SignOptions, type TokenClaims, type TokenPair, type TokenType } from '../tokens/tokens';

export type SessionClaims = {
  readonly sid: string;
  readonly auth_time: number;
  readonly gen: number;
};

export function newSessionClaims(sessionGeneration: number): SessionClaims {
  return { sid: randomUUID().replaceAll('-', ''), auth_time: nowSeconds(), gen: sessionGeneration };
}

/** The session a token belongs to; tokens issued before sessions existed have none. */
export function sessionIdOf(claims: TokenClaims): string | undefined {
  return typeof claims.sid === 'string' && claims.sid !== '' ? claims.sid : undefined;
}

/**
 * The session a refresh token belongs to: its own, or for a token from before sessions (or from Django) the
 * one its first rotation starts, under an id derived from the token so that every retry names the same one.
 */
export async function sessionIdFor(claims: TokenClaims): Promise<string> {
  return sessionIdOf(claims) ?? (await keyedHash('adopted-session', claims.jti)).slice(0, 32);
}

/** The jti of a refresh token's one successor: derived from its own, so a retried rotation signs the same token. */
export async function successorJti(claims: TokenClaims): Promise<string> {
  return (await keyedHash('successor', claims.jti)).slice(0, 32);
}

/** The user's session generation when the token's session began (0 for tokens without one). */
export function generationOf(claims: TokenClaims): number {
  return typeof claims.gen === 'number' && Number.isSafeInteger(claims.gen) ? claims.gen : 0;
}

/** When the session of these claims ends, or undefined for claims without a session. */
export function sessionEndOf(claims: Readonly<Record<string, unknown>>): number | undefined {
  return typeof claims.auth_time === 'number' ? Math.floor(claims.auth_time) + settings().sessionLifetime : undefined;
}

/** A token of `type` for the session these claims carry, expiring no later than the session. */
export function signSessionToken(type: TokenType, claims: Readonly<Record<string, unknown>>, options: Omit<SignOptions, 'notAfter'> = {}): Promise<string> {
  return signToken(type, claims, { ...options, notAfter: sessionEndOf(claims) });
}

/**
 * An access + refresh pair of the session. A login passes `issuedAt: auth_time`: signed in the next second,
 * the refresh token would otherwise end a second short of its lifetime, at the session's end.
 */
export async function issueTokenPair(claims: Readonly<Record<string, unknown>>, options: Pick<SignOptions, 'issuedAt'> = {}): Promise<TokenPair> {
  const [access, refresh] = await Promise.all([signSessionToken('access', claims, options), signSessionToken('refresh', claims, options)]);
  return { access, refresh };
}

/**
 * A token's verified claims (see decodeToken), refused as expired once its session has ended, then as of
 * the wrong type when `expectedType` is given (simplejwt's order: expiry before type).
 */
export async function readToken(token: string, expectedType?: TokenType): Promise<TokenClaims> {
  const claims = await decodeToken(token);
  // Checked as exp is: it still applies after SESSION_LIFETIME is shortened.
  const sessionEnd = sessionEndOf(claims);
  if (sessionEnd !== undefined && sessionEnd <= nowSeconds() - settings().leeway) throw new TokenError('Token is expired');
  if (expectedType !== undefined) checkType(claims, expectedType);
  return claims;
}
