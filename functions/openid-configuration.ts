/** GET /.well-known/openid-configuration — where the keys are and which algorithms sign (OIDC discovery). */
import { discoveryDocument } from '../shared/tokens/discovery';
import { endpoint, ok } from '../shared/http/endpoint';

export const handler = endpoint({
  name: 'OpenID Configuration',
  methods: ['GET'],
  async handle() {
    return { ...ok(await discoveryDocument()), headers: { 'Cache-Control': 'public, max-age=300' } };
  },
});
