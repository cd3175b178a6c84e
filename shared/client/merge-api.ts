import type { z } from 'zod';
import type { HttpClient } from './http';
import type { Data } from './envelopes';
import type { DuplicateGroups, MergePlan, UserMerge } from '../schemas/merge';
import type { DUPLICATE_REASONS } from '../schemas/merge';

export type MergeRequest = z.input<typeof UserMerge>;
export type MergePlanView = z.output<typeof MergePlan>;
export type DuplicateGroup = z.output<typeof DuplicateGroups>['data'][number];
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

/** Likely duplicate accounts, and merging two of them (with a dry run first). */
export const mergeApi = (http: HttpClient) => ({
  duplicates: (query: { reasons?: DuplicateReason[]; limit?: number } = {}, tenantId?: string) =>
    http.get<Data<DuplicateGroup[]>>('/api/v1/users/duplicates', { ...query, tenant_id: tenantId }).then((r) => r.data),
  merge: (body: MergeRequest, tenantId?: string) =>
    http.post<Data<MergePlanView>>('/api/v1/users/merge', body, { tenant_id: tenantId }).then((r) => r.data),
});
