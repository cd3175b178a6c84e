import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ConnectionProfile, DesktopMode } from '../shared/bridge';

/** A remote Roster's base URL: http(s), no credentials, no query or fragment; kept without a trailing slash. */
export const serverUrlSchema = z
  .string()
  .trim()
  .min(1, 'Enter the server URL')
  .max(2048)
  .refine((v) => URL.canParse(v), 'Enter a full URL such as https://roster.example.com')
  .transform((v) => new URL(v))
  .refine((u) => u.protocol === 'https:' || u.protocol === 'http:', 'The URL must start with https:// or http://')
  .refine((u) => !u.username && !u.password, 'The URL must not contain a user name or password')
  .refine((u) => !u.search && !u.hash, 'The URL must not contain a query or fragment')
  .transform((u) => `${u.origin}${u.pathname.replace(/\/+$/, '')}`);

export const profileSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string().trim().min(1, 'Enter a name').max(100),
  url: serverUrlSchema,
});

export const settingsSchema = z.object({
  mode: z.enum(['local', 'remote']).nullable().default(null),
  profiles: z.array(profileSchema).max(200).default([]),
  activeProfileId: z.string().nullable().default(null),
});

export interface Settings {
  mode: DesktopMode | null;
  profiles: ConnectionProfile[];
  activeProfileId: string | null;
}

export const DEFAULT_SETTINGS: Settings = { mode: null, profiles: [], activeProfileId: null };

/**
 * settings.json in the user's data folder. A missing, unreadable or invalid file starts from the
 * defaults (the chooser) rather than keeping the app from opening; writes replace the file whole.
 */
export class SettingsStore {
  constructor(readonly file: string) {}

  load(): Settings {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    } catch {
      return structuredClone(DEFAULT_SETTINGS);
    }
    const parsed = settingsSchema.safeParse(raw);
    if (!parsed.success) return structuredClone(DEFAULT_SETTINGS);
    const s = parsed.data;
    const active = s.profiles.some((p) => p.id === s.activeProfileId) ? s.activeProfileId : null;
    return { mode: s.mode === 'remote' && !active ? null : s.mode, profiles: s.profiles, activeProfileId: active };
  }

  save(settings: Settings): void {
    writeFileAtomic(this.file, `${JSON.stringify(settingsSchema.parse(settings), null, 2)}\n`);
  }
}

/** Write beside, then rename: a crash leaves the old file or the new one, never half of one. */
export function writeFileAtomic(file: string, contents: string | Buffer, mode = 0o600): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents, { mode });
  fs.renameSync(tmp, file);
}
