// pkiCert's PEM handling, as consul-template's: every PEM block in a text is sorted into the
// private key, the leaf certificate and the CA certificates (the first CA is `.CA`, all of
// them, once each, `.CAChain`). The template's destination file is the cache: a certificate
// found there is used until lease_renewal_threshold (± 3 %) of its NotBefore→NotAfter, so a
// restart or a new token does not issue a new one.
import { X509Certificate } from 'node:crypto';
import { GoStruct, goStrings } from '../gotemplate/index.js';

export type Pems = { cert: string; key: string; ca: string; caChain: string[]; leaf?: X509Certificate };

const PEM = /-----BEGIN ([^-\r\n]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Go's pem.EncodeToMemory: base64 in lines of 64, and a newline after the END line. */
function encode(type: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}

/** Sorts the PEM blocks of `text`; a CERTIFICATE block that does not parse is an error. */
export function parsePems(text: string): Pems {
  const out: Pems = { cert: '', key: '', ca: '', caChain: [] };
  for (const m of text.matchAll(PEM)) {
    const type = m[1] as string;
    // Header lines ("Proc-Type: …") are not part of the base64 body.
    const body = (m[2] as string).split(/\r?\n/).filter((l) => !l.includes(':')).join('');
    const der = Buffer.from(body, 'base64');
    const pem = encode(type, der);
    if (type.endsWith('PRIVATE KEY')) {
      out.key = pem;
      continue;
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch (err) {
      throw new Error(`x509: malformed certificate (${(err as Error).message})`);
    }
    if (cert.ca) {
      if (out.ca === '') out.ca = pem;
      if (!out.caChain.includes(pem)) out.caChain.push(pem);
    } else {
      out.leaf = cert;
      out.cert = pem;
    }
  }
  return out;
}

/** The PEM text of a PKI issue answer: each string value, and each of ca_chain's. */
export function pemsOfAnswer(data: Record<string, unknown>): string {
  let text = '';
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string') text += `${v}\n`;
    else if (k === 'ca_chain' && Array.isArray(v)) for (const item of v) if (typeof item === 'string') text += `${item}\n`;
  }
  return text;
}

/**
 * When the certificate is to be replaced (epoch ms): NotBefore plus threshold ± 3 % of its
 * lifetime (`r` in [0, 1)), or undefined when it has expired or that moment has passed.
 */
export function renewAt(cert: X509Certificate | undefined, threshold: number, r: number, now: number): number | undefined {
  if (!cert) return undefined;
  const start = Date.parse(cert.validFrom);
  const end = Date.parse(cert.validTo);
  if (!(end > now)) return undefined;
  const life = end - start;
  const at = start + life * threshold + life * (r * 0.06 - 0.03);
  return at > now ? at : undefined;
}

const PEM_FIELDS = ['Cert', 'Key', 'CA', 'CAChain'] as const;

/** consul-template's dependency.PemEncoded; its Data() method answers itself (`.Data.Cert`). */
export function pemValue(p: Pems): GoStruct {
  return new GoStruct('dependency.PemEncoded', PEM_FIELDS, {
    Cert: p.cert, Key: p.key, CA: p.ca, CAChain: goStrings([...p.caChain]),
  }, { Data: (self) => self });
}
