// The PEM blocks of a bundle (certificates, keys, CRLs), split by their armour lines: PKI's
// imported bundles and MySQL's tls_certificate_key. Each block is parsed by node:crypto or
// @peculiar/x509 afterwards; nothing here reads what is inside.

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]+?-----END \1-----/g;

/** The PEM blocks of a bundle, in order, with their labels. */
export function pemBlocks(text: string): Array<{ label: string; pem: string }> {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: m[0] }));
}
