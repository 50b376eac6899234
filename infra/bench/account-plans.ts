/**
 * The account endpoints (djoser's /auth/users/...) in the latency table: each request gets a user of its
 * own where the request uses one up (activated, reset, deleted, password changed: every session ends), all
 * made before any timing starts, with one stored hash of the bench password shared by all (a hash per user
 * would cost a second of setup each). reset_password and resend_activation answer after a fixed floor:
 * their round trips are counted here, their timing is the mail section's (mail.ts).
 */
import { randomUUID } from 'node:crypto';
import { encodeUid, makeToken } from '../../shared/accounts/account-links';
import type { User } from '../../shared/users/users';
import { httpApiEvent } from '../local/events';
import { BENCH_PASSWORD, bearerGet, benchUser, inBatches, newSession, postJson } from './fixtures';
import { loadHandler, type Plan } from './plan';

const NEW_PASSWORD = 'Quiet harbor lantern 42';

const bearerJson = (method: string, path: string, access: string, body: object) =>
  httpApiEvent({ method, url: path, headers: [['content-type', 'application/json'], ['authorization', `Bearer ${access}`]], body: JSON.stringify(body) });

/** `count` users made by `make`, handed out one per request. */
async function usersFor<T>(count: number, make: () => Promise<T>): Promise<() => T> {
  const made = await inBatches(count, make);
  return () => {
    const next = made.pop();
    if (next === undefined) throw new Error('the benchmark ran out of prepared users');
    return next;
  };
}

export interface AccountPlans {
  readonly timed: Plan[];
  /** Served once each for their DynamoDB calls. */
  readonly countedOnce: Plan[];
}

export async function accountPlans(passwordHash: string, cheapCount: number): Promise<AccountPlans> {
  const HASHING = 10;
  const WARM_UP = 2;
  const withHash = (prefix: string, isActive = true) => benchUser(prefix, { passwordHash, isActive });
  const withSession = async (prefix: string) => {
    const user = await withHash(prefix);
    return { user, access: (await newSession(user)).access };
  };
  const withLink = async (prefix: string, isActive: boolean) => {
    const user: User = await withHash(prefix, isActive);
    return { uid: encodeUid(user.id), token: await makeToken(user) };
  };

  const reader = await withSession('bench-me');
  const toActivate = await usersFor(cheapCount + 20, () => withLink('bench-activate', false));
  const toReset = await usersFor(HASHING + WARM_UP + 1, () => withLink('bench-reset', true));
  const toChange = await usersFor(HASHING + WARM_UP + 1, () => withSession('bench-set-password'));
  const toDelete = await usersFor(HASHING + WARM_UP + 1, () => withSession('bench-delete'));
  const mailed = await withHash(`bench-mailed-${randomUUID().slice(0, 8)}`);
  const waiting = await withHash(`bench-waiting-${randomUUID().slice(0, 8)}`, false);

  const handlers = {
    me: await loadHandler('me'),
    usersCreate: await loadHandler('users-create'),
    activation: await loadHandler('activation'),
    resetPassword: await loadHandler('reset-password'),
    resendActivation: await loadHandler('resend-activation'),
    resetPasswordConfirm: await loadHandler('reset-password-confirm'),
    setPassword: await loadHandler('set-password'),
  };
  return {
    timed: [
      { endpoint: 'me (GET)', fn: 'me', handler: handlers.me, event: () => bearerGet('/auth/users/me/', reader.access), count: cheapCount, warmUp: 100 },
      {
        endpoint: 'me (PATCH names)',
        fn: 'me',
        handler: handlers.me,
        event: () => bearerJson('PATCH', '/auth/users/me/', reader.access, { first_name: `Ada ${randomUUID().slice(0, 4)}`, last_name: 'Lovelace' }),
        count: cheapCount,
        warmUp: 10,
      },
      { endpoint: 'activation', fn: 'activation', handler: handlers.activation, event: () => postJson('/auth/users/activation/', toActivate()), count: cheapCount, warmUp: 10 },
      {
        endpoint: 'users (sign-up, mailed)',
        fn: 'users-create',
        handler: handlers.usersCreate,
        event: () => {
          const name = `bench-signup-${randomUUID().slice(0, 8)}`;
          return postJson('/auth/users/', { username: name, email: `${name}@example.com`, password: NEW_PASSWORD });
        },
        count: HASHING,
        warmUp: WARM_UP,
        hashes: 1,
      },
      {
        endpoint: 'reset_password_confirm',
        fn: 'reset-password-confirm',
        handler: handlers.resetPasswordConfirm,
        event: () => postJson('/auth/users/reset_password_confirm/', { ...toReset(), new_password: NEW_PASSWORD }),
        count: HASHING,
        warmUp: WARM_UP,
        hashes: 1,
      },
      {
        endpoint: 'set_password',
        fn: 'set-password',
        handler: handlers.setPassword,
        event: () => postJson('/auth/users/set_password/', { current_password: BENCH_PASSWORD, new_password: NEW_PASSWORD }, [['authorization', `Bearer ${toChange().access}`]]),
        count: HASHING,
        warmUp: WARM_UP,
        hashes: 2,
      },
      {
        endpoint: 'me (DELETE)',
        fn: 'me',
        handler: handlers.me,
        event: () => bearerJson('DELETE', '/auth/users/me/', toDelete().access, { current_password: BENCH_PASSWORD }),
        count: HASHING,
        warmUp: WARM_UP,
        hashes: 1,
      },
    ],
    countedOnce: [
      { endpoint: 'reset_password (mailed)', fn: 'reset-password', handler: handlers.resetPassword, event: () => postJson('/auth/users/reset_password/', { email: mailed.email }), count: 0, warmUp: 0 },
      { endpoint: 'reset_password (unknown email)', fn: 'reset-password', handler: handlers.resetPassword, event: () => postJson('/auth/users/reset_password/', { email: `nobody-${randomUUID().slice(0, 8)}@example.com` }), count: 0, warmUp: 0 },
      { endpoint: 'resend_activation (mailed)', fn: 'resend-activation', handler: handlers.resendActivation, event: () => postJson('/auth/users/resend_activation/', { email: waiting.email }), count: 0, warmUp: 0 },
    ],
  };
}
