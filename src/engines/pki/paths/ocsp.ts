// pki/ocsp: the OCSP responder, unauthenticated as in Vault. POST carries the DER request as
// the body (application/ocsp-request); GET carries it base64-encoded in the path.
import { definePath, field } from '../../../core/path.js';
import { answerOcsp, type OcspAnswer } from '../ocsp.js';

const OCSP_RESPONSE = 'application/ocsp-response';

const reply = (answer: OcspAnswer) => ({ raw: { status: answer.status, body: answer.body, contentType: OCSP_RESPONSE } });

export const ocspPaths = [
  definePath({
    pattern: 'ocsp', fields: {}, summary: 'OCSP responder (request as the body).', unauthenticated: true,
    operations: {
      update: async ({ storage, request, clock }) => reply(await answerOcsp(storage, request.rawBody ?? Buffer.alloc(0), clock.now())),
    },
  }),
  definePath({
    pattern: 'ocsp/*req', fields: { req: field.string({ description: 'The DER request, base64-encoded.' }) },
    summary: 'OCSP responder (request in the URL).', unauthenticated: true,
    operations: {
      read: async ({ storage, fields, clock }) => reply(await answerOcsp(storage, Buffer.from(fields.req, 'base64'), clock.now())),
    },
  }),
];
