import type { z } from 'zod';
import type { HttpClient } from './http';
import type { CursorPage } from './envelopes';
import type { ActivityEventResponse } from '../schemas/activity';

export type ActivityEvent = z.output<typeof ActivityEventResponse>;

export interface ActivityPageQuery {
  cursor?: string;
  limit?: number;
  action?: string;
  tenant_id?: string;
}

/** A user's activity, newest first with cursor paging; its live stream is `streamPath` (followStream). */
export const activityApi = (http: HttpClient) => ({
  forUser: (userId: string, query: ActivityPageQuery = {}, signal?: AbortSignal) =>
    http.get<CursorPage<ActivityEvent>>(`/api/v1/users/${encodeURIComponent(userId)}/activity`, { ...query }, signal),
  streamPath: (userId: string) => `/api/v1/users/${encodeURIComponent(userId)}/activities/stream`,
});
