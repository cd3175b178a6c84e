import { z } from 'zod';

export const PasswordGrant = z.object({
  grant_type: z.literal('password'),
  username: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(256),
  tenant: z.string().trim().min(1).max(64).default('default'),
  mfa_code: z.string().max(64).optional(),
  new_password: z.string().min(1).max(256).optional().describe('When the password must be changed (require_password_change, password_expired): the new one, set as part of this sign-in'),
  scope: z.string().max(1000).optional(),
  client_id: z.string().max(255).optional(),
});

export const RefreshGrant = z.object({
  grant_type: z.literal('refresh_token'),
  refresh_token: z.string().min(1).max(512),
  scope: z.string().max(1000).optional(),
  client_id: z.string().max(255).optional(),
});

/** An application's own token (RFC 6749 §4.4); the client may authenticate with HTTP Basic instead. */
export const ClientCredentialsGrant = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().max(255).optional(),
  client_secret: z.string().max(512).optional(),
  scope: z.string().max(1000).optional(),
});

export const TokenRequest = z
  .discriminatedUnion('grant_type', [PasswordGrant, RefreshGrant, ClientCredentialsGrant])
  .meta({ id: 'TokenRequest', description: 'OAuth 2.0 token request, as JSON or application/x-www-form-urlencoded.' });

export const TokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string().optional().describe('Absent for client_credentials'),
    scope: z.string().optional(),
    mfa_enrollment_required: z.literal(true).optional().describe('The tenant requires MFA and the user has none yet: until it enrols (POST /api/v1/users/me/mfa/totp), this session may do nothing else'),
  })
  .meta({ id: 'TokenResponse' });

export const RevokeRequest = z
  .object({ token: z.string().min(1).max(4096).optional(), token_type_hint: z.enum(['refresh_token', 'access_token']).optional() })
  .meta({ id: 'RevokeRequest' });
