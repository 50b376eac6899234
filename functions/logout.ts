/**
 * POST /account/logout/ — the tutorial's LogoutView: blacklist a refresh token, and beyond simplejwt end
 * its session, so the session's access tokens stop working too. Like the view's bare `except`, any
 * problem with the body or the token is the same 400 "Invalid token.". In cookie mode the token may come
 * from the cookie (after the CSRF checks, whose 403 stays a 403), and the answer removes the cookie.
 */
import { logOut } from '../shared/sessions/logout';
import { badRequest, HttpError } from '../shared/http/errors';
import { endpoint, ok } from '../shared/http/endpoint';
import { parseBody, stringFields } from '../shared/http/request-body';
import { clearedRefreshCookies, refreshCookieToken, withCookieCleared } from '../shared/sessions/refresh-cookie';
import { readToken } from '../shared/sessions/session-tokens';
import type { TokenClaims } from '../shared/tokens/tokens';

const invalidToken = () => badRequest('Invalid token.');

async function asInvalidToken<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) throw invalidToken();
    throw error;
  }
}

export const handler = endpoint({
  name: 'Logout',
  methods: ['POST'],
  async handle(request) {
    const data = await asInvalidToken(() => parseBody(request));
    const cookie = refreshCookieToken(request, data);
    try {
      const claims: TokenClaims = await asInvalidToken(async () => readToken(cookie ?? stringFields(data, ['refresh']).refresh, 'refresh'));
      if (!(await logOut(claims))) throw invalidToken();
    } catch (error) {
      if (cookie !== undefined && error instanceof HttpError && error.status < 500) return withCookieCleared(error);
      throw error;
    }
    return { ...ok({ detail: 'Successfully logged out.' }), cookies: clearedRefreshCookies() };
  },
});
