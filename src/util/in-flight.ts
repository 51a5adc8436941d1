// The requests a server is answering right now, for sys/in-flight-req. The HTTP layer records
// each request from arrival to answer; the system backend reads the table. One table per
// server (keyed by its core), so servers sharing a process do not see each other's requests.

/** What Vault reports for one request. */
export type InFlightRequest = {
  start_time: string;
  client_remote_address: string;
  request_path: string;
  request_method: string;
  client_id: string;
};

const tables = new WeakMap<object, Map<string, InFlightRequest>>();

/** The in-flight table of the server that `owner` (its core) belongs to. */
export function inFlightRequests(owner: object): Map<string, InFlightRequest> {
  let table = tables.get(owner);
  if (!table) tables.set(owner, (table = new Map()));
  return table;
}
