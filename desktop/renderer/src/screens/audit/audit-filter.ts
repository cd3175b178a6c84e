import type { ActivityEvent, AuditQuery } from '../../../../../shared/client/audit-api';

export interface AuditFilters {
  action: string;
  actorId: string | null;
  subjectId: string | null;
  /** Values of datetime-local inputs (local time, no zone), or ''. */
  since: string;
  until: string;
}

export const NO_FILTERS: AuditFilters = { action: '', actorId: null, subjectId: null, since: '', until: '' };

const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

/** The filters as the query of GET .../audit-events (which does the filtering in SQL). */
export function toQuery(f: AuditFilters): AuditQuery {
  return {
    action: f.action.trim() || undefined,
    actor_id: f.actorId ?? undefined,
    subject_id: f.subjectId ?? undefined,
    since: toIso(f.since),
    until: toIso(f.until),
  };
}

/**
 * Whether an event that arrived on the live stream belongs in the filtered list: the stream
 * carries every new event of the tenant, the list shows those the filters let through. Same
 * rules as the server: comma-separated actions, `prefix.*` for a prefix, `since` inclusive,
 * `until` exclusive.
 */
export function matches(event: ActivityEvent, f: AuditFilters): boolean {
  const actions = f.action.split(',').map((a) => a.trim()).filter(Boolean);
  if (actions.length && !actions.some((a) => (a.endsWith('*') ? event.action.startsWith(a.slice(0, -1)) : event.action === a))) return false;
  if (f.actorId && event.actor_id !== f.actorId) return false;
  if (f.subjectId && event.subject_id !== f.subjectId) return false;
  const at = Date.parse(event.created_at);
  if (f.since && at < Date.parse(new Date(f.since).toISOString())) return false;
  if (f.until && at >= Date.parse(new Date(f.until).toISOString())) return false;
  return true;
}

/** Event kinds a helpdesk filters by most; free text works too (`user.*`, `a,b`). */
export const COMMON_ACTIONS = [
  'user.*', 'user.login', 'user.login_failed', 'user.locked', 'user.unlocked', 'user.created', 'user.updated', 'user.status_changed',
  'user.password_reset', 'user.password_changed', 'user.mfa_disabled', 'user.merged', 'user.exported', 'user.deleted',
  'import.started', 'import.completed', 'group.*', 'tenant.*',
];
