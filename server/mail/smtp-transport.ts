import nodemailer from 'nodemailer';
import type { MailTransport } from './outbox-worker';

/**
 * nodemailer over `SMTP_URL` (`smtp://user:pass@host:587`, `smtps://…:465`). Timeouts stay well
 * under the worker's claim lease, so a hung server cannot make two workers send one message.
 */
export function smtpTransport(url: string): MailTransport {
  const transporter = nodemailer.createTransport({ url, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
  return {
    sendMail: (message) => transporter.sendMail(message),
    close: () => transporter.close(),
  };
}
