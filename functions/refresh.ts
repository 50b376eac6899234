/** POST /api/token/refresh/ — a refresh token for a new access token, rotated (simplejwt TokenRefreshView). */
import { endpoint, ok } from '../shared/http/endpoint';
import { parseBody, stringFields } from '../shared/http/request-body';
import { refreshTokens } from '../shared/sessions/refresh';

export const handler = endpoint({
  name: 'Token Refresh',
  methods: ['POST'],
  async handle(request) {
    const { refresh } = stringFields(await parseBody(request), ['refresh']);
    return ok(await refreshTokens(refresh, request.headers['user-agent']));
  },
});
