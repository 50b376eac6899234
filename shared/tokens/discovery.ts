/**
 * What other parties need to verify this service's tokens themselves: the public keys (JWKS) and an
 * OpenID Connect discovery document pointing at them. The issuer is ISSUER when set (tokens then carry it
 * as `iss`, which API Gateway's JWT authorizer requires), else API_URL, the API's own URL (the stack passes
 * it; npm start passes its address): never a request's Host header, which anyone can set, in a document
 * caches may keep.
 */
import type { JsonObject } from '../http/errors';
import { settings, SettingsError } from '../settings';
import { signingKeys } from './signing-keys';

export async function publicJwks(): Promise<JsonObject> {
  const { byKid } = await signingKeys();
  return { keys: [...byKid.values()].flatMap((key) => (key.publicJwk ? [key.publicJwk as JsonObject] : [])) };
}

export async function discoveryDocument(): Promise<JsonObject> {
  const { issuer: configured, apiUrl } = settings();
  if (!configured && !apiUrl) throw new SettingsError('API_URL (or ISSUER) is not set');
  const issuer = (configured ?? apiUrl!).replace(/\/+$/, '');
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
