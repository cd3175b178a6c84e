/**
 * A small CSV reader for the import wizard's preview only: the server parses the real upload.
 * RFC 4180 (commas, double quotes with "" inside, CRLF or LF), which is what the server reads.
 */

export interface CsvPreview {
  header: string[];
  /** The first records after the header. */
  rows: string[][];
  /** Bytes of the file taken by a UTF-8 byte order mark and the header record with its line end. */
  headerBytes: number;
  /** The header's own line ending, kept when the header is rewritten. */
  lineEnd: string;
}

interface Parsed {
  records: string[][];
  /** For each record, the index just past its line ending. */
  ends: number[];
  /** For each record, the line ending that closed it ('' for the last one of the text). */
  lineEnds: string[];
}

/** Up to `max` complete records of `text`; a record cut off by the end of `text` is left out when `partial`. */
export function parseCsv(text: string, max: number, partial = false): Parsed {
  const out: Parsed = { records: [], ends: [], lineEnds: [] };
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let i = 0;
  const finish = (end: number, lineEnd: string) => {
    record.push(field);
    field = '';
    // A blank line is no record, as for the server (skip_empty_lines).
    if (!(record.length === 1 && record[0] === '')) {
      out.records.push(record);
      out.ends.push(end);
      out.lineEnds.push(lineEnd);
    }
    record = [];
  };
  while (i < text.length && out.records.length < max) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') { quoted = true; i++; continue; }
    if (ch === ',') { record.push(field); field = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { finish(i + 2, '\r\n'); i += 2; continue; }
    if (ch === '\n' || ch === '\r') { finish(i + 1, ch); i++; continue; }
    field += ch;
    i++;
  }
  if (i >= text.length && out.records.length < max && !partial && (field !== '' || record.length)) finish(text.length, '');
  return out;
}

const utf8Length = (s: string) => new TextEncoder().encode(s).length;
const PREVIEW_BYTES = 256 * 1024;

/** The header and the first `rows` records of a CSV file, read from its first bytes only. */
export async function readPreview(file: Blob, rows = 5): Promise<CsvPreview> {
  const bytes = new Uint8Array(await file.slice(0, PREVIEW_BYTES).arrayBuffer());
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.subarray(bom));
  const parsed = parseCsv(text, rows + 1, file.size > PREVIEW_BYTES);
  if (!parsed.records.length) throw new Error('The file is empty or has no complete header row');
  const header = parsed.records[0].map((h) => h.trim());
  if (header.every((h) => h === '')) throw new Error('The first row should name the columns, but it is blank');
  return {
    header,
    rows: parsed.records.slice(1),
    headerBytes: bom + utf8Length(text.slice(0, parsed.ends[0])),
    lineEnd: parsed.lineEnds[0] || '\n',
  };
}
