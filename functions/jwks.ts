/**
 * GET /.well-known/jwks.json — the public halves of the signing key pairs, for anyone verifying tokens
 * (API Gateway's JWT authorizer, other services). Never a secret: HS256 keys are not listed.
 */
import { endpoint, ok } from '../shared/http/endpoint';
import { publicJwks } from '../shared/tokens/discovery';

export const handler = endpoint({
  name: 'JWKS',
  methods: ['GET'],
  async handle() {
    return { ...ok(await publicJwks()), headers: { 'Cache-Control': 'public, max-age=300' } };
  },
});
