/**
 * The form's home-screen icons (web app manifest): the CSI Diamond, white on the app's blue, as PNG files drawn
 * here without an image library (a PNG is an IHDR, zlib-compressed scanlines and an IEND). `maskable` keeps the
 * diamond inside the central 80% safe zone that launchers may crop to a circle.
 *
 * `npm run icons` writes forms/app/icons/; the committed files are checked against this code by a test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

export const ICONS = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
] as const;

const BLUE = [0x0b, 0x5c, 0xad];
const WHITE = [0xff, 0xff, 0xff];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** An RGB PNG of `size` x `size` pixels: a diamond (|dx| + |dy| < r) on a blue square. */
export function iconPng(size: number, maskable: boolean): Buffer {
  const centre = (size - 1) / 2;
  const radius = size * (maskable ? 0.3 : 0.42);
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y += 1) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x += 1) {
      const inside = Math.abs(x - centre) + Math.abs(y - centre) < radius;
      // A thin blue cross splits the diamond in four, as the CSI Diamond's four dimensions.
      const core = Math.abs(x - centre) < size * 0.012 || Math.abs(y - centre) < size * 0.012;
      const [r, g, b] = inside && !core ? WHITE : BLUE;
      row.set([r as number, g as number, b as number], 1 + x * 3);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

export const ICON_DIR = join(import.meta.dirname, '..', 'forms', 'app', 'icons');

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  mkdirSync(ICON_DIR, { recursive: true });
  for (const icon of ICONS) writeFileSync(join(ICON_DIR, icon.file), iconPng(icon.size, icon.maskable));
  console.log(`wrote ${ICONS.length} icons to ${ICON_DIR}`);
}
