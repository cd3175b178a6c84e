/** The one canonical form of an email for uniqueness and login: trimmed, NFKC, case-folded. */
export const normalizeEmail = (email: string) => email.trim().normalize('NFKC').toLowerCase();

export const normalizeUsername = (username: string) => username.trim().normalize('NFKC').toLowerCase();

/** Lower case without accents: what free-text search compares, on both engines. */
export const foldForSearch = (text: string) =>
  text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();

export function searchTextOf(u: {
  email: string;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  displayName?: string | null;
}): string {
  return foldForSearch([u.email, u.username, u.firstName, u.lastName, u.displayName].filter(Boolean).join(' '));
}
