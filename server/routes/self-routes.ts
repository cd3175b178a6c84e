import { defineRoute } from '../http/define-route';
import { actorOf } from '../http/context';
import { sendData } from '../http/envelope';
import type { MfaService } from '../services/mfa-service';
import { ApiResponseRecoveryCodes, ApiResponseTotpEnrollment, TotpCode, TotpDisable } from '../../shared/schemas/mfa';

const base = '/api/v1/users/me/mfa/totp';
const tags = ['self-service'];

export const selfRoutes = (mfa: MfaService) => [
  defineRoute({
    method: 'post', path: base, summary: 'Start TOTP enrolment', tags, access: 'self:manage', duringMfaEnrollment: true,
    description: 'Answers a new secret as an otpauth URI and a QR code for an authenticator app. Nothing changes until a code confirms it.',
    responses: { 200: { description: 'The secret to scan', schema: ApiResponseTotpEnrollment }, 409: { description: 'MFA is already enabled' } },
    handler: async (ctx) => {
      ctx.set('Cache-Control', 'no-store');
      sendData(ctx, await mfa.startEnrollment(actorOf(ctx)));
    },
  }),
  defineRoute({
    method: 'post', path: `${base}/confirm`, summary: 'Confirm TOTP enrolment', tags, access: 'self:manage', duringMfaEnrollment: true,
    description: 'A code from the authenticator turns MFA on; the answer holds ten recovery codes, shown this once.',
    body: TotpCode,
    responses: { 200: { description: 'Recovery codes', schema: ApiResponseRecoveryCodes }, 409: { description: 'No enrolment started, or MFA already on' } },
    handler: async (ctx, { body }) => {
      ctx.set('Cache-Control', 'no-store');
      sendData(ctx, await mfa.confirmEnrollment(actorOf(ctx), body.code));
    },
  }),
  defineRoute({
    method: 'delete', path: base, summary: 'Turn TOTP off', tags, access: 'self:manage',
    description: 'Needs a current code or a recovery code. Admins turn it off for others with POST /api/v1/admin/users/{id}/mfa/disable.',
    body: TotpDisable,
    responses: { 204: { description: 'Off' } },
    handler: async (ctx, { body }) => {
      await mfa.disableOwn(actorOf(ctx), body.code);
      ctx.status = 204;
    },
  }),
];
