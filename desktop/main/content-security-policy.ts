/**
 * The policy of every page the app protocol serves. Scripts come only from the app's own files;
 * the renderer talks only to its own origin (the protocol proxies the API); nothing may frame it,
 * embed plugins or post forms elsewhere. Inline styles stay allowed for Mantine's style props.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob: https:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');
