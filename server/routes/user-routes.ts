import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf, type AppContext } from '../http/context';
import { sendCursorPage, sendData, sendPage, setEtag } from '../http/envelope';
import { ifMatchVersion } from '../http/if-match';
import type { Services } from '../services';
import type { Database } from '../db/database';
import { sendActivityStream } from '../http/sse';
import {
  ApiResponseUser, PaginatedUserList, UserCreate, UserGetQuery, UserListQuery, UserStatusUpdate, UserUpdate,
} from '../../shared/schemas/user';
import { PasswordChange, SelfUpdate, TenantScopeQuery, UserReplace, UserSearchBody, UserSearchGetQuery } from '../../shared/schemas/caller-users';
import { ActivityCount, ActivityPage, ActivityQuery } from '../../shared/schemas/activity';
import { queryBoolean } from '../../shared/schemas/common';
import { DuplicateGroups, DuplicatesQuery, MergePlan, UserMerge } from '../../shared/schemas/merge';

const Params = z.object({ user_id: z.string().min(1).max(64) });
const base = '/api/v1/users';
const tags = ['users'];

/** The caller's tenant, or the one a super or partner admin names with `tenant_id`. */
const tenantOf = (ctx: AppContext, query: { tenant_id?: string }) => query.tenant_id ?? actorOf(ctx).principal.tenantId;

/** Seed 000's `/api/v1/users`, with seeds 002-004's features, inside the caller's tenant. */
export const userRoutes = ({ users, activity, exports, merges, duplicates, auth, applications }: Pick<Services, 'users' | 'activity' | 'exports' | 'merges' | 'duplicates' | 'auth' | 'applications'>, db: Database) => {
  const sendUser = (ctx: AppContext, user: Awaited<ReturnType<typeof users.get>>, status = 200) => {
    setEtag(ctx, user.version);
    sendData(ctx, user, status);
  };
  const activityRoute = (path: string, summary: string) =>
    defineRoute({
      method: 'get', path, summary, tags, access: 'users:read',
      description: 'Newest first, with cursor paging; filters by action (`user.*` matches a prefix) and time.',
      params: Params, query: ActivityQuery.extend(TenantScopeQuery.shape),
      responses: { 200: { description: 'A page of events', schema: ActivityPage } },
      handler: async (ctx, { params, query }) => {
        const page = await activity.forUser(actorOf(ctx), tenantOf(ctx, query), params.user_id, query);
        sendCursorPage(ctx, page);
      },
    });

  return [
    // Fixed paths first: `/me` and `/search` are not user ids.
    defineRoute({
      method: 'get', path: `${base}/me`, summary: 'My profile', tags: ['self-service'], access: 'self:manage', duringMfaEnrollment: true,
      responses: { 200: { description: 'The caller', schema: ApiResponseUser } },
      handler: async (ctx) => {
        const { principal } = actorOf(ctx);
        sendUser(ctx, await users.get(actorOf(ctx), principal.tenantId, principal.kind === 'user' ? principal.userId : '', ['groups']));
      },
    }),
    defineRoute({
      method: 'put', path: `${base}/me`, summary: 'Change my profile', tags: ['self-service'], access: 'self:manage',
      description: 'Names, phone, locale, time zone and avatar; anything else is an admin\'s to change.',
      body: SelfUpdate,
      responses: { 200: { description: 'The caller', schema: ApiResponseUser } },
      handler: async (ctx, { body }) => {
        const { principal } = actorOf(ctx);
        sendUser(ctx, await users.update(actorOf(ctx), principal.tenantId, principal.kind === 'user' ? principal.userId : '', body, { ifMatch: ifMatchVersion(ctx) }));
      },
    }),
    defineRoute({
      method: 'put', path: `${base}/me/password`, summary: 'Change my password', tags: ['self-service'], access: 'self:manage',
      description: 'Needs the current password; the tenant\'s policy and history apply; every other session of the user ends.',
      body: PasswordChange,
      responses: { 204: { description: 'Changed' } },
      handler: async (ctx, { body }) => {
        await auth.changePasswordForSelf(actorOf(ctx).principal, body.current_password, body.new_password, { ip: ctx.ip, userAgent: ctx.get('User-Agent') || null, requestId: ctx.state.requestId });
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'get', path: `${base}/search`, summary: 'Search users', tags, access: 'users:read',
      description: 'Seed 002: `q` matches substrings of username, email, first, last and display name, ignoring case and accents, through an index.',
      query: UserSearchGetQuery,
      responses: { 200: { description: 'A page of users', schema: PaginatedUserList } },
      handler: async (ctx, { query }) => sendPage(ctx, await users.list(actorOf(ctx), tenantOf(ctx, query), { ...query, search: query.q })),
    }),
    defineRoute({
      method: 'post', path: `${base}/search`, summary: 'Search users (structured)', tags, access: 'users:read',
      description: 'Free text `q` and structured `filters` (status, role, OU with its subtree, group with nesting, MFA, identity source, created and last-login ranges), sorted and paged in the database.',
      query: TenantScopeQuery, body: UserSearchBody,
      responses: { 200: { description: 'A page of users', schema: PaginatedUserList } },
      handler: async (ctx, { query, body }) => {
        const { filters, q, ...paging } = body;
        sendPage(ctx, await users.list(actorOf(ctx), tenantOf(ctx, query), { ...filters, ...paging, search: q }));
      },
    }),
    defineRoute({
      method: 'get', path: `${base}/duplicates`, summary: 'Likely duplicate accounts', tags, access: 'users:merge',
      description: 'Groups of live accounts that likely belong to one person: the same address but for a `+tag`, the same name and phone, or the same name. Grouped in the database; feed a group to POST /api/v1/users/merge.',
      query: DuplicatesQuery,
      responses: { 200: { description: 'The groups', schema: DuplicateGroups } },
      handler: async (ctx, { query }) => sendData(ctx, await duplicates.find(actorOf(ctx), tenantOf(ctx, query), query)),
    }),
    defineRoute({
      method: 'post', path: `${base}/merge`, summary: 'Merge two accounts', tags, access: 'users:merge',
      description: 'In one transaction the target takes the chosen profile fields (`prefer`), the source\'s group memberships, application assignments and federated identities; the source\'s sessions end and it is soft-deleted with `merged_into`, its history staying reachable from the target. `dry_run` answers exactly what would change and changes nothing.',
      query: TenantScopeQuery, body: UserMerge,
      responses: { 200: { description: 'What changed, or would', schema: z.object({ data: MergePlan }) } },
      handler: async (ctx, { query, body }) => sendData(ctx, await merges.merge(actorOf(ctx), tenantOf(ctx, query), body)),
    }),
    defineRoute({
      method: 'get', path: base, summary: 'List users', tags, access: 'users:read',
      description: 'Every filter of the tenant directory list plus seed 003\'s `user_id`; page/per_page or offset/limit.',
      query: UserListQuery.extend(TenantScopeQuery.shape),
      responses: { 200: { description: 'A page of users', schema: PaginatedUserList } },
      handler: async (ctx, { query }) => sendPage(ctx, await users.list(actorOf(ctx), tenantOf(ctx, query), query)),
    }),
    defineRoute({
      method: 'post', path: base, summary: 'Create a user', tags, access: 'users:create',
      query: TenantScopeQuery, body: UserCreate,
      responses: { 201: { description: 'Created', schema: ApiResponseUser } },
      handler: async (ctx, { query, body }) => {
        const user = await users.create(actorOf(ctx), tenantOf(ctx, query), body);
        ctx.set('Location', `${base}/${user.id}`);
        sendUser(ctx, user, 201);
      },
    }),
    defineRoute({
      method: 'get', path: `${base}/{user_id}`, summary: 'Get a user', tags, access: 'users:read',
      params: Params, query: UserGetQuery.extend(TenantScopeQuery.shape),
      responses: { 200: { description: 'The user', schema: ApiResponseUser } },
      handler: async (ctx, { params, query }) => sendUser(ctx, await users.get(actorOf(ctx), tenantOf(ctx, query), params.user_id, query.include)),
    }),
    defineRoute({
      method: 'put', path: `${base}/{user_id}`, summary: 'Replace a user', tags, access: 'users:update',
      description: 'Seed 002: PUT replaces the profile (fields left out are cleared); PATCH changes only what is sent.',
      params: Params, query: TenantScopeQuery, body: UserReplace,
      responses: { 200: { description: 'The user', schema: ApiResponseUser } },
      handler: async (ctx, { params, query, body }) =>
        sendUser(ctx, await users.replace(actorOf(ctx), tenantOf(ctx, query), params.user_id, body, { ifMatch: ifMatchVersion(ctx) })),
    }),
    defineRoute({
      method: 'patch', path: `${base}/{user_id}`, summary: 'Update a user', tags, access: 'users:update',
      params: Params, query: TenantScopeQuery, body: UserUpdate,
      responses: { 200: { description: 'The user', schema: ApiResponseUser } },
      handler: async (ctx, { params, query, body }) =>
        sendUser(ctx, await users.update(actorOf(ctx), tenantOf(ctx, query), params.user_id, body, { ifMatch: ifMatchVersion(ctx) })),
    }),
    defineRoute({
      method: 'delete', path: `${base}/{user_id}`, summary: 'Delete a user', tags, access: 'users:delete',
      description: 'A soft delete; internal users cannot be deleted (seed 003). `permanent=true` erases personal data for good and keeps anonymised events.',
      params: Params, query: TenantScopeQuery.extend({ permanent: queryBoolean.optional() }),
      responses: { 204: { description: 'Deleted' }, 409: { description: 'Internal user' } },
      handler: async (ctx, { params, query }) => {
        const tenantId = tenantOf(ctx, query);
        const permanent = Boolean(query.permanent);
        const { email } = permanent ? await users.anyState(actorOf(ctx), tenantId, params.user_id) : await users.get(actorOf(ctx), tenantId, params.user_id);
        await users.delete(actorOf(ctx), tenantId, params.user_id, { confirm_email: email, permanent }, { ifMatch: ifMatchVersion(ctx) });
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'put', path: `${base}/{user_id}/status`, summary: 'Update a user\'s status', tags, access: 'users:status',
      params: Params, query: TenantScopeQuery, body: UserStatusUpdate,
      responses: { 200: { description: 'The user', schema: ApiResponseUser }, 409: { description: 'Illegal transition' } },
      handler: async (ctx, { params, query, body }) =>
        sendUser(ctx, await users.setStatus(actorOf(ctx), tenantOf(ctx, query), params.user_id, body, { ifMatch: ifMatchVersion(ctx) })),
    }),
    activityRoute(`${base}/{user_id}/activity`, 'A user\'s activity'),
    activityRoute(`${base}/{user_id}/activities`, 'A user\'s activity (seed 002\'s name)'),
    defineRoute({
      method: 'get', path: `${base}/{user_id}/activities/count`, summary: 'Count a user\'s activity', tags, access: 'users:read',
      params: Params, query: ActivityQuery.omit({ cursor: true, limit: true }).extend(TenantScopeQuery.shape),
      responses: { 200: { description: 'The count', schema: ActivityCount } },
      handler: async (ctx, { params, query }) => sendData(ctx, await activity.countForUser(actorOf(ctx), tenantOf(ctx, query), params.user_id, query)),
    }),
    defineRoute({
      method: 'get', path: `${base}/{user_id}/activities/stream`, summary: 'A user\'s activity, live', tags, access: 'users:read',
      description: 'Server-Sent Events: each new event of the user as `event: activity` with its id, within a second, whichever server wrote it; keep-alive comments every 15 s. Send `Last-Event-ID` to resume without gaps or repeats.',
      params: Params, query: TenantScopeQuery,
      responses: { 200: { description: 'text/event-stream' } },
      handler: async (ctx, { params, query }) => sendActivityStream(ctx, db, await activity.userEvents(actorOf(ctx), tenantOf(ctx, query), params.user_id)),
    }),
    defineRoute({
      method: 'get', path: `${base}/{user_id}/active-workspaces`, summary: 'Applications the user used recently', tags, access: 'users:read',
      description: 'Seed 002\'s active workspaces: applications the user signed in to (password grant with the application\'s `client_id`) within `days` (30 by default), most recent first.',
      params: Params, query: TenantScopeQuery.extend({ days: z.coerce.number().int().min(1).max(3650).default(30) }),
      responses: { 200: { description: 'The applications', schema: z.object({ data: z.array(z.object({ application_id: z.string(), name: z.string(), client_id: z.string(), first_used_at: z.string(), last_used_at: z.string(), sign_ins: z.number().int() })) }) } },
      handler: async (ctx, { params, query }) => sendData(ctx, await applications.activeFor(actorOf(ctx), tenantOf(ctx, query), params.user_id, query.days)),
    }),
    defineRoute({
      method: 'post', path: `${base}/{user_id}/export`, summary: 'Export everything held about a user', tags, access: 'users:export',
      description: 'GDPR right of access: profile, custom attributes, memberships, identities, application assignments, sessions, activity and mail, as one JSON document to download. The export is itself recorded.',
      params: Params, query: TenantScopeQuery,
      responses: { 200: { description: 'The document' } },
      handler: async (ctx, { params, query }) => {
        const document = await exports.exportUser(actorOf(ctx), tenantOf(ctx, query), params.user_id);
        ctx.set('Content-Disposition', `attachment; filename="roster-user-${params.user_id}.json"`);
        ctx.set('Cache-Control', 'no-store');
        ctx.body = document;
      },
    }),
  ];
};
