// The requests a server is answering right now, for sys/in-flight-req. The HTTP layer records
// each request from arrival to answer; the system backend reads the table. One table per
// server (keyed by its core), so servers sharing a process do not see each other's requests.

/** What the HTTP layer records when a request arrives (cheap: no formatting on the hot path). */
export type InFlightEntry = { started: number; method: string; url: string; remoteAddress: string; remotePort: number };

/** What Vault reports for one request. */
export type InFlightRequest = {
  start_time: string;
  client_remote_address: string;
  request_path: string;
  request_method: string;
  client_id: string;
};

/**
 * The requests in flight, in slots that are reused: an entry comes and goes with every request,
 * and a Map keyed by request id hashed each id and churned its table on every one.
 */
export class InFlightTable {
  readonly #slots: Array<{ id: string; entry: InFlightEntry } | undefined> = [];
  readonly #free: number[] = [];

  /** Records a request; the slot number it returns removes it. */
  add(id: string, entry: InFlightEntry): number {
    const slot = this.#free.pop() ?? this.#slots.length;
    this.#slots[slot] = { id, entry };
    return slot;
  }

  remove(slot: number): void {
    this.#slots[slot] = undefined;
    this.#free.push(slot);
  }

  /** The requests in flight now, by request id. */
  *[Symbol.iterator](): IterableIterator<[string, InFlightEntry]> {
    for (const s of this.#slots) if (s !== undefined) yield [s.id, s.entry];
  }
}

const tables = new WeakMap<object, InFlightTable>();

/** The in-flight table of the server that `owner` (its core) belongs to. */
export function inFlightRequests(owner: object): InFlightTable {
  let table = tables.get(owner);
  if (!table) tables.set(owner, (table = new InFlightTable()));
  return table;
}

/** One entry in Vault's shape. */
export function describeInFlight(e: InFlightEntry): InFlightRequest {
  const host = e.remoteAddress.includes(':') ? `[${e.remoteAddress}]` : e.remoteAddress;
  return {
    start_time: new Date(e.started).toISOString(), client_remote_address: `${host}:${e.remotePort}`,
    request_path: e.url.split('?')[0] as string, request_method: e.method, client_id: '',
  };
}
