import type { ActivityEvent } from '../../../../../shared/client/activity-api';

const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));

/** One line a helpdesk can read out: what happened to the user, with the reason when one was given. */
export function describeEvent(event: ActivityEvent): { title: string; detail?: string; color: string } {
  const d = event.details ?? {};
  const reason = d.reason ? `Reason: ${text(d.reason)}` : undefined;
  switch (event.action) {
    case 'user.created':
      return { title: 'Account created', color: 'blue' };
    case 'user.updated': {
      const fields = d.changes && typeof d.changes === 'object' ? Object.keys(d.changes as object) : [];
      return { title: 'Profile changed', detail: fields.length ? fields.join(', ') : undefined, color: 'blue' };
    }
    case 'user.status_changed': {
      const parts = [reason, d.terminate_sessions ? 'signed out everywhere' : undefined].filter(Boolean);
      return { title: `Status ${text(d.from)} → ${text(d.to)}`, detail: parts.join(' · ') || undefined, color: 'orange' };
    }
    case 'user.unlocked':
      return { title: 'Unlocked', color: 'green' };
    case 'user.locked':
      return { title: 'Locked', detail: d.reason === 'failed_logins' ? `After ${text(d.failed_attempts)} failed sign-ins` : reason, color: 'red' };
    case 'user.login':
      return { title: 'Signed in', color: 'teal' };
    case 'user.login_failed':
      return { title: 'Sign-in failed', detail: d.reason ? text(d.reason).replace(/_/g, ' ') : undefined, color: 'red' };
    case 'user.logout':
      return { title: 'Signed out', color: 'gray' };
    case 'user.password_reset':
      return { title: d.method === 'EMAIL' ? 'Password reset link sent' : 'Password set by an admin', color: 'violet' };
    case 'user.password_changed':
      return { title: 'Password changed', color: 'violet' };
    case 'user.mfa_enabled':
      return { title: 'MFA turned on', color: 'teal' };
    case 'user.mfa_disabled':
      return { title: 'MFA turned off', color: 'orange' };
    case 'user.deleted':
      return { title: 'Deleted', color: 'red' };
    case 'user.merged':
      return { title: 'Merged', color: 'blue' };
    case 'user.exported':
      return { title: 'Data exported', color: 'gray' };
    case 'user.email_verified':
      return { title: 'Email verified', color: 'teal' };
    case 'user.email_verification_sent':
      return { title: 'Verification email sent', color: 'gray' };
    case 'user.identity_linked':
      return { title: 'Identity linked', color: 'blue' };
    case 'user.identity_unlinked':
      return { title: 'Identity unlinked', color: 'gray' };
    default:
      return { title: event.action, color: 'gray' };
  }
}
