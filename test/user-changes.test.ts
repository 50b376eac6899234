/** Changes to a user act on what was read: a change made meanwhile is never undone by a later write. */
import { describe, expect, it } from 'vitest';
import { handler as password } from '../functions/password';
import { handler as profile } from '../functions/profile';
import { settings } from '../shared/settings';
import { dynamo } from '../shared/store/dynamodb';
import { findUserById, setActive, setPassword, upgradePasswordHash, UserChangedError } from '../shared/users/users';
import { bearer, invoke } from './support/invoke';
import { createTestUser, sessionTokens } from './support/users';

describe('user store changes', () => {
  it('refuse a write based on a stale read: password, re-hash and the active flag', async () => {
    const { user } = await createTestUser();
    const stale = user;
    await setPassword(stale, '$scrypt$operator-set-this');
    await expect(setPassword(stale, '$scrypt$api-would-set-this')).rejects.toBeInstanceOf(UserChangedError);
    await expect(upgradePasswordHash(stale, '$scrypt$rehash')).rejects.toBeInstanceOf(UserChangedError);
    expect((await findUserById(user.id))!.passwordHash).toBe('$scrypt$operator-set-this');

    const current = (await findUserById(user.id))!;
    await setActive(current, false);
    await expect(setActive(current, false)).rejects.toBeInstanceOf(UserChangedError);
    await expect(setActive((await findUserById(user.id))!, true)).resolves.toMatchObject({ isActive: true });
  });

  it("POST /account/password/ never undoes an operator's password change made while it hashed: it answers as if that came first", async () => {
    const user = await createTestUser();
    const { access } = await sessionTokens(user.user);
    let operatorChanged = false;
    // Just before the API writes its new password, an operator sets another one (as manage changepassword does).
    dynamo().middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { TableName?: string; UpdateExpression?: string };
        if (!operatorChanged && context.commandName === 'UpdateItemCommand' && input.TableName === settings().tables.users) {
          operatorChanged = true;
          await setPassword((await findUserById(user.user.id))!, '$scrypt$set-by-the-operator');
        }
        return next(args);
      },
      { step: 'initialize', name: 'operatorMeanwhile' },
    );
    try {
      const answer = await invoke(password, { headers: bearer(access), body: { old_password: user.password, new_password: 'api-new-password-1' } });
      expect(operatorChanged).toBe(true);
      // The operator's change ended every session, this one included: the bearer is refused, as it would be now.
      expect(answer).toMatchObject({ status: 401, body: { code: 'token_not_valid', messages: [{ message: 'Token is blacklisted' }] } });
    } finally {
      dynamo().middlewareStack.remove('operatorMeanwhile');
    }
    expect((await findUserById(user.user.id))!.passwordHash).toBe('$scrypt$set-by-the-operator');
    expect((await invoke(profile, { method: 'GET', headers: bearer(access) })).status).toBe(401);
  });
});
