/**
 * Can a caller tell from reset_password or resend_activation whether an email has an account? Both answer
 * 204 with no body in every case; this measures the time: per endpoint, an email that gets a mail, one
 * that has no account, and one whose account gets none (inactive for a reset, active for a resend),
 * interleaved in a new order each round. Mails go to MAIL_DIR as .eml files (the bench's temporary folder).
 */
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../shared/users/passwords';
import { BENCH_PASSWORD, benchUser, postJson } from './fixtures';
import { loadHandler } from './plan';
import { interleavedRounds, type CaseTiming } from './support';

export interface MailTiming {
  readonly endpoint: string;
  readonly timing: CaseTiming[];
}

export async function measureMailTiming(rounds: number): Promise<MailTiming[]> {
  const passwordHash = await hashPassword(BENCH_PASSWORD);
  const email = async (isActive: boolean) => (await benchUser(`bench-mail-${randomUUID().slice(0, 8)}`, { passwordHash, isActive })).email;
  const [active, inactive] = [await email(true), await email(false)];
  const unknown = `nobody-${randomUUID().slice(0, 8)}@example.com`;
  const endpoints = {
    reset_password: { handler: await loadHandler('reset-password'), path: '/auth/users/reset_password/', cases: { 'active account (mailed)': active, 'no account': unknown, 'inactive account': inactive } },
    resend_activation: {
      handler: await loadHandler('resend-activation'),
      path: '/auth/users/resend_activation/',
      cases: { 'inactive account (mailed)': inactive, 'no account': unknown, 'active account': active },
    },
  };
  const cases: Record<string, () => Promise<number>> = {};
  for (const [name, { handler, path, cases: emails }] of Object.entries(endpoints)) {
    for (const [label, address] of Object.entries(emails)) {
      cases[`${name}\t${label}`] = async () => {
        const event = postJson(path, { email: address });
        const started = performance.now();
        const result = await handler(event);
        const elapsed = performance.now() - started;
        if (result.statusCode !== 204) throw new Error(`${name} for ${label} answered ${result.statusCode}: ${result.body}`);
        return elapsed;
      };
    }
  }
  const timing = await interleavedRounds(cases, rounds);
  return Object.keys(endpoints).map((endpoint) => ({
    endpoint,
    timing: timing.filter((t) => t.case.startsWith(`${endpoint}\t`)).map((t) => ({ ...t, case: t.case.slice(endpoint.length + 1) })),
  }));
}
