// @vitest-environment jsdom
import { useState } from 'react';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MantineProvider } from '@mantine/core';
import { parseCsv, readPreview } from '../../desktop/renderer/src/screens/import/csv-preview';
import {
  autoMatch, autoMatchAll, headerLine, rewrittenUpload, targetKey, validateMapping, type ColumnTarget,
} from '../../desktop/renderer/src/screens/import/column-mapping';
import { MappingTable } from '../../desktop/renderer/src/screens/import/MappingTable';
import { shimJsdomForMantine } from '../support/jsdom-shims';

const utf8 = (s: string) => new TextEncoder().encode(s);
const blobOf = (...parts: (string | Uint8Array)[]) => new Blob(parts.map((p) => (typeof p === 'string' ? utf8(p) : p)) as BlobPart[]);
const textOf = async (b: Blob) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(await b.arrayBuffer());
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

describe('the preview reader', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks, CRLF, and skips blank lines', () => {
    const text = 'email,note\r\nann@x.io,"Hello, ""world"""\r\n\r\nbob@x.io,"two\nlines"\r\n';
    const { records, lineEnds } = parseCsv(text, 10);
    expect(records).toEqual([['email', 'note'], ['ann@x.io', 'Hello, "world"'], ['bob@x.io', 'two\nlines']]);
    expect(lineEnds[0]).toBe('\r\n');
  });

  it('leaves out a record cut off by the end of a partial read, keeps a last line without a line break', () => {
    expect(parseCsv('a,b\n1,2\n3,', 10, true).records).toEqual([['a', 'b'], ['1', '2']]);
    expect(parseCsv('a,b\n1,2\n3,4', 10).records).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
    expect(parseCsv('a,b\n1,2\n3,4\n5,6\n', 2).records).toHaveLength(2);
  });

  it('measures the header in bytes (BOM and accents included) and keeps its line ending', async () => {
    const preview = await readPreview(blobOf(BOM, 'Prénom,E-mail\r\nÉlodie,elo@x.io\r\n'));
    expect(preview.header).toEqual(['Prénom', 'E-mail']);
    expect(preview.rows).toEqual([['Élodie', 'elo@x.io']]);
    expect(preview.headerBytes).toBe(3 + utf8('Prénom,E-mail\r\n').length);
    expect(preview.lineEnd).toBe('\r\n');
  });

  it('refuses an empty file and a blank header row', async () => {
    await expect(readPreview(blobOf(''))).rejects.toThrow(/empty/);
    await expect(readPreview(blobOf(',,\n1,2,3\n'))).rejects.toThrow(/blank/);
  });
});

describe('matching columns by their headers', () => {
  it('knows the fields, their common synonyms and custom.* columns, and ignores the rest', () => {
    expect(autoMatch('E-mail')).toEqual({ kind: 'field', field: 'email' });
    expect(autoMatch(' Given Name ')).toEqual({ kind: 'field', field: 'first_name' });
    expect(autoMatch('Surname')).toEqual({ kind: 'field', field: 'last_name' });
    expect(autoMatch('first_name')).toEqual({ kind: 'field', field: 'first_name' });
    expect(autoMatch('Job Title')).toEqual({ kind: 'field', field: 'job_title' });
    expect(autoMatch('OU')).toEqual({ kind: 'field', field: 'ou_path' });
    expect(autoMatch('Groups')).toEqual({ kind: 'field', field: 'groups' });
    expect(autoMatch('custom.employee_id')).toEqual({ kind: 'custom', name: 'employee_id' });
    expect(autoMatch('Favourite colour')).toEqual({ kind: 'ignore' });
  });

  it('maps each field once: a second column for the same field is ignored', () => {
    expect(autoMatchAll(['Email', 'Mail', 'Name']).map(targetKey)).toEqual(['email', null, 'display_name']);
  });

  it('reports a missing email, a field mapped twice, a bad custom name and password with password_hash', () => {
    const t: ColumnTarget[] = [
      { kind: 'field', field: 'first_name' },
      { kind: 'field', field: 'first_name' },
      { kind: 'custom', name: 'bad name!' },
      { kind: 'field', field: 'password' },
      { kind: 'field', field: 'password_hash' },
    ];
    const problems = validateMapping(t);
    expect(problems.columns[1]).toMatch(/Column 1 is already mapped to first_name/);
    expect(problems.columns[2]).toMatch(/custom attribute/);
    expect(problems.columns[0]).toBeUndefined();
    expect(problems.overall).toEqual([expect.stringMatching(/email/), expect.stringMatching(/password_hash/)]);
    expect(validateMapping([{ kind: 'field', field: 'email' }, { kind: 'ignore' }, { kind: 'ignore' }])).toEqual({ columns: {}, overall: [] });
  });
});

describe('the upload', () => {
  it('rewrites only the header: targets as names, ignored columns blank, the rest byte for byte', async () => {
    const body = 'Élodie,elo@x.io,"Sales; ""EMEA""",x\r\nBob,bob@x.io,,y\r\n';
    const file = blobOf(BOM, 'Prénom,E-mail,Teams,Colour\r\n', body);
    const preview = await readPreview(file);
    const targets: ColumnTarget[] = [
      { kind: 'field', field: 'first_name' }, { kind: 'field', field: 'email' }, { kind: 'field', field: 'groups' }, { kind: 'ignore' },
    ];
    const upload = rewrittenUpload(file, preview, targets);
    expect(upload.type).toBe('text/csv');
    expect(await textOf(upload)).toBe(`first_name,email,groups,\r\n${body}`);
    expect(upload.size).toBe(utf8('first_name,email,groups,\r\n').length + utf8(body).length);
  });

  it('quotes a header cell only when CSV needs it', () => {
    expect(headerLine([{ kind: 'custom', name: 'a,b' }, { kind: 'custom', name: 'plain' }], '\n')).toBe('"custom.a,b",custom.plain\n');
  });
});

describe('<MappingTable>', () => {
  beforeAll(shimJsdomForMantine);
  afterEach(cleanup);

  const preview = { header: ['Mail', 'Department'], rows: [['ann@x.io', 'Sales'], ['bob@x.io', 'IT']], headerBytes: 16, lineEnd: '\n' };
  let latest: ColumnTarget[] = [];
  function Harness({ start }: { start: ColumnTarget[] }) {
    const [targets, setTargets] = useState(start);
    latest = targets;
    return <MantineProvider><MappingTable preview={preview} targets={targets} onChange={setTargets} /></MantineProvider>;
  }

  it('shows each column with samples, and turns a column into a named custom attribute', async () => {
    render(<Harness start={autoMatchAll(preview.header)} />);
    const table = screen.getByRole('table', { name: 'Column mapping' });
    expect(within(table).getByText('ann@x.io · bob@x.io')).toBeTruthy();
    expect((screen.getByLabelText('Import Mail as', { selector: 'input' }) as HTMLInputElement).value).toBe('email');
    expect((screen.getByLabelText('Import Department as', { selector: 'input' }) as HTMLInputElement).value).toBe('Ignore this column');

    fireEvent.click(screen.getByLabelText('Import Department as', { selector: 'input' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Custom attribute…' }));
    const name = await screen.findByRole('textbox', { name: 'Custom attribute name for Department' });
    expect((name as HTMLInputElement).value).toBe('Department');
    fireEvent.change(name, { target: { value: 'dept' } });
    expect(latest.map(targetKey)).toEqual(['email', 'custom.dept']);
    expect(headerLine(latest, '\n')).toBe('email,custom.dept\n');
  });

  it('says so when no column is mapped to email', () => {
    render(<Harness start={[{ kind: 'ignore' }, { kind: 'ignore' }]} />);
    expect(screen.getByRole('alert').textContent).toMatch(/Map one column to email/);
  });
});
