// Hand-written DER for the one part of a CRL that grows: the revokedCertificates list. Each
// entry (SEQUENCE { INTEGER serial, Time revocationDate }) is ~40 bytes written straight into
// one buffer; as @peculiar/asn1-schema objects the same entry costs kilobytes of heap while the
// list is serialized, which at 100,000 entries is most of a gigabyte.

/** A DER tag-length-value with `content` (definite, minimal length). */
export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

function lengthBytes(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** A serial as a DER INTEGER's content: minimal, with a zero byte when the top bit is set. */
export function serialBytes(hex: string): Buffer {
  let bytes = Buffer.from(hex.length % 2 === 1 ? `0${hex}` : hex, 'hex');
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1]! < 0x80) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.alloc(1);
  return bytes[0]! >= 0x80 ? Buffer.concat([Buffer.alloc(1), bytes]) : bytes;
}

/** RFC 5280 Time: UTCTime through 2049, GeneralizedTime from 2050, seconds and Z. */
export function timeDer(date: Date): Buffer {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}

/** The revokedCertificates SEQUENCE for `entries` (serial hex, revocation unix seconds). */
export function revokedListDer(entries: Array<{ serialHex: string; revokedAt: number }>): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) parts.push(tlv(0x30, Buffer.concat([tlv(0x02, serialBytes(e.serialHex)), timeDer(new Date(e.revokedAt * 1000))])));
  return tlv(0x30, Buffer.concat(parts));
}
