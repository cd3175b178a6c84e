import { Badge, type BadgeProps } from '@mantine/core';
import type { UserStatus } from '../../../../shared/schemas/user';

export const STATUS_LABELS: Record<UserStatus, string> = {
  ACTIVE: 'Active',
  LOCKED: 'Locked',
  DISABLED: 'Disabled',
  PENDING_EMAIL_VERIFICATION: 'Email unverified',
  PENDING_APPROVAL: 'Awaiting approval',
};

export const STATUS_COLORS: Record<UserStatus, string> = {
  ACTIVE: 'green',
  LOCKED: 'orange',
  DISABLED: 'gray',
  PENDING_EMAIL_VERIFICATION: 'blue',
  PENDING_APPROVAL: 'grape',
};

/** A user's status as a coloured badge: the first thing a helpdesk looks for on a call. */
export function StatusBadge({ status, ...props }: { status: UserStatus } & BadgeProps) {
  return (
    <Badge color={STATUS_COLORS[status]} variant="light" {...props}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}
