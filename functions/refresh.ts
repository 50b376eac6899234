/** POST /api/token/refresh/ — a refresh token for a new access token, rotated (simplejwt TokenRefreshView); in cookie mode, from the cookie. */
import { endpoint } from '../shared/http/endpoint';
import { HttpError } from '../shared/http/errors';
import { parseBody } from '../shared/http/request-body';
import { refreshTokens } from '../shared/sessions/refresh';
import { requiredRefreshToken, tokenPairResponse, withCookieCleared } from '../shared/sessions/refresh-cookie';

export const handler = endpoint({
  name: 'Token Refresh',
  methods: ['POST'],
  async handle(request) {
    const presented = requiredRefreshToken(request, await parseBody(request));
    try {
      return tokenPairResponse(request, await refreshTokens(presented.token, request.headers['user-agent']), { login: false });
    } catch (error) {
      // A cookie whose token was refused (expired, used up, its session ended) is of no more use to the browser.
      if (presented.fromCookie && error instanceof HttpError && error.status === 401) return withCookieCleared(error);
      throw error;
    }
  },
});
