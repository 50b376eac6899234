/**
 * POST /account/logout/ — the tutorial's LogoutView: blacklist a refresh token, and beyond simplejwt end
 * its session, so the session's access tokens stop working too. Like the view's bare `except`, any
 * problem with the body or the token is the same 400 "Invalid token.".
 */
import { logOut } from '../shared/sessions/logout';
import { badRequest, HttpError } from '../shared/http/errors';
import { endpoint, ok } from '../shared/http/endpoint';
import type { HttpRequest } from '../shared/http/request';
import { parseBody, stringFields } from '../shared/http/request-body';
import { readToken } from '../shared/sessions/session-tokens';
import type { TokenClaims } from '../shared/tokens/tokens';

const invalidToken = () => badRequest('Invalid token.');

async function refreshClaims(request: HttpRequest): Promise<TokenClaims> {
  try {
    const { refresh } = stringFields(await parseBody(request), ['refresh']);
    return await readToken(refresh, 'refresh');
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) throw invalidToken();
    throw error;
  }
}

export const handler = endpoint({
  name: 'Logout',
  methods: ['POST'],
  async handle(request) {
    const claims = await refreshClaims(request);
    if (!(await logOut(claims))) throw invalidToken();
    return ok({ detail: 'Successfully logged out.' });
  },
});
