#!/usr/bin/python3
"""hvac 0.11.2 against a two-node HA cluster whose standby serves reads (standby_reads), run by
ha-reads.test.ts with LOCKBOX_ACTIVE_URL, LOCKBOX_STANDBY_URL, LOCKBOX_TOKEN. The harness has
written secret/hvac-reads = {"k": "v"} and a transit key `app`, and waited for the standby.

Such a standby is Vault's performance standby: sys/health answers 473 (standbyok does not
cover it; performance_standby_code does), sys/leader says performance_standby.
Prints `ok - <what>` per check; the first failure prints `FAIL - <what>` and exits 1.
"""
import base64

from hacheck import ACTIVE, STANDBY, client, expect

leader = client(STANDBY).sys.read_leader_status()
expect("read_leader_status on the read-serving standby: performance_standby, not self, the active's address",
       (leader["performance_standby"], leader["is_self"], leader["leader_address"]), (True, False, ACTIVE))
expect("read_leader_status on the active: not a performance standby",
       client(ACTIVE).sys.read_leader_status()["performance_standby"], False)

health = client(STANDBY).sys.read_health_status(method="GET")
expect("read_health_status on the read-serving standby: 473, standby and performance_standby",
       (health.status_code, health.json()["standby"], health.json()["performance_standby"]), (473, True, True))
expect("read_health_status(standby_ok=True) on it: still 473, as on Vault's performance standbys",
       client(STANDBY).sys.read_health_status(method="GET", standby_ok=True).status_code, 473)
expect("read_health_status(performance_standby_code=200) on it: 200",
       client(STANDBY).sys.read_health_status(method="GET", performance_standby_code=200)["performance_standby"], True)
expect("read_health_status on the active: 200",
       client(ACTIVE).sys.read_health_status(method="GET")["performance_standby"], False)

read = client(STANDBY).secrets.kv.v2.read_secret_version(path="hvac-reads")
expect("a KV v2 read on the standby", read["data"]["data"], {"k": "v"})

plaintext = base64.b64encode(b"hvac through a standby").decode()
ciphertext = client(STANDBY).secrets.transit.encrypt_data(name="app", plaintext=plaintext)["data"]["ciphertext"]
decrypted = client(ACTIVE).secrets.transit.decrypt_data(name="app", ciphertext=ciphertext)["data"]["plaintext"]
expect("transit encrypt on the standby, decrypt on the active", decrypted, plaintext)

response = client(ACTIVE).sys.step_down()
expect("sys.step_down on the active: 204", response.status_code, 204)
