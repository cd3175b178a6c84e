/**
 * Case folding for comparison. Lower case alone leaves `ß` and `SS`, `ς` and `Σ` apart; going
 * through upper case first folds them as Unicode's full case folding does (`ß` -> `ss`). NFKC
 * again after, since changing case can leave a string that is no longer normalised.
 */
const caseFold = (text: string) => text.toUpperCase().toLowerCase().normalize('NFKC');

/**
 * The one canonical form of an email for uniqueness and login: trimmed, NFKC (full-width and
 * compatibility letters become plain ones), case-folded. `Ａnn@Example.com`, `ann@example.com `
 * and `ANN@EXAMPLE.COM` are one address.
 */
export const normalizeEmail = (email: string) => caseFold(email.trim().normalize('NFKC'));

export const normalizeUsername = (username: string) => caseFold(username.trim().normalize('NFKC'));

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
