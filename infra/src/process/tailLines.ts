import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** The last `count` lines of a (possibly large) text file; '' when it does not exist. */
export function tailLines(file: string, count = 20): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-count).join('\n');
  } finally {
    closeSync(fd);
  }
}
