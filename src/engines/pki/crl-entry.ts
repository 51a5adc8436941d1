// A CRL's revokedCertificates entries, each serialized once by @peculiar/asn1-x509's
// RevokedCertificate class and then carried as bytes. As live schema objects a 100,000-entry
// list holds about 270 MiB while it is serialized; serializing an entry costs ~30 µs of CPU,
// so an entry is encoded when it is revoked, stored with the revocation, and a CRL build only
// places the stored bytes (entries stored without them are encoded by the next build, which stores them).
import * as asn1js from 'asn1js';
import { AsnSerializer } from '@peculiar/asn1-schema';
import { RevokedCertificate, Time } from '@peculiar/asn1-x509';

/** One revoked serial (plain hex), when it was revoked (unix seconds), and its stored entry, if any. */
export type CrlEntry = { serialHex: string; revokedAt: number; der?: string };

/**
 * Bytes already serialized, standing where a schema object would: with toASN and fromASN,
 * asn1-schema takes it as convertible, and it writes its bytes into the enclosing structure's
 * writer (asn1js's RawData answers them instead, so inside a SEQUENCE they would be dropped).
 */
export class Encoded extends asn1js.RawData {
  override toBER(sizeOnly?: boolean, writer?: asn1js.ViewWriter): ArrayBuffer {
    if (!writer) return super.toBER(sizeOnly);
    writer.write(this.dataView);
    return new ArrayBuffer(0);
  }
  // asn1-schema only calls toBER on what this answers; asn1js's type lists its own blocks.
  toASN(): asn1js.AsnType { return this as unknown as asn1js.AsnType; }
  fromASN(): this { throw new Error('an encoded value is written, never parsed'); }
}

/** The RevokedCertificate for a serial and time, DER; asn1js writes the serial as a minimal positive INTEGER. */
function entryDer(serialHex: string, revokedAt: number): ArrayBuffer {
  return AsnSerializer.serialize(new RevokedCertificate({
    userCertificate: asn1js.Integer.fromBigInt(BigInt(`0x${serialHex || '0'}`)).valueBlock.valueHexView as unknown as ArrayBuffer,
    revocationDate: new Time(new Date(revokedAt * 1000)),
  }));
}

/** The entry stored with a revocation: its RevokedCertificate, base64. */
export const storedCrlEntry = (serialHex: string, revokedAt: number): string => Buffer.from(entryDer(serialHex, revokedAt)).toString('base64');

/** An entry ready for the list: the stored bytes, or encoded now when it was stored without them. */
export const listedEntry = (e: CrlEntry): Encoded => new Encoded({ data: e.der ? Buffer.from(e.der, 'base64') : entryDer(e.serialHex, e.revokedAt) });
