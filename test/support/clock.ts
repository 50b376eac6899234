/** Time passing without waiting: the handlers' clock (Date) moved forward while timers run as usual. */
import { vi } from 'vitest';

/** Runs `action` as if `seconds` had passed since now. */
export async function later<T>(seconds: number, action: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + seconds * 1000, shouldAdvanceTime: true });
  try {
    return await action();
  } finally {
    vi.useRealTimers();
  }
}

/** Past the default REFRESH_REUSE_GRACE (30 s): presenting a rotated refresh token again is a replay. */
export const AFTER_GRACE = 31;
