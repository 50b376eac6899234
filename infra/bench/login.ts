/**
 * Are an unknown username, a wrong password and an inactive user told apart by how long the 401 takes?
 * Interleaved logins, in a different order each round so drift in machine load favours no case.
 */
import { randomUUID } from 'node:crypto';
import { httpApiEvent } from '../local/events';
import { median, quantile } from './support';

export interface LoginTiming {
  readonly case: string;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly samples: number[];
}

export async function measureLoginTiming(rounds: number): Promise<LoginTiming[]> {
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
  const cases: Record<string, () => object> = {
    'unknown username': () => ({ username: `nobody-${randomUUID().slice(0, 8)}`, password }),
    'wrong password': () => ({ username: active, password: 'not-the-password' }),
    'inactive user (right password)': () => ({ username: inactive, password }),
  };
  const login = async (body: object) => {
    const event = httpApiEvent({ method: 'POST', url: '/api/token/', headers: [['content-type', 'application/json']], body: JSON.stringify(body) });
    const started = performance.now();
    const result = await obtain(event);
    const elapsed = performance.now() - started;
    if (result.statusCode !== 401) throw new Error(`expected 401, got ${result.statusCode}`);
    return elapsed;
  };
  for (const make of Object.values(cases)) await login(make());
  const timings: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, make] of Object.entries(cases).sort(() => Math.random() - 0.5)) timings[name]!.push(await login(make()));
  }
  return Object.entries(timings).map(([name, values]) => ({
    case: name,
    medianMs: median(values),
    p10Ms: quantile(values, 0.1),
    p90Ms: quantile(values, 0.9),
    samples: values,
  }));
}
