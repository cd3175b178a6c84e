import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData, sendPage, setEtag } from '../http/envelope';
import { ifMatchVersion } from '../http/if-match';
import type { GroupService } from '../services/group-service';
import {
  ApiResponseGroup, GroupCreate, GroupListQuery, GroupMembersAdd, GroupMembersQuery, GroupUpdate, PaginatedGroupList, PaginatedGroupMembers,
} from '../../shared/schemas/group';
import { TenantParams } from '../../shared/schemas/common';

const GroupParams = TenantParams.extend({ group_id: z.string().min(1).max(64) });
const MemberParams = GroupParams.extend({ member_id: z.string().min(1).max(64) });
const base = '/api/v1/tenants/{tenant_id}/groups';
const tags = ['groups'];

export const groupRoutes = (groups: GroupService) => [
  defineRoute({
    method: 'get', path: base, summary: 'List groups', tags, access: 'groups:read',
    params: TenantParams, query: GroupListQuery,
    responses: { 200: { description: 'A page of groups', schema: PaginatedGroupList } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await groups.list(actorOf(ctx), params.tenant_id, query)),
  }),
  defineRoute({
    method: 'post', path: base, summary: 'Create a group', tags, access: 'groups:write',
    params: TenantParams, body: GroupCreate,
    responses: { 201: { description: 'Created', schema: ApiResponseGroup }, 409: { description: 'Name taken' } },
    handler: async (ctx, { params, body }) => {
      const group = await groups.create(actorOf(ctx), params.tenant_id, body);
      setEtag(ctx, group.version);
      sendData(ctx, group, 201);
    },
  }),
  defineRoute({
    method: 'get', path: `${base}/{group_id}`, summary: 'Get a group', tags, access: 'groups:read',
    params: GroupParams,
    responses: { 200: { description: 'The group', schema: ApiResponseGroup } },
    handler: async (ctx, { params }) => {
      const group = await groups.get(actorOf(ctx), params.tenant_id, params.group_id);
      setEtag(ctx, group.version);
      sendData(ctx, group);
    },
  }),
  defineRoute({
    method: 'patch', path: `${base}/{group_id}`, summary: 'Update a group', tags, access: 'groups:write',
    params: GroupParams, body: GroupUpdate,
    responses: { 200: { description: 'Updated', schema: ApiResponseGroup }, 412: { description: 'Stale If-Match' } },
    handler: async (ctx, { params, body }) => {
      const group = await groups.update(actorOf(ctx), params.tenant_id, params.group_id, body, { ifMatch: ifMatchVersion(ctx) });
      setEtag(ctx, group.version);
      sendData(ctx, group);
    },
  }),
  defineRoute({
    method: 'delete', path: `${base}/{group_id}`, summary: 'Delete a group', tags, access: 'groups:write',
    description: 'Its memberships and application assignments go with it; its members stay.',
    params: GroupParams,
    responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      await groups.delete(actorOf(ctx), params.tenant_id, params.group_id, { ifMatch: ifMatchVersion(ctx) });
      ctx.status = 204;
    },
  }),
  defineRoute({
    method: 'get', path: `${base}/{group_id}/members`, summary: 'List a group\'s members', tags, access: 'groups:read',
    description: 'Direct members (users and groups); with `effective=true`, every user at any depth, each marked DIRECT or INHERITED.',
    params: GroupParams, query: GroupMembersQuery,
    responses: { 200: { description: 'A page of members', schema: PaginatedGroupMembers } },
    handler: async (ctx, { params, query }) => sendPage(ctx, await groups.members(actorOf(ctx), params.tenant_id, params.group_id, query)),
  }),
  defineRoute({
    method: 'post', path: `${base}/{group_id}/members`, summary: 'Add members', tags, access: 'groups:write',
    description: 'A group that would end up containing itself is refused with 409.',
    params: GroupParams, body: GroupMembersAdd,
    responses: { 200: { description: 'The group after the change', schema: ApiResponseGroup }, 409: { description: 'Cycle' } },
    handler: async (ctx, { params, body }) => {
      const { group } = await groups.addMembers(actorOf(ctx), params.tenant_id, params.group_id, body, { ifMatch: ifMatchVersion(ctx) });
      setEtag(ctx, group.version);
      sendData(ctx, group);
    },
  }),
  defineRoute({
    method: 'delete', path: `${base}/{group_id}/members/{member_id}`, summary: 'Remove a member', tags, access: 'groups:write',
    params: MemberParams,
    responses: { 204: { description: 'Removed' } },
    handler: async (ctx, { params }) => {
      await groups.removeMember(actorOf(ctx), params.tenant_id, params.group_id, params.member_id, { ifMatch: ifMatchVersion(ctx) });
      ctx.status = 204;
    },
  }),
];
