/**
 * The mails of djoser 2.x, sentence for sentence (its templates email/activation.html and
 * email/password_reset.html), plain text and HTML. The link is `<frontend>/<ACTIVATION_URL>` with the uid and
 * token filled in, as djoser builds `{protocol}://{domain}/{url}`.
 */
/** One mail, as the backends (files locally, SES on Lambda) send it. */
export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface MailContext {
  readonly to: string;
  readonly siteName: string;
  readonly link: string;
  readonly username: string;
}

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function mailOf(to: string, subject: string, paragraphs: readonly (readonly [text: string, html: string])[]): Mail {
  return {
    to,
    subject,
    text: paragraphs.map(([text]) => text).join('\n\n'),
    html: `<html><body>${paragraphs.map(([, html]) => `<p>${html}</p>`).join('')}</body></html>`,
  };
}

const thanks = (site: string) =>
  [
    ['Thanks for using our site!', 'Thanks for using our site!'],
    [`The ${site} team`, `The ${escape(site)} team`],
  ] as const;

export function activationMail({ to, siteName, link }: MailContext): Mail {
  return mailOf(to, `Account activation on ${siteName}`, [
    [`You're receiving this email because you need to finish activation process on ${siteName}.`, `You're receiving this email because you need to finish activation process on ${escape(siteName)}.`],
    [`Please go to the following page to activate account:\n${link}`, `Please go to the following page to activate account:</p><p><a href="${escape(link)}">${escape(link)}</a>`],
    ...thanks(siteName),
  ]);
}

export function passwordResetMail({ to, siteName, link, username }: MailContext): Mail {
  return mailOf(to, `Password reset on ${siteName}`, [
    [
      `You're receiving this email because you requested a password reset for your user account at ${siteName}.`,
      `You're receiving this email because you requested a password reset for your user account at ${escape(siteName)}.`,
    ],
    [
      `Please go to the following page and choose a new password:\n${link}\nYour username, in case you've forgotten: ${username}`,
      `Please go to the following page and choose a new password:</p><p><a href="${escape(link)}">${escape(link)}</a></p><p>Your username, in case you've forgotten: <b>${escape(username)}</b>`,
    ],
    ...thanks(siteName),
  ]);
}

/** `manage send-test-mail`: checks the mail setup end to end. */
export function testMail(to: string, siteName: string): Mail {
  return mailOf(to, `Test mail from ${siteName}`, [['This mail checks that mail from this service reaches you.', 'This mail checks that mail from this service reaches you.'], ...thanks(siteName)]);
}
