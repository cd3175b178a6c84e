import fs from 'node:fs';
import path from 'node:path';

/** Flushes a directory entry (a rename) to disk; some filesystems do not allow it, which is harmless. */
export function fsyncDir(dir: string) {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Directories cannot be opened for fsync on every platform.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function fsyncFile(file: string) {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes to a temporary file beside `file`, flushes it, then renames it into place. */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o644) {
  const target = path.resolve(file);
  const tmp = `${target}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, data, { mode });
    fsyncFile(tmp);
    fs.renameSync(tmp, target);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fsyncDir(path.dirname(target));
}
