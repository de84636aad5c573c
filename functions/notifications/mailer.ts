import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

/**
 * How the local runtime sends mail (on AWS, SNS mails subscribers itself). With an SMTP URL
 * (`STEWARD_SMTP_URL`, e.g. `smtp://localhost:1025` for MailHog or Mailpit) through nodemailer's
 * SMTP transport; without one, each message is written as an RFC 822 `.eml` file to the outbox
 * folder (`<data folder>/outbox`, by default `.steward/outbox`), which any mail client opens.
 */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Where mail goes, for banners and logs: `smtp://host:port` or the outbox folder. */
  readonly target: string;
  send(message: MailMessage): Promise<void>;
}

export interface MailerSettings {
  /** Overrides STEWARD_SMTP_URL. */
  smtpUrl?: string;
  /** Where `.eml` files go without an SMTP URL. */
  outboxDir?: string;
  /** Overrides STEWARD_MAIL_FROM. */
  from?: string;
}

export const DEFAULT_OUTBOX_DIR = join('.steward', 'outbox');
export const DEFAULT_FROM = 'steward@localhost';

let settings: MailerSettings = {};
let cached: { key: string; mailer: Mailer } | undefined;

/** Changes where this process sends mail (the local runtime, tests); null goes back to the environment and defaults. */
export function configureMailer(next: MailerSettings | null): void {
  settings = next ?? {};
  cached = undefined;
}

/** The mailer for the current settings and environment (read on every call, so a changed STEWARD_SMTP_URL takes effect). */
export function mailer(): Mailer {
  const smtpUrl = settings.smtpUrl ?? (process.env.STEWARD_SMTP_URL || undefined);
  const from = settings.from ?? (process.env.STEWARD_MAIL_FROM || DEFAULT_FROM);
  const outboxDir = settings.outboxDir ?? DEFAULT_OUTBOX_DIR;
  const key = JSON.stringify([smtpUrl, from, outboxDir]);
  if (cached?.key !== key) cached = { key, mailer: smtpUrl ? smtpMailer(smtpUrl, from) : outboxMailer(outboxDir, from) };
  return cached.mailer;
}

/** Sends through an SMTP server; credentials, if any, go in the URL (`smtp://user:pass@host:587`, `smtps://` for TLS). */
export function smtpMailer(url: string, from = DEFAULT_FROM): Mailer {
  const transport = nodemailer.createTransport(url);
  const parsed = new URL(url);
  return {
    target: `${parsed.protocol}//${parsed.host}`,
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
  };
}

let sequence = 0;

/** Writes each message, as the SMTP server would have received it, to `<dir>/<time>-<n>.eml`. */
export function outboxMailer(dir: string, from = DEFAULT_FROM): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  return {
    target: dir,
    async send(message) {
      const info = await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
      await mkdir(dir, { recursive: true });
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const name = `${stamp}-${process.pid}-${String(++sequence).padStart(6, '0')}.eml`;
      await writeFile(join(dir, name), info.message as Buffer);
    },
  };
}
