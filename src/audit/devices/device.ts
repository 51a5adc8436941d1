// What every audit device type implements. A device is told lines, not records: formatting
// and hashing happen once in the broker, so a device only has to get bytes somewhere durable.

/** An open audit device. `write` resolves only once the line is recorded, else rejects. */
export interface AuditDevice {
  write(line: string): Promise<void>;
  /** Closes and reopens the underlying file or connection (SIGHUP, log rotation). */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

/** Opens a device of one type from its (string) options; throws BadRequest when it cannot. */
export type DeviceFactory = (options: Record<string, string>) => Promise<AuditDevice>;

/** The errno-style code of an error, for messages that must not quote anything else. */
export function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.name : 'unknown error';
}
