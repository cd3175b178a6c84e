import type { z } from 'zod';

/** zod's issues as one sentence a person can read ("url: The URL must start with https://"). */
export function describeIssues(error: z.ZodError, skip = 0): string {
  return error.issues
    .map((i) => {
      const where = i.path.slice(skip).join('.');
      return where ? `${where}: ${i.message}` : i.message;
    })
    .join('; ');
}

/** Parses input or throws an Error whose message is the readable list of what is wrong. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new Error(describeIssues(parsed.error));
  return parsed.data;
}
