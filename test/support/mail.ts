/** The mails the service wrote to MAIL_DIR (Django's file backend), and the links in them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface WrittenMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly raw: string;
}

export function mailsTo(address: string, directory = process.env.MAIL_DIR!): WrittenMail[] {
  let files: string[];
  try {
    files = readdirSync(directory).filter((file) => file.endsWith('.eml')).sort();
  } catch {
    return [];
  }
  return files
    .map((file) => readFileSync(join(directory, file), 'utf8'))
    .map((raw) => ({
      raw,
      to: /^To: (.*)$/m.exec(raw)?.[1]?.trim() ?? '',
      subject: /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '',
      text: raw.split(/Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n/)[1]?.split('\r\n--=_')[0] ?? '',
    }))
    .filter((mail) => mail.to === address);
}

/** The uid and token of the last link mailed to `address` (activation or reset). */
export function lastLink(address: string, directory?: string): { uid: string; token: string; url: string } {
  const mail = mailsTo(address, directory).at(-1);
  const url = /https?:\/\/\S+/.exec(mail?.text ?? '')?.[0];
  if (!mail || !url) throw new Error(`no link mailed to ${address}`);
  const [, uid, token] = /\/([^/]+)\/([^/]+)$/.exec(url)!;
  return { uid: uid!, token: token!, url };
}
