/** Tokens made outside the service: expired, tampered, or signed the wrong way, for the refusal tests. */
import { randomUUID } from 'node:crypto';
import { decodeJwt, SignJWT } from 'jose';

export const testSigningKey = () => new TextEncoder().encode(process.env.SIGNING_KEY!);
export const now = () => Math.floor(Date.now() / 1000);

export function claimsFor(type: 'access' | 'refresh', userId: string, overrides: Record<string, unknown> = {}) {
  const iat = now();
  return {
    token_type: type,
    exp: iat + (type === 'access' ? 900 : 604800),
    iat,
    jti: randomUUID().replaceAll('-', ''),
    user_id: userId,
    email: 'someone@example.com',
    is_staff: false,
    full_name: 'Ada Lovelace',
    ...overrides,
  };
}

/** Signs `claims` with our key (HS256) unless told otherwise; claims set to undefined are left out. */
export async function forge(
  claims: Record<string, unknown>,
  { alg = 'HS256', key = testSigningKey() as Parameters<SignJWT['sign']>[0], header = {} as Record<string, unknown> } = {},
): Promise<string> {
  const payload = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT', ...header }).sign(key);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An unsigned token ("alg": "none" in any spelling) or one with an arbitrary signature part. */
export function unsigned(claims: Record<string, unknown>, alg = 'none', signature = ''): string {
  return `${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}.${signature}`;
}

/** The same token with its payload changed but the original signature kept. */
export function tamper(token: string, change: Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64url({ ...decodeJwt(token), ...change })}.${signature}`;
}

export const claimsOf = (token: string) => decodeJwt(token) as Record<string, unknown> & { jti: string; exp: number; iat: number };
