import { z } from 'zod';
import { apiResponse, paginated, pagingQuery, Uuid } from './common';

const PasswordPolicy = z.strictObject({
  min_length: z.number().int().min(8).max(128),
  require_uppercase: z.boolean(),
  require_lowercase: z.boolean(),
  require_digit: z.boolean(),
  require_symbol: z.boolean(),
  /** How many previous passwords may not be used again; 0 turns the check off. */
  history: z.number().int().min(0).max(24),
});
const LockoutPolicy = z.strictObject({
  max_failed_attempts: z.number().int().min(1).max(100),
  /** 0: a locked account stays locked until an admin unlocks it. */
  lock_duration_minutes: z.number().int().min(0).max(525_600),
});
const TokenLifetimes = z.strictObject({
  access_token_ttl_seconds: z.number().int().min(60).max(86_400),
  /** Idle lifetime: a session not refreshed for this long ends. */
  refresh_token_ttl_seconds: z.number().int().min(300).max(31_536_000),
  /** Absolute lifetime: no session outlives this, however often it is refreshed. */
  session_max_lifetime_seconds: z.number().int().min(300).max(31_536_000),
});
const MfaPolicy = z.strictObject({
  /** Every user must sign in with a second factor; those without one can only enrol. */
  required: z.boolean(),
});
const Defaults = z.strictObject({
  locale: z.string().regex(/^[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,8})*$/, 'is not a valid locale tag'),
  timezone: z.string().refine((tz) => tz === 'UTC' || Intl.supportedValuesOf('timeZone').includes(tz), 'is not a known IANA time zone'),
});

export const TenantSettings = z
  .object({ password_policy: PasswordPolicy, lockout: LockoutPolicy, tokens: TokenLifetimes, mfa: MfaPolicy, defaults: Defaults })
  .meta({ id: 'TenantSettings', description: 'Rules of the tenant: password policy, lockout, token and session lifetimes, defaults of new users.' });
export type TenantSettings = z.infer<typeof TenantSettings>;

/** Settings changes name only what changes; the rest keeps its value. */
export const TenantSettingsPatch = z
  .strictObject({
    password_policy: PasswordPolicy.partial().optional(),
    lockout: LockoutPolicy.partial().optional(),
    tokens: TokenLifetimes.partial().optional(),
    mfa: MfaPolicy.partial().optional(),
    defaults: Defaults.partial().optional(),
  })
  .meta({ id: 'TenantSettingsPatch' });
export type TenantSettingsPatch = z.infer<typeof TenantSettingsPatch>;

export const DEFAULT_TENANT_SETTINGS: TenantSettings = {
  password_policy: { min_length: 8, require_uppercase: false, require_lowercase: false, require_digit: false, require_symbol: false, history: 0 },
  lockout: { max_failed_attempts: 5, lock_duration_minutes: 15 },
  tokens: { access_token_ttl_seconds: 900, refresh_token_ttl_seconds: 2_592_000, session_max_lifetime_seconds: 7_776_000 },
  mfa: { required: false },
  defaults: { locale: 'en', timezone: 'UTC' },
};

export function mergeSettings(base: Partial<TenantSettings> | null | undefined, patch: TenantSettingsPatch | undefined): TenantSettings {
  const d = DEFAULT_TENANT_SETTINGS;
  return {
    password_policy: { ...d.password_policy, ...base?.password_policy, ...patch?.password_policy },
    lockout: { ...d.lockout, ...base?.lockout, ...patch?.lockout },
    tokens: { ...d.tokens, ...base?.tokens, ...patch?.tokens },
    mfa: { ...d.mfa, ...base?.mfa, ...patch?.mfa },
    defaults: { ...d.defaults, ...base?.defaults, ...patch?.defaults },
  };
}

const slug = z
  .string()
  .min(2)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 'may contain only lower-case letters, digits and dashes')
  // Tenants are addressed by id or slug, and a UUID-shaped reference is read as an id.
  .refine((v) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(v), 'must not have the shape of a tenant id');

export const TenantStatus = z.enum(['ACTIVE', 'SUSPENDED']).meta({ id: 'TenantStatus' });

export const TenantCreate = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    slug: slug.optional(),
    partner_id: Uuid.nullish(),
    status: TenantStatus.default('ACTIVE'),
    settings: TenantSettingsPatch.optional(),
  })
  .meta({ id: 'TenantCreate' });

export const TenantUpdate = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    slug: slug.optional(),
    partner_id: Uuid.nullish(),
    status: TenantStatus.optional(),
    settings: TenantSettingsPatch.optional(),
  })
  .meta({ id: 'TenantUpdate' });

export const TenantResponse = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    partner_id: z.string().nullable(),
    status: TenantStatus,
    settings: TenantSettings,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'TenantResponse' });

export const TENANT_SORT_FIELDS = ['name', 'slug', 'created_at'] as const;
export const TenantListQuery = z.object({
  ...pagingQuery,
  search: z.string().trim().max(200).optional(),
  partner_id: Uuid.optional(),
  status: TenantStatus.optional(),
  sort_by: z.enum(TENANT_SORT_FIELDS).optional(),
});

export const ApiResponseTenant = apiResponse(TenantResponse, 'ApiResponse_TenantResponse_');
export const PaginatedTenantList = paginated(TenantResponse, 'PaginatedResponse_TenantResponse_');
