import { z } from 'zod';
import { defineRoute } from '../http/define-route';
import { actorOf, type AppContext } from '../http/context';
import { sendData, sendPage } from '../http/envelope';
import type { MailService } from '../services/mail-service';
import {
  ApiResponseDone, ApiResponseVerificationSent, EmailVerify, OutboxListQuery, PaginatedOutboxList, PasswordResetComplete, SendVerification,
} from '../../shared/schemas/mail';
import { TenantParams } from '../../shared/schemas/common';

const UserParams = TenantParams.extend({ user_id: z.string().min(1).max(64) });
const linkClient = (ctx: AppContext) => ({ ip: ctx.ip, requestId: ctx.state.requestId });

export const mailRoutes = (mail: MailService) => [
  defineRoute({
    method: 'get', path: '/api/v1/tenants/{tenant_id}/outbox', summary: 'The tenant\'s outgoing mail', tags: ['mail'], access: 'outbox:read',
    description: 'Every queued message with its full text, newest first, filtered by `status`, `kind` and `user_id`. Without `SMTP_URL` nothing is sent and this is where a reset link is read to a user by phone. Mail to accounts that outrank the caller is left out.',
    params: TenantParams, query: OutboxListQuery,
    responses: { 200: { description: 'A page of messages', schema: PaginatedOutboxList } },
    handler: async (ctx, { params, query }) => {
      ctx.set('Cache-Control', 'no-store');
      sendPage(ctx, await mail.listOutbox(actorOf(ctx), params.tenant_id, query));
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/tenants/{tenant_id}/users/{user_id}/email/verify', summary: 'Send an email verification link', tags: ['mail'], access: 'users:update',
    description: 'Queues a one-time link (7 days) to the user\'s address; opening it calls `POST /api/v1/auth/verify-email`. Earlier links stop working. 409 when the address is already verified.',
    params: UserParams, body: SendVerification,
    responses: { 202: { description: 'Queued', schema: ApiResponseVerificationSent }, 409: { description: 'Already verified' } },
    handler: async (ctx, { params, body }) => sendData(ctx, await mail.sendVerification(actorOf(ctx), params.tenant_id, params.user_id, body), 202),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/auth/password-reset/complete', summary: 'Set a new password with a reset link', tags: ['auth'], access: 'public',
    description: 'Spends the `token` of a mailed reset link (one use, one hour) and sets `new_password` under the tenant\'s policy and history. Every session of the user ends. An unknown, used or expired token is a 400; a refused password is a 422 and leaves the link usable.',
    body: PasswordResetComplete,
    responses: { 200: { description: 'Changed', schema: ApiResponseDone }, 400: { description: 'The link is not valid' }, 422: { description: 'The password breaks the policy' } },
    handler: async (ctx, { body }) => {
      ctx.set('Cache-Control', 'no-store');
      sendData(ctx, await mail.completePasswordReset(body, linkClient(ctx)));
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/auth/verify-email', summary: 'Confirm an email address', tags: ['auth'], access: 'public',
    description: 'Spends the `token` of a verification link: `email_verified` becomes true, and an account in `PENDING_EMAIL_VERIFICATION` becomes `ACTIVE`. An unknown, used or expired token is a 400.',
    body: EmailVerify,
    responses: { 200: { description: 'Verified', schema: ApiResponseDone }, 400: { description: 'The link is not valid' } },
    handler: async (ctx, { body }) => sendData(ctx, await mail.verifyEmail(body, linkClient(ctx))),
  }),
];
