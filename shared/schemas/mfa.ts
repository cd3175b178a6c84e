import { z } from 'zod';
import { apiResponse } from './common';

export const TotpEnrollment = z
  .object({
    secret: z.string().describe('Base32, for typing into an authenticator by hand'),
    otpauth_uri: z.string(),
    qr_code: z.string().describe('The otpauth URI as a PNG data URL'),
  })
  .meta({ id: 'TotpEnrollment' });

export const TotpCode = z
  .strictObject({ code: z.string().trim().regex(/^\d{6}$/, 'must be the 6 digits the authenticator shows') })
  .meta({ id: 'TotpCode' });

export const TotpDisable = z
  .strictObject({ code: z.string().trim().min(6).max(64).describe('A current code or a recovery code') })
  .meta({ id: 'TotpDisable' });

export const RecoveryCodes = z
  .object({ recovery_codes: z.array(z.string()).describe('Shown this once; each works once in place of a code') })
  .meta({ id: 'RecoveryCodes' });

export const ApiResponseTotpEnrollment = apiResponse(TotpEnrollment, 'ApiResponse_TotpEnrollment_');
export const ApiResponseRecoveryCodes = apiResponse(RecoveryCodes, 'ApiResponse_RecoveryCodes_');
