/**
 * POST /api/token/verify/ — is this a valid token of ours? (simplejwt TokenVerifyView). An access token is
 * checked by its signature and claims alone: no DynamoDB, and the AWS SDK is not even loaded. A refresh
 * token is also looked up (one read), because simplejwt answers "Token is blacklisted" for one that was
 * used up, and frontends verify a stored refresh token to decide whether to show the login screen.
 */
import { validationFailed } from '../shared/http/errors';
import { endpoint, ok } from '../shared/http/endpoint';
import { parseBody, stringFields } from '../shared/http/request-body';
import { readToken } from '../shared/sessions/session-tokens';

/** Loaded on the first refresh token, once: an access token never loads it (nor, through it, the AWS SDK). */
let refreshState: Promise<typeof import('../shared/sessions/refresh-state')> | undefined;

export const handler = endpoint({
  name: 'Token Verify',
  methods: ['POST'],
  async handle(request) {
    const { token } = stringFields(await parseBody(request), ['token']);
    const claims = await readToken(token);
    if (claims.token_type === 'refresh') {
      const { refreshRefusal } = await (refreshState ??= import('../shared/sessions/refresh-state'));
      if ((await refreshRefusal(claims)).refusal) throw validationFailed({ non_field_errors: ['Token is blacklisted'] });
    }
    return ok({});
  },
});
