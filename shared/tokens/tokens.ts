/**
 * The token module: simplejwt-compatible access and refresh tokens, signed and checked with jose.
 * A token signed with a key pair names it (`kid`) and is checked with that key and its one algorithm; an
 * HS256 token carries simplejwt's exact header and is checked against each HS256 key. So "alg": "none",
 * a token signed with another algorithm, an unknown kid, or a token missing exp/iat/jti/token_type is
 * refused.
 */
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { nowSeconds } from '../clock';
import { HttpError, WWW_AUTHENTICATE } from '../http/errors';
import { settings } from '../settings';
import { signingKeys, type SigningKey } from './signing-keys';

export type TokenType = 'access' | 'refresh';

export interface TokenClaims {
  readonly token_type: TokenType;
  readonly exp: number;
  readonly iat: number;
  readonly jti: string;
  readonly [claim: string]: unknown;
}

export interface TokenPair {
  readonly access: string;
  readonly refresh: string;
}

/** simplejwt's TokenError messages (5.5 wording). */
export type TokenProblem = 'Token is invalid' | 'Token is expired' | 'Token has wrong type';

/** Unless a caller says otherwise, a bad token answers as simplejwt's views do: 401 token_not_valid. */
export class TokenError extends HttpError {
  constructor(readonly problem: TokenProblem) {
    super(401, { detail: problem, code: 'token_not_valid' }, { 'WWW-Authenticate': WWW_AUTHENTICATE });
  }
}

/** The scope access tokens carry when an AUDIENCE is set, for API Gateway's JWT authorizer to require. */
export const ACCESS_SCOPE = 'access';

/** Claims set anew on every token; everything else is copied from refresh to access and across rotation. */
const REGISTERED_CLAIMS = new Set(['token_type', 'exp', 'iat', 'jti', 'scope']);


/** Our tokens are a few hundred bytes; anything far longer is refused before any parsing. */
const MAX_TOKEN_LENGTH = 8192;

function lifetimeOf(type: TokenType): number {
  const { accessTokenLifetime, refreshTokenLifetime } = settings();
  return type === 'access' ? accessTokenLifetime : refreshTokenLifetime;
}

export interface SignOptions {
  /** No later than this exp (epoch seconds). */
  readonly notAfter?: number;
  /** iat and jti, for a token that must come out the same when signed again; now and a random uuid4 hex otherwise. */
  readonly issuedAt?: number;
  readonly jti?: string;
}

/**
 * A new token of `type` carrying `claims` (user_id, custom and session claims), with simplejwt's claim
 * order, expiring after its type's lifetime or at `notAfter`, whichever comes first.
 */
export async function signToken(type: TokenType, claims: Readonly<Record<string, unknown>>, options: SignOptions = {}): Promise<string> {
  const iat = options.issuedAt ?? nowSeconds();
  const { issuer, audience } = settings();
  const payload = {
    token_type: type,
    exp: Math.min(iat + lifetimeOf(type), options.notAfter ?? Infinity),
    iat,
    jti: options.jti ?? randomUUID().replaceAll('-', ''),
    ...withoutRegisteredClaims(claims),
    // A JWT authorizer cannot tell an access token from a refresh token, but it can require a scope.
    ...(audience && type === 'access' ? { scope: ACCESS_SCOPE } : {}),
  };
  const { current } = await signingKeys();
  // HS256 tokens keep simplejwt's exact header ({"alg":"HS256","typ":"JWT"}); they are checked against each
  // HS256 key instead. Key pairs are named, for JWKS consumers such as API Gateway's JWT authorizer.
  const header = current.alg === 'HS256' ? { alg: current.alg, typ: 'JWT' } : { alg: current.alg, typ: 'JWT', kid: current.kid };
  const jwt = new SignJWT(payload).setProtectedHeader(header);
  if (issuer) jwt.setIssuer(issuer);
  if (audience) jwt.setAudience(audience);
  // Keys are WebCrypto keys imported once per container (jose would import raw bytes on every call).
  return jwt.sign(current.signWith);
}

export function withoutRegisteredClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !REGISTERED_CLAIMS.has(name)));
}

/**
 * Checks signature, algorithm, expiry and required claims, then the token type when one is expected.
 * Throws TokenError with simplejwt's message.
 */
export async function decodeToken(token: string, expectedType?: TokenType): Promise<TokenClaims> {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('Token is invalid');
  // Outside the try: keys that cannot be read are the service's fault (503 or 500), not the token's.
  const keys = await signingKeys();
  let kid: unknown;
  try {
    ({ kid } = decodeProtectedHeader(token));
  } catch {
    throw new TokenError('Token is invalid');
  }
  const candidates = kid === undefined ? keys.withoutKid : [keys.byKid.get(String(kid))].filter((key) => key !== undefined);
  let payload: Record<string, unknown> | undefined;
  for (const key of candidates) {
    payload = await verifiedPayload(token, key);
    if (payload) break;
  }
  if (!payload) throw new TokenError('Token is invalid');
  const { leeway } = settings();
  const { token_type: type, jti, iat } = payload;
  if (typeof jti !== 'string' || jti === '' || typeof type !== 'string') throw new TokenError('Token is invalid');
  // jose only checks that iat is a number; PyJWT (and so simplejwt) also refuses one from the future.
  if (typeof iat !== 'number' || iat > nowSeconds() + leeway) throw new TokenError('Token is invalid');
  if (type !== 'access' && type !== 'refresh') throw new TokenError('Token has wrong type');
  const claims = payload as unknown as TokenClaims;
  if (expectedType !== undefined) checkType(claims, expectedType);
  return claims;
}

export function checkType(claims: TokenClaims, expectedType: TokenType): void {
  if (claims.token_type !== expectedType) throw new TokenError('Token has wrong type');
}

/** The payload if `key` signed the token; undefined if it did not; TokenError if it did but the claims fail. */
async function verifiedPayload(token: string, key: SigningKey): Promise<Record<string, unknown> | undefined> {
  const { leeway, issuer, audience } = settings();
  try {
    const { payload } = await jwtVerify(token, key.verifyWith, {
      algorithms: [key.alg],
      requiredClaims: ['exp', 'iat', 'jti', 'token_type'],
      clockTolerance: leeway,
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    });
    return payload;
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return undefined;
    // jose checks the signature before the claims: an expired token here was really signed with this key.
    if (error instanceof errors.JWTExpired) throw new TokenError('Token is expired');
    if (error instanceof errors.JOSEError || error instanceof TypeError) throw new TokenError('Token is invalid');
    throw error;
  }
}

/** The user id a token names, as a string (simplejwt before 5.5.1 wrote numbers). */
export function userIdOf(claims: TokenClaims): string | undefined {
  const id = claims.user_id;
  if (typeof id === 'string' && id !== '') return id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  return undefined;
}
