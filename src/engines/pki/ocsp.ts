// The OCSP responder (RFC 6960): answers "good", "revoked" or "unknown" for a certificate of
// one of this mount's issuers, signed by that issuer. ASN.1 comes from @peculiar/asn1-ocsp;
// the signature from WebCrypto (the issuer's cached key, Ed25519 included) over the DER of the
// response data.
import { createHash } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import {
  BasicOCSPResponse, CertStatus, OCSPRequest, OCSPResponse, OCSPResponseStatus, ResponderID, ResponseBytes, ResponseData,
  RevokedInfo, SingleResponse, id_pkix_ocsp_basic, type CertID,
} from '@peculiar/asn1-ocsp';
import type { Storage } from '../../storage/storage.js';
import { parseDurationSeconds } from '../../util/duration.js';
import { crlConfig } from './crl.js';
import { allIssuers, findIssuer, signingKeyOf } from './issuers.js';
import { revocationAlgorithm, signatureAlgorithmId, signDer } from './sign.js';
import { getJson, type CertEntry, type IssuerEntry, type RevokedEntry } from './store.js';

/** An OCSP answer: the HTTP status and the DER body (always an OCSPResponse). */
export type OcspAnswer = { status: number; body: Buffer };

const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1', '2.16.840.1.101.3.4.2.1': 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512',
};

const failure = (status: OCSPResponseStatus, http: number): OcspAnswer =>
  ({ status: http, body: Buffer.from(AsnConvert.serialize(new OCSPResponse({ responseStatus: status }))) });

// Parsed issuer parts by certificate PEM: parsing dominates an answer's cost otherwise.
const partsCache = new Map<string, { subject: Buffer; key: Buffer }>();

/** The issuer certificate's subject and public key bits, which a CertID names by hash. */
function issuerParts(issuer: IssuerEntry): { subject: Buffer; key: Buffer } {
  let parts = partsCache.get(issuer.certificate);
  if (!parts) {
    const cert = AsnConvert.parse(Buffer.from(issuer.certificate.replace(/-----[^-]+-----|\s/g, ''), 'base64'), Certificate);
    parts = {
      subject: Buffer.from(AsnConvert.serialize(cert.tbsCertificate.subject)),
      key: Buffer.from(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey),
    };
    if (partsCache.size >= 256) partsCache.clear();
    partsCache.set(issuer.certificate, parts);
  }
  return parts;
}

/** The issuer a CertID names: the hashes of its subject and of its public key match. */
function issuerMatches(id: CertID, issuer: IssuerEntry): boolean {
  const hash = HASHES[id.hashAlgorithm.algorithm];
  if (!hash) return false;
  const { subject, key } = issuerParts(issuer);
  return createHash(hash).update(subject).digest().equals(Buffer.from(id.issuerNameHash.buffer))
    && createHash(hash).update(key).digest().equals(Buffer.from(id.issuerKeyHash.buffer));
}

/** The certificate's status as this mount knows it under `issuer`. */
async function statusOf(storage: Storage, certId: CertID, issuer: IssuerEntry): Promise<CertStatus> {
  const hex = Buffer.from(certId.serialNumber).toString('hex').replace(/^(00)+(?=.)/, '');
  const revoked = await getJson<RevokedEntry>(storage, `revoked/${hex}`);
  if (revoked && revoked.issuer_id === issuer.id) {
    return new CertStatus({ revoked: new RevokedInfo({ revocationTime: new Date(revoked.revocation_time * 1000) }) });
  }
  const known = revoked ?? (await getJson<CertEntry>(storage, `certs/${hex}`));
  return known && known.issuer_id === issuer.id ? new CertStatus({ good: null }) : new CertStatus({ unknown: null });
}

/** An issuer may sign OCSP answers when it holds its key and has the ocsp-signing usage. */
const canSign = (issuer: IssuerEntry | undefined): issuer is IssuerEntry => !!issuer && issuer.key_id !== '' && issuer.usage.includes('ocsp-signing');

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
  const matched = (await allIssuers(storage)).find((i) => issuerMatches(certId, i));
  // Vault: a matching issuer that may not sign answers "unauthorized"; for an issuer this
  // mount does not hold, the default issuer signs "unknown" (or "unauthorized" if it cannot).
  let signerIssuer: IssuerEntry | undefined = matched;
  let status: CertStatus;
  if (matched) {
    status = await statusOf(storage, certId, matched);
  } else {
    signerIssuer = await findIssuer(storage, 'default');
    status = new CertStatus({ unknown: null });
  }
  if (!canSign(signerIssuer)) return failure(OCSPResponseStatus.unauthorized, 401);

  const expiry = parseDurationSeconds(config.ocsp_expiry) ?? 0;
  const now = new Date(Math.floor(nowMs / 1000) * 1000);
  // As in Vault: the issuer signs (responder id by key hash), with no certificates and no nonce.
  const data = new ResponseData({
    responderID: new ResponderID({ byKey: new OctetString(createHash('sha1').update(issuerParts(signerIssuer).key).digest()) }),
    producedAt: now,
    responses: [new SingleResponse({ certID: certId, certStatus: status, thisUpdate: now, ...(expiry > 0 ? { nextUpdate: new Date(now.getTime() + expiry * 1000) } : {}) })],
  });
  const signer = await signingKeyOf(storage, signerIssuer);
  const alg = revocationAlgorithm(signer.key, signerIssuer.revocation_signature_algorithm, true);
  const basic = new BasicOCSPResponse({
    tbsResponseData: data,
    signatureAlgorithm: signatureAlgorithmId(alg),
    signature: await signDer(signer, alg, AsnConvert.serialize(data)),
  });
  const response = new OCSPResponse({
    responseStatus: OCSPResponseStatus.successful,
    responseBytes: new ResponseBytes({ responseType: id_pkix_ocsp_basic, response: new OctetString(AsnConvert.serialize(basic)) }),
  });
  return { status: 200, body: Buffer.from(AsnConvert.serialize(response)) };
}
