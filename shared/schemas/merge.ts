import { z } from 'zod';
import { commaList, Uuid } from './common';

/** Profile fields a merge chooses between; everything else is moved or kept as described. */
export const MERGEABLE_FIELDS = [
  'first_name', 'last_name', 'display_name', 'phone', 'locale', 'timezone', 'avatar_url', 'company', 'job_title', 'ou_id',
] as const;

export const UserMerge = z
  .strictObject({
    source_user_id: Uuid,
    target_user_id: Uuid,
    dry_run: z.boolean().default(false),
    prefer: z
      .union([z.enum(['target', 'source']), z.partialRecord(z.enum(MERGEABLE_FIELDS), z.enum(['target', 'source']))])
      .default('target')
      .describe('Which side wins: for every field at once, or per field. A winner with no value gives way to the other side.'),
  })
  .refine((b) => b.source_user_id !== b.target_user_id, { message: 'source and target must be different users', path: ['target_user_id'] })
  .meta({ id: 'UserMerge' });

export const MergePlan = z
  .object({
    dry_run: z.boolean(),
    source_user_id: z.string(),
    target_user_id: z.string(),
    profile_changes: z.record(z.string(), z.object({ from: z.unknown(), to: z.unknown() })),
    custom_attributes_added: z.array(z.string()),
    groups_moved: z.array(z.string()),
    applications_moved: z.array(z.string()),
    identities_moved: z.array(z.string()),
    sessions_revoked: z.number().int(),
    source_deleted: z.boolean(),
  })
  .meta({ id: 'MergePlan', description: 'What the merge changes; with dry_run, what it would change.' });

export const DUPLICATE_REASONS = ['same_email_without_tag', 'same_name_and_phone', 'same_name'] as const;

export const DuplicatesQuery = z.object({
  tenant_id: z.string().min(1).max(64).optional(),
  reasons: commaList(DUPLICATE_REASONS, 'reason'),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export const DuplicateGroups = z
  .object({ data: z.array(z.object({ reason: z.enum(DUPLICATE_REASONS), users: z.array(z.record(z.string(), z.unknown())) })) })
  .meta({ id: 'DuplicateGroups', description: 'Groups of accounts that likely belong to one person, strongest reason first.' });
