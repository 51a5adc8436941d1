// The one entry to @peculiar/x509: version 2.2 throws at load unless reflect-metadata comes
// first, so every module of the engine imports the library through here. WebCrypto is Node's.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
