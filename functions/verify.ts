/**
 * POST /api/token/verify/ — is this a valid token of ours? (simplejwt TokenVerifyView). Signature and
 * claims only: no DynamoDB, so this function's bundle carries no AWS SDK.
 */
import { endpoint, ok } from '../shared/http/endpoint';
import { parseBody, stringFields } from '../shared/http/request-body';
import { readToken } from '../shared/sessions/session-tokens';

export const handler = endpoint({
  name: 'Token Verify',
  methods: ['POST'],
  async handle(request) {
    const { token } = stringFields(await parseBody(request), ['token']);
    await readToken(token);
    return ok({});
  },
});
