# hvac 0.11.2's secrets.pki calls against Lockbox, checked against the shapes Vault answers:
# a root in pki/ and an intermediate in pki_int/ (generate, sign-intermediate, set-signed),
# (the bundle's root is imported too, keyless), a role, issue, sign, sign-verbatim, revoke, the CRL, the fetch paths, urls, CRL config, tidy.
import os
import re
import subprocess
import sys
import tempfile

import hvac

client = hvac.Client(url=os.environ['LOCKBOX_URL'], token=os.environ['LOCKBOX_TOKEN'])
pki = client.secrets.pki
CERT = re.compile(r'^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----$')
SERIAL = re.compile(r'^[0-9a-f]{2}(:[0-9a-f]{2})+$')


def check(name, ok):
    print(('PASS ' if ok else 'FAIL ') + name)


def has(data, *keys):
    return all(k in data for k in keys)


def csr_for(cn):
    """A CSR and its key from openssl, as an application would hand one to sign/<role>."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(['openssl', 'req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
                        '-subj', '/CN=' + cn, '-keyout', d + '/k.pem', '-out', d + '/r.pem'], check=True, capture_output=True)
        return open(d + '/r.pem').read()


client.sys.enable_secrets_engine('pki', path='pki', config={'max_lease_ttl': '87600h'})
client.sys.enable_secrets_engine('pki', path='pki_int', config={'max_lease_ttl': '43800h'})

root = pki.generate_root('internal', 'hvac Root', extra_params={'ttl': '87600h', 'issuer_name': 'root'})
data = root['data']
check('generate_root answers certificate, issuing_ca, serial, expiration, issuer and key ids',
      has(data, 'certificate', 'issuing_ca', 'serial_number', 'expiration', 'issuer_id', 'issuer_name', 'key_id', 'key_name')
      and CERT.match(data['certificate']) is not None and data['issuing_ca'] == data['certificate']
      and SERIAL.match(data['serial_number']) is not None and isinstance(data['expiration'], int)
      and data['issuer_name'] == 'root' and 'private_key' not in data)
check('generate_root warns about missing AIA URLs as Vault does',
      any('issuing certificate' in w.lower() or 'aia' in w.lower() for w in root.get('warnings') or []))

exported = pki.generate_intermediate('exported', 'hvac Intermediate', extra_params={'key_type': 'ec', 'key_bits': 384}, mount_point='pki_int')
data = exported['data']
check('generate_intermediate exported answers csr, key_id, private_key, private_key_type',
      data['csr'].startswith('-----BEGIN CERTIFICATE REQUEST-----') and has(data, 'key_id')
      and data['private_key_type'] == 'ec' and data['private_key'].startswith('-----BEGIN EC PRIVATE KEY-----')
      and not data['private_key'].endswith('\n'))

signed = pki.sign_intermediate(data['csr'], 'hvac Intermediate', extra_params={'format': 'pem_bundle', 'ttl': '43800h'})['data']
check('sign_intermediate answers certificate, issuing_ca, ca_chain, serial, expiration',
      has(signed, 'certificate', 'issuing_ca', 'ca_chain', 'serial_number', 'expiration')
      and signed['issuing_ca'] == root['data']['certificate'] and signed['certificate'].count('BEGIN CERTIFICATE') == 2)

set_signed = pki.set_signed_intermediate(signed['certificate'], mount_point='pki_int')['data']
check('set_signed_intermediate answers imported_issuers, imported_keys, mapping, existing_*',
      has(set_signed, 'imported_issuers', 'imported_keys', 'mapping', 'existing_issuers', 'existing_keys')
      and len(set_signed['imported_issuers']) == 2 and set_signed['imported_keys'] is None
      and sorted(set_signed['mapping'].values()) == ['', exported['data']['key_id']])

chain_text = pki.read_ca_certificate_chain(mount_point='pki_int')
check('read_ca_certificate_chain is the PEM chain, intermediate first', chain_text.count('BEGIN CERTIFICATE') == 2
      and chain_text.index(signed['certificate'].split('-----END CERTIFICATE-----')[0]) == 0)
check('read_ca_certificate is the issuer PEM', pki.read_ca_certificate(mount_point='pki_int').startswith('-----BEGIN CERTIFICATE-----'))

pki.set_urls({'issuing_certificates': ['http://127.0.0.1:8200/v1/pki_int/ca'], 'crl_distribution_points': ['http://127.0.0.1:8200/v1/pki_int/crl']}, mount_point='pki_int')
urls = pki.read_urls(mount_point='pki_int')['data']
check('set_urls then read_urls', urls['issuing_certificates'] == ['http://127.0.0.1:8200/v1/pki_int/ca']
      and urls['crl_distribution_points'] == ['http://127.0.0.1:8200/v1/pki_int/crl'] and urls['ocsp_servers'] == [])

pki.create_or_update_role('web', extra_params={'allowed_domains': 'example.com', 'allow_subdomains': True, 'max_ttl': '72h', 'key_type': 'ec'}, mount_point='pki_int')
role = pki.read_role('web', mount_point='pki_int')['data']
check('read_role answers every field with Vault defaults',
      role['allowed_domains'] == ['example.com'] and role['allow_subdomains'] is True and role['max_ttl'] == 259200
      and role['key_type'] == 'ec' and role['key_bits'] == 256 and role['server_flag'] is True and role['client_flag'] is True
      and role['key_usage'] == ['DigitalSignature', 'KeyAgreement', 'KeyEncipherment'] and role['issuer_ref'] == 'default'
      and role['allow_localhost'] is True and role['enforce_hostnames'] is True and role['no_store'] is False)
check('list_roles', pki.list_roles(mount_point='pki_int')['data']['keys'] == ['web'])

issued = pki.generate_certificate('web', 'app.example.com', extra_params={'alt_names': 'api.example.com', 'ttl': '24h'}, mount_point='pki_int')
data = issued['data']
check('generate_certificate answers certificate, issuing_ca, ca_chain, private_key(_type), serial, expiration',
      has(data, 'certificate', 'issuing_ca', 'ca_chain', 'private_key', 'private_key_type', 'serial_number', 'expiration')
      and CERT.match(data['certificate']) is not None and data['private_key_type'] == 'ec'
      and len(data['ca_chain']) == 2 and data['ca_chain'][1] == root['data']['certificate']
      and issued['lease_id'] == '' and issued['lease_duration'] == 0)
serial = data['serial_number']

try:
    pki.generate_certificate('web', 'evil.com', mount_point='pki_int')
    check('a name outside the role is refused', False)
except hvac.exceptions.InvalidRequest as err:
    check('a name outside the role is refused', 'common name evil.com not allowed by this role' in str(err))

sig = pki.sign_certificate('web', csr_for('signed.example.com'), 'signed.example.com', mount_point='pki_int')['data']
check('sign_certificate answers certificate, issuing_ca, ca_chain, serial, expiration and no key',
      has(sig, 'certificate', 'issuing_ca', 'ca_chain', 'serial_number', 'expiration') and 'private_key' not in sig)
verbatim = pki.sign_verbatim(csr_for('verbatim.example.com'), name='web', mount_point='pki_int')['data']
check('sign_verbatim', CERT.match(verbatim['certificate']) is not None)

listed = pki.list_certificates(mount_point='pki_int')['data']['keys']
check('list_certificates lists colon serials', serial in listed and sig['serial_number'] in listed)
read = pki.read_certificate(serial, mount_point='pki_int')['data']
check('read_certificate before revocation (PEM without a trailing newline, as Vault)', read['certificate'] == data['certificate'] and read['revocation_time'] == 0)

revoked = pki.revoke_certificate(serial, mount_point='pki_int')['data']
check('revoke_certificate answers revocation_time, revocation_time_rfc3339, state',
      isinstance(revoked['revocation_time'], int) and revoked['state'] == 'revoked'
      and re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', revoked['revocation_time_rfc3339']) is not None)
read = pki.read_certificate(serial, mount_point='pki_int')['data']
check('read_certificate after revocation', read['revocation_time'] == revoked['revocation_time'] and has(read, 'issuer_id'))

crl = pki.read_crl(mount_point='pki_int')
with tempfile.TemporaryDirectory() as d:
    open(d + '/crl.pem', 'w').write(crl)
    text = subprocess.run(['openssl', 'crl', '-in', d + '/crl.pem', '-noout', '-text'], capture_output=True, text=True).stdout
check('read_crl is a PEM CRL listing the serial', crl.startswith('-----BEGIN X509 CRL-----') and serial.replace(':', '').upper() in text.replace(':', '').upper())
check('rotate_crl', pki.rotate_crl(mount_point='pki_int')['data'] == {'success': True})

pki.set_crl_configuration(expiry='48h', mount_point='pki_int')
crl_config = pki.read_crl_configuration(mount_point='pki_int')['data']
check('set_crl_configuration then read', crl_config['expiry'] == '48h' and crl_config['disable'] is False and crl_config['ocsp_expiry'] == '12h')

tidy = pki.tidy(extra_params={'tidy_cert_store': True, 'tidy_revoked_certs': True, 'safety_buffer': '1s'}, mount_point='pki_int')
check('tidy answers 202 Accepted with a warning', tidy.status_code == 202 and len(tidy.json()['warnings']) == 1)

pki.delete_role('web', mount_point='pki_int')
try:
    pki.read_role('web', mount_point='pki_int')
    check('delete_role', False)
except hvac.exceptions.InvalidPath:
    check('delete_role', True)

gone = pki.delete_root()
check('delete_root answers Vault\'s warning', any('DELETE /root' in w for w in (gone.get('warnings') if isinstance(gone, dict) else gone.json()['warnings'])))
try:
    pki.read_ca_certificate()
    check('no issuer after delete_root', pki.read_ca_certificate() == '')
except hvac.exceptions.VaultError:
    check('no issuer after delete_root', True)
sys.stdout.flush()
