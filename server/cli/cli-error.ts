import { ZodError } from 'zod';
import { AppError } from '../errors/app-error';
import { toAppError } from '../errors/to-app-error';

/** A refusal the CLI explains in one message and answers with an exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** The text a person at a terminal needs: the service's message and each field that was wrong. */
export function describeError(err: unknown): { message: string; exitCode: number } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof AppError || err instanceof ZodError) {
    err = toAppError(err);
  }
  if (err instanceof AppError) {
    const details = (err.details ?? []).map((d) => `\n  ${d.loc.filter((l, i) => i > 0 || l !== 'body').join('.')}: ${d.msg}`).join('');
    return { message: `${err.message}${err.field && !details ? ` (${err.field})` : ''}${details}`, exitCode: 1 };
  }
  return { message: err instanceof Error ? (err.stack ?? err.message) : String(err), exitCode: 1 };
}
