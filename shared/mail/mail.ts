/**
 * Sending a mail. On Lambda through Amazon SES (SESv2 SendEmail, from MAIL_FROM, with the identity the stack
 * names in SES_IDENTITY_ARN); locally, with MAIL_DIR set, as Django's file and console backends do: each
 * mail becomes an .eml file in that folder (open it in a mail program, or read the link in it) and a line on
 * the console. A mail that cannot be sent is a 503: nothing is lost, the user can ask again.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serviceUnavailable } from '../http/errors';
import { describeError, log } from '../log';
import { settings } from '../settings';
import type { Mail } from './templates';

export async function sendMail(mail: Mail): Promise<void> {
  const { mailDir, mailFrom } = settings().accounts;
  try {
    if (mailDir) writeMailFile(mailDir, mailFrom, mail);
    else await (await import('./ses')).sendWithSes(mailFrom, mail);
  } catch (error) {
    // Never the address or the content: they may hold a link that works.
    log.warn('mail not sent', describeError(error));
    throw serviceUnavailable();
  }
}

function writeMailFile(directory: string, from: string, mail: Mail): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const boundary = `=_${randomUUID()}`;
  const date = new Date();
  const message = [
    `From: ${from}`,
    `To: ${mail.to}`,
    `Subject: ${mail.subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${randomUUID()}@localhost>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    mail.text,
    `--${boundary}`,
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    mail.html,
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const file = join(directory, `${date.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}.eml`);
  writeFileSync(file, message, { mode: 0o600 });
  // The console backend's line: who and what, and where the whole mail is (the link is in the file, not the log).
  console.log(`mail to ${mail.to}: "${mail.subject}" (${file})`);
}
