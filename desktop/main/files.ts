import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseOrThrow } from './validation';

export const saveFileSchema = z.object({
  // A file name only: where it goes is the user's choice in the dialog.
  defaultName: z.string().trim().min(1).max(255).refine((n) => !/[\\/\0]/.test(n) && n !== '.' && n !== '..', 'The file name must not contain a path'),
  contents: z.string().max(512 * 1024 * 1024),
}).strict();

export type SaveDialog = (opts: { title: string; defaultPath: string }) => Promise<{ canceled: boolean; filePath?: string }>;

/** Asks where to save (the GDPR export) and writes the file; null when the user cancels. */
export async function saveWithDialog(showSaveDialog: SaveDialog, defaultDir: string, input: unknown): Promise<string | null> {
  const file = parseOrThrow(saveFileSchema, input);
  const choice = await showSaveDialog({ title: 'Save file', defaultPath: path.join(defaultDir, file.defaultName) });
  if (choice.canceled || !choice.filePath) return null;
  await fs.writeFile(choice.filePath, file.contents, 'utf8');
  return choice.filePath;
}
