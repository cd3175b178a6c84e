/**
 * Electron wraps a rejected IPC call as "Error invoking remote method 'roster:x': Error: <why>";
 * the user only needs the why.
 */
export function bridgeErrorMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err);
  return raw.replace(/^Error invoking remote method '[^']*': (?:\w*Error: )?/, '').replace(/^Invalid request to roster:[\w-]+: /, '');
}
