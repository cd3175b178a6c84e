/** The same rules main enforces (desktop/main/settings.ts), checked as the user types. */
export function serverUrlError(value: string): string | null {
  const v = value.trim();
  if (!v) return 'Enter the server URL';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return 'Enter a full URL such as https://roster.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The URL must start with https:// or http://';
  if (url.username || url.password) return 'The URL must not contain a user name or password';
  if (url.search || url.hash) return 'The URL must not contain a query or fragment';
  return null;
}

/** Plain http to anything but this computer sends passwords in clear. */
export function isInsecureRemote(value: string): boolean {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  } catch {
    return false;
  }
}

export function emailError(value: string): string | null {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim()) ? null : 'Enter a valid email address';
}

export const MIN_ADMIN_PASSWORD = 8;
