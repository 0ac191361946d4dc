// Draws the CORS Lens icon (a lens over a red cross-origin arrow) as PNGs. Run once; output is committed.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size) {
  const rows = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      const u = (x + 0.5) / size, v = (y + 0.5) / size;
      const dx = u - 0.42, dy = v - 0.42, r = Math.hypot(dx, dy);
      let px = [0, 0, 0, 0];
      // handle
      const t = (u + v) / 2;
      if (t > 0.68 && t < 0.95 && Math.abs(u - v) < 0.09) px = [60, 64, 72, 255];
      if (r < 0.34) px = [26, 115, 232, 255]; // ring
      if (r < 0.26) px = [255, 255, 255, 255]; // glass
      // red cross inside the glass
      if (r < 0.2 && (Math.abs(dx - dy) < 0.05 || Math.abs(dx + dy) < 0.05)) px = [217, 48, 37, 255];
      px.forEach((c, i) => (row[1 + x * 4 + i] = c));
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6;
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}
for (const s of [16, 32, 48, 128]) writeFileSync(new URL(`../extension/icons/icon-${s}.png`, import.meta.url), png(s));
