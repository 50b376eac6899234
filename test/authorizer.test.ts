/** The Lambda authorizer that protects any route: the profile route's checks, the user handed on. */
import { describe, expect, it } from 'vitest';
import { handler as authorize } from '../functions/authorizer';
import { handler as logout } from '../functions/logout';
import { httpApiEvent, authorizerEvent } from '../infra/local/events';
import { issueTokenPair } from '../shared/sessions/session-tokens';
import { tokenClaimsFor } from '../shared/users/users';
import { invoke } from './support/invoke';
import { createTestUser, sessionTokens } from './support/users';

const request = (authorization: string) =>
  authorizerEvent(httpApiEvent({ method: 'GET', url: '/orders', routePath: '/orders', headers: [['Authorization', authorization]] }));

describe('authorizer', () => {
  it("authorizes a valid access token and hands on the user's id and claims", async () => {
    const { user } = await createTestUser({ email: 'rita@example.com', firstName: 'Rita', lastName: 'Levi', isStaff: true });
    const { session, access } = await sessionTokens(user);
    expect(await authorize(request(`Bearer ${access}`))).toEqual({
      isAuthorized: true,
      context: { user_id: user.id, username: user.username, email: 'rita@example.com', is_staff: true, full_name: 'Rita Levi', session_id: session.sid },
    });
  });

  it('hands on the user as stored now, not as the token says: a demoted user is no longer staff', async () => {
    const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
    const { dynamo } = await import('../shared/store/dynamodb');
    const { settings } = await import('../shared/settings');
    const { userKey } = await import('../shared/users/users');
    const { user } = await createTestUser({ isStaff: true });
    const { access } = await sessionTokens(user);
    await dynamo().send(
      new UpdateCommand({ TableName: settings().tables.users, Key: userKey(user.id), UpdateExpression: 'SET isStaff = :f', ExpressionAttributeValues: { ':f': false } }),
    );
    const decision = await authorize(request(`Bearer ${access}`));
    expect(decision).toMatchObject({ isAuthorized: true, context: { is_staff: false } });
  });

  it('refuses bad tokens, refresh tokens, ended sessions and inactive users', async () => {
    const { user } = await createTestUser();
    const inactive = await createTestUser({ isActive: false });
    const pair = await sessionTokens(user);
    const inactivePair = await sessionTokens(inactive.user);
    expect((await invoke(logout, { body: { refresh: pair.refresh } })).status).toBe(200);
    for (const authorization of ['Bearer garbage', `Bearer ${pair.refresh}`, `Bearer ${pair.access}`, `Bearer ${inactivePair.access}`, 'Basic abc']) {
      expect(await authorize(request(authorization)), authorization.slice(0, 20)).toEqual({ isAuthorized: false, context: {} });
    }
  });
});
