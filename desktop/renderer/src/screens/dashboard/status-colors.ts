import type { TenantStats } from '../../../../../shared/client/stats-api';

type Status = TenantStats['users_by_status'][number]['status'];

/** One colour and one plain word per status, the same on every chart. */
export const STATUS_LOOK: Record<Status, { label: string; color: string }> = {
  ACTIVE: { label: 'Active', color: 'teal.6' },
  PENDING_EMAIL_VERIFICATION: { label: 'Email not verified', color: 'yellow.5' },
  PENDING_APPROVAL: { label: 'Awaiting approval', color: 'orange.5' },
  DISABLED: { label: 'Disabled', color: 'gray.5' },
  LOCKED: { label: 'Locked', color: 'red.6' },
};

/** "Mon 24" for a YYYY-MM-DD day, read as UTC like the server counted it. */
export const shortDay = (date: string) =>
  new Date(`${date}T00:00:00Z`).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', timeZone: 'UTC' });
