/**
 * POST /api/token/verify/ — is this a valid token of ours? (simplejwt TokenVerifyView). Signature and
 * claims only: no DynamoDB, so this function's bundle carries no AWS SDK.
 */
import { endpoint, ok } from '../shared/http';
import { parseBody, stringFields } from '../shared/request-body';
import { decodeToken } from '../shared/tokens';

export const handler = endpoint({
  name: 'Token Verify',
  methods: ['POST'],
  async handle(request) {
    const { token } = stringFields(await parseBody(request), ['token']);
    await decodeToken(token);
    return ok({});
  },
});
