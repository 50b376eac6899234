/**
 * Are an unknown username, a wrong password and an inactive user told apart by how long the 401 takes?
 * Interleaved logins, in a different order each round so drift in machine load favours no case.
 */
import { randomUUID } from 'node:crypto';
import { httpApiEvent } from '../local/events';
import { interleavedRounds, type CaseTiming } from './support';

export async function measureLoginTiming(rounds: number): Promise<CaseTiming[]> {
  const { handler: obtain } = await import('../../functions/obtain');
  const { createUser } = await import('../../shared/users/users');
  const { hashPassword } = await import('../../shared/users/passwords');
  const password = 'bench-password-1';
  const make = async (isActive: boolean) =>
    (
      await createUser({
        username: `bench-${randomUUID().slice(0, 8)}`,
        email: '',
        firstName: '',
        lastName: '',
        isActive,
        isStaff: false,
        isSuperuser: false,
        passwordHash: await hashPassword(password),
      })
    ).username;
  const [active, inactive] = [await make(true), await make(false)];
  const login = (body: () => object) => async () => {
    const event = httpApiEvent({ method: 'POST', url: '/api/token/', headers: [['content-type', 'application/json']], body: JSON.stringify(body()) });
    const started = performance.now();
    const result = await obtain(event);
    const elapsed = performance.now() - started;
    if (result.statusCode !== 401) throw new Error(`expected 401, got ${result.statusCode}`);
    return elapsed;
  };
  return interleavedRounds(
    {
      'unknown username': login(() => ({ username: `nobody-${randomUUID().slice(0, 8)}`, password })),
      'wrong password': login(() => ({ username: active, password: 'not-the-password' })),
      'inactive user (right password)': login(() => ({ username: inactive, password })),
    },
    rounds,
  );
}
