import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rolesTable } from './roles-table';

describe('README', () => {
  it('shows the permission table exactly as the server enforces it', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    // On a mismatch, paste the expected table into the README's "Roles" section.
    expect(readme).toContain(rolesTable());
  });
});
