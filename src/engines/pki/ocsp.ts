// The OCSP responder (RFC 6960): answers "good", "revoked" or "unknown" for a certificate of
// one of this mount's issuers, signed by that issuer. ASN.1 comes from @peculiar/asn1-ocsp;
// the signature from node:crypto over the DER of the response data.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, Extension } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse, CertStatus, OCSPRequest, OCSPResponse, OCSPResponseStatus, ResponderID, ResponseBytes, ResponseData,
  RevokedInfo, SingleResponse, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, type CertID,
} from '@peculiar/asn1-ocsp';
import type { Storage } from '../../storage/storage.js';
import { parseDurationSeconds } from '../../util/duration.js';
import { crlConfig } from './crl.js';
import { allIssuers, signerOf } from './issuers.js';
import { getJson, type CertEntry, type IssuerEntry, type RevokedEntry } from './store.js';

/** An OCSP answer: the HTTP status and the DER body (always an OCSPResponse). */
export type OcspAnswer = { status: number; body: Buffer };

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** The signature OIDs for the issuer's key (Vault signs OCSP answers with the issuer). */
function signatureFor(key: KeyObject): { oid: string; hash: string | null; nullParams: boolean } {
  if (key.asymmetricKeyType === 'ed25519') return { oid: '1.3.101.112', hash: null, nullParams: false };
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return { oid: '1.2.840.10045.4.3.3', hash: 'sha384', nullParams: false };
    if (curve === 'secp521r1') return { oid: '1.2.840.10045.4.3.4', hash: 'sha512', nullParams: false };
    return { oid: '1.2.840.10045.4.3.2', hash: 'sha256', nullParams: false };
  }
  return { oid: '1.2.840.113549.1.1.11', hash: 'sha256', nullParams: true };
}

const failure = (status: OCSPResponseStatus, http: number): OcspAnswer =>
  ({ status: http, body: Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: status }))) });

/** The issuer certificate's subject and public key bits, which a CertID names by hash. */
function issuerParts(issuer: IssuerEntry): { subject: Buffer; key: Buffer } {
  const cert = AsnConvert.parse(Buffer.from(issuer.certificate.replace(/-----[^-]+-----|\s/g, ''), 'base64'), Certificate);
  return {
    subject: Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject)),
    key: Buffer.from(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
  };
}

/** The issuer a CertID names: the hashes of its subject and of its public key match. */
function issuerMatches(id: CertID, issuer: IssuerEntry): boolean {
  const hash = HASHES[id.hashAlgorithm.algorithm];
  if (!hash) return false;
  const { subject, key } = issuerParts(issuer);
  return createHash(hash).update(subject).digest().equals(Buffer.from(id.issuerNameHash.buffer))
    && createHash(hash).update(key).digest().equals(Buffer.from(id.issuerKeyHash.buffer));
}

/** Answers a DER-encoded OCSPRequest. */
export async function answerOcsp(storage: Storage, der: Buffer, nowMs: number): Promise<OcspAnswer> {
  const config = await crlConfig(storage);
  if (config.ocsp_disable) return failure(OCSPResponseStatus.unauthorized, 401);
  let request: OCSPRequest;
  try {
    request = AsnConvert.parse(der, OCSPRequest);
  } catch {
    return failure(OCSPResponseStatus.malformedRequest, 400);
  }
  const single = request.tbsRequest.requestList[0];
  if (!single || request.tbsRequest.requestList.length !== 1) return failure(OCSPResponseStatus.malformedRequest, 400);
  const certId = single.reqCert;
  const issuers = (await allIssuers(storage)).filter((i) => i.key_id !== '' && i.usage.includes('ocsp-signing'));
  const issuer = issuers.find((i) => issuerMatches(certId, i));
  // Vault: a request for an issuer this mount does not hold is "unauthorized".
  if (!issuer) return failure(OCSPResponseStatus.unauthorized, 401);

  const hex = Buffer.from(certId.serialNumber).toString('hex').replace(/^(00)+(?=.)/, '');
  const revoked = await getJson<RevokedEntry>(storage, `revoked/${hex}`);
  const known = revoked ?? (await getJson<CertEntry>(storage, `certs/${hex}`));
  const status = revoked && revoked.issuer_id === issuer.id
    ? new CertStatus({ revoked: new RevokedInfo({ revocationTime: new Date(revoked.revocation_time * 1000) }) })
    : known && known.issuer_id === issuer.id ? new CertStatus({ good: null }) : new CertStatus({ unknown: null });

  const expiry = parseDurationSeconds(config.ocsp_expiry) ?? 0;
  const now = new Date(Math.floor(nowMs / 1000) * 1000);
  const signer = await signerOf(storage, issuer);
  const nonce = request.tbsRequest.requestExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  const data = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(createHash('sha1').update(issuerParts(issuer).key).digest()) }),
    producedAt: now,
    responses: [new SingleResponse({ certID: certId, certStatus: status, thisUpdate: now, ...(expiry > 0 ? { nextUpdate: new Date(now.getTime() + expiry * 1000) } : {}) })],
    ...(nonce ? { responseExtensions: [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: nonce.extnValue })] } : {}),
  });
  const tbs = Buffer.from(AsnConvert.serialize(data));
  const alg = signatureFor(signer.key);
  const signature = new Uint8Array(sign(alg.hash, tbs, signer.key)).buffer;
  const basic = new BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: alg.oid, ...(alg.nullParams ? { parameters: null } : {}) }),
    signature,
  });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return { status: 200, body: Buffer.from(AsnConvert.serialize(response)) };
}
