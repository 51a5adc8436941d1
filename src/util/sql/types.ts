// The one interface every database driver offers. It knows nothing of the engine's storage or
// paths, so other engines (AWS Secrets Manager rotation) can reuse it: give it connection
// settings, get back user management with each database's default statements.

/** How to reach a database and as whom. */
export type ConnectionSettings = {
  /** Template: `{{username}}` and `{{password}}` are filled in from the two fields below. */
  connectionUrl: string;
  username: string;
  password: string;
  /** Fill the URL's templates verbatim instead of URL-escaping them. */
  disableEscaping: boolean;
  maxOpenConnections: number;
  maxIdleConnections: number;
  /** Seconds; 0 = connections live for ever. */
  maxConnectionLifetime: number;
  /** PEM texts; empty = not used. */
  tls: { ca: string; certificate: string; privateKey: string };
};

/** Values statements may name as `{{name}}`, `{{username}}`, `{{password}}`, `{{expiration}}`. */
export type StatementValues = { username: string; password?: string; expiration?: Date };

/** An open, pooled connection to one database. */
export interface DatabaseConnection {
  /** Succeeds once a round trip to the server has worked. */
  verify(): Promise<void>;
  /** Creates a user with the given statements; on failure nothing of the user is left behind. */
  createUser(statements: string[], rollback: string[], values: StatementValues & { password: string; expiration: Date }): Promise<void>;
  /** Extends a user's validity; empty statements = the database's default (none for MySQL). */
  renewUser(statements: string[], values: StatementValues & { expiration: Date }): Promise<void>;
  /** Drops a user; empty statements = the database's default revocation. */
  dropUser(statements: string[], values: StatementValues): Promise<void>;
  /** Sets a user's password; empty statements = the database's default. */
  setPassword(statements: string[], values: StatementValues & { password: string }): Promise<void>;
  close(): Promise<void>;
}

/** One database product: its plugin names, limits and how to connect. */
export type DatabaseDriver = {
  /** The longest username the database accepts (templates are truncated to it). */
  usernameLimit: number;
  /** Vault's default username template for this plugin. */
  defaultUsernameTemplate: string;
  connect(settings: ConnectionSettings): DatabaseConnection;
};
