import fs from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Json } from './test-app';

/**
 * Writes a CSV of `rows` users to `file` a thousand lines at a time (never the whole file in
 * memory). `line(i)` gives row i (1-based, the first after the header) without its newline.
 */
export function writeCsv(file: string, header: string, rows: number, line: (i: number) => string): number {
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, `${header}\n`);
    for (let from = 1; from <= rows; from += 1000) {
      const lines: string[] = [];
      for (let i = from; i < from + 1000 && i <= rows; i++) lines.push(line(i));
      fs.writeSync(fd, `${lines.join('\n')}\n`);
    }
  } finally {
    fs.closeSync(fd);
  }
  return fs.statSync(file).size;
}

/** POSTs a file as the request body, streamed from disk; answers the status and the parsed JSON. */
export async function postFile(url: string, file: string, headers: Record<string, string>): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(fs.statSync(file).size) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => { text += s; }).on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
        } catch (err) {
          reject(new Error(`not JSON (${res.statusCode}): ${text.slice(0, 500)} ${(err as Error).message}`));
        }
      });
    });
    req.on('error', reject);
    pipeline(fs.createReadStream(file), req).catch(reject);
  });
}

/** GETs JSON from a server process. */
export async function getJson(url: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { method, headers });
  return { status: res.status, body: (await res.json()) as Json };
}
