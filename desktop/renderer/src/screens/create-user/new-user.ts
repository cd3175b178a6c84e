import type { z } from 'zod';
import type { Role, UserCreate } from '../../../../../shared/schemas/user';

export interface NewUser {
  email: string;
  first_name: string;
  last_name: string;
  username: string;
  role: Role;
  ou_id: string | null;
  group_ids: string[];
  send_welcome_email: boolean;
  password: string;
}

export const emptyNewUser: NewUser = { email: '', first_name: '', last_name: '', username: '', role: 'user', ou_id: null, group_ids: [], send_welcome_email: true, password: '' };

/** The UserCreate body: blanks left out, and a password only when no welcome mail is sent. */
export function createBody(form: NewUser): z.input<typeof UserCreate> {
  const text = (v: string) => v.trim() || undefined;
  return {
    email: form.email.trim(),
    first_name: text(form.first_name),
    last_name: text(form.last_name),
    username: text(form.username),
    role: form.role,
    ou_id: form.ou_id ?? undefined,
    group_ids: form.group_ids,
    send_welcome_email: form.send_welcome_email,
    password: form.send_welcome_email ? undefined : form.password || undefined,
  };
}
