/**
 * What other parties need to verify this service's tokens themselves: the public keys (JWKS) and an
 * OpenID Connect discovery document pointing at them. The issuer is ISSUER when set (tokens then carry it
 * as `iss`, which API Gateway's JWT authorizer requires), else the URL the request came to.
 */
import type { JsonObject } from '../http/errors';
import type { HttpRequest } from '../http/request';
import { settings } from '../settings';
import { signingKeys } from './signing-keys';

export async function publicJwks(): Promise<JsonObject> {
  const { byKid } = await signingKeys();
  return { keys: [...byKid.values()].flatMap((key) => (key.publicJwk ? [key.publicJwk as JsonObject] : [])) };
}

export async function discoveryDocument(request: Pick<HttpRequest, 'headers'>): Promise<JsonObject> {
  const issuer = (settings().issuer ?? requestOrigin(request)).replace(/\/+$/, '');
  const { byKid } = await signingKeys();
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/api/token/`,
    response_types_supported: ['token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...new Set([...byKid.values()].map((key) => key.alg))],
    claims_supported: ['token_type', 'exp', 'iat', 'jti', 'user_id', 'email', 'is_staff', 'full_name', 'sid', 'auth_time', 'iss', 'aud'],
  };
}

function requestOrigin(request: Pick<HttpRequest, 'headers'>): string {
  const host = request.headers.host ?? 'localhost';
  const local = /^(localhost|127\.|\[::1\])/.test(host);
  const proto = request.headers['x-forwarded-proto'] ?? (local ? 'http' : 'https');
  return `${proto.split(',')[0]!.trim()}://${host}`;
}
