import { describe, expect, it } from 'vitest';
import { authenticateBearer } from '../shared/auth/bearer';
import { protect } from '../shared/auth/protect';
import { lowerCaseHeaders } from '../shared/http/request';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { tokenClaimsFor } from '../shared/users/users';
import { httpApiEvent } from '../infra/local/events';
import { createTestUser, sessionTokens } from './support/users';

const event = (authorization?: string) =>
  httpApiEvent({ method: 'GET', url: '/my/route', headers: authorization ? [['Authorization', authorization]] : [] });

describe('protecting your own handlers', () => {
  const hello = protect(async (_event, user) => ({ statusCode: 200, body: JSON.stringify({ hello: user.username }) }));

  it('runs the handler for a valid access token, with the user', async () => {
    const { user } = await createTestUser();
    const { access } = await sessionTokens(user);
    expect((await authenticateBearer({ headers: lowerCaseHeaders(event(`Bearer ${access}`).headers) })).user).toMatchObject({ id: user.id });
    const result = await hello(event(`Bearer ${access}`));
    expect(result).toMatchObject({ statusCode: 200, body: JSON.stringify({ hello: user.username }) });
  });

  it("answers simplejwt's 401s without running the handler", async () => {
    const missing = await hello(event());
    expect(missing.statusCode).toBe(401);
    expect(missing.headers).toMatchObject({ 'WWW-Authenticate': 'Bearer realm="api"' });
    expect(JSON.parse(missing.body!)).toEqual({ detail: 'Authentication credentials were not provided.' });
    const garbage = await hello(event('Bearer garbage'));
    expect(JSON.parse(garbage.body!)).toMatchObject({ code: 'token_not_valid', messages: [{ message: 'Token is invalid' }] });
  });
});
