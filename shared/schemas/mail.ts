import { z } from 'zod';
import { apiResponse, paginated, pagingQuery } from './common';

export const OUTBOX_STATUSES = ['PENDING', 'SENDING', 'SENT', 'FAILED'] as const;
export const OUTBOX_KINDS = ['welcome', 'password_reset', 'email_verification'] as const;

export const OutboxListQuery = z.object({
  ...pagingQuery,
  status: z.enum(OUTBOX_STATUSES).optional(),
  kind: z.enum(OUTBOX_KINDS).optional(),
  user_id: z.string().min(1).max(64).optional(),
});

export const OutboxMessageResponse = z
  .object({
    id: z.string(),
    tenant_id: z.string(),
    user_id: z.string().nullable(),
    kind: z.string(),
    to: z.string(),
    subject: z.string(),
    body_text: z.string().describe('The full text, links included: what an admin reads out when mail is off'),
    status: z.enum(OUTBOX_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: z.string().nullable().describe('When delivery is next tried (PENDING), or when a claim lapses (SENDING)'),
    last_error: z.string().nullable(),
    created_at: z.string(),
    sent_at: z.string().nullable(),
  })
  .meta({ id: 'OutboxMessageResponse' });

export const PaginatedOutboxList = paginated(OutboxMessageResponse, 'PaginatedResponse_OutboxMessageResponse_');

export const PasswordResetComplete = z
  .strictObject({
    token: z.string().min(1).max(500).describe('The token from the reset link'),
    new_password: z.string().min(1).max(1024),
  })
  .meta({ id: 'PasswordResetComplete' });

export const EmailVerify = z
  .strictObject({ token: z.string().min(1).max(500).describe('The token from the verification link') })
  .meta({ id: 'EmailVerify' });

export const SendVerification = z
  .strictObject({ redirect_uri: z.url().nullish().describe('Where the link points; the token is appended. Default: the admin app') })
  .meta({ id: 'SendVerification' });

export const ApiResponseDone = apiResponse(z.object({ message: z.string() }), 'ApiResponse_MailDone_');
export const ApiResponseVerificationSent = apiResponse(
  z.object({ message: z.string(), expires_at: z.string(), outbox_message_id: z.string() }),
  'ApiResponse_VerificationSent_',
);
