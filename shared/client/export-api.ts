import type { HttpClient } from './http';
import { filenameOf } from './imports-api';

/** GDPR right of access: everything held about a user, as the JSON document the server names. */
export const exportApi = (http: HttpClient) => ({
  user: async (userId: string, tenantId?: string) => {
    const res = await http.fetch('POST', `/api/v1/users/${encodeURIComponent(userId)}/export`, { query: { tenant_id: tenantId } });
    return { text: await res.text(), filename: filenameOf(res) ?? `roster-user-${userId}.json` };
  },
});
