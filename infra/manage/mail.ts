/** Checking the mail setup: one test mail, through the backend the service uses (SES with --aws, files locally). */
import { siteName } from '../../shared/accounts/account-links';
import { sendMail } from '../../shared/mail/mail';
import { testMail } from '../../shared/mail/templates';
import { settings } from '../../shared/settings';
import { isEmailAddress } from '../../shared/users/user-fields';
import { CommandError, onePositional, type Command } from './command';

async function sendTestMailCommand(args: string[]): Promise<void> {
  const address = onePositional('send-test-mail', args, 'address');
  if (!isEmailAddress(address)) throw new CommandError(`'${address}' is not an email address.`, 2);
  await sendMail(testMail(address, siteName()));
  const { mailDir, mailFrom } = settings().accounts;
  console.log(mailDir ? `Test mail written to ${mailDir} (from ${mailFrom}).` : `Test mail sent through Amazon SES from ${mailFrom}.`);
}

export const MAIL_COMMANDS: readonly Command[] = [
  { name: 'send-test-mail', usage: 'send-test-mail ADDRESS  Sends a test mail the way account mails go (files locally; SES with --aws).', run: sendTestMailCommand },
];
