#!/usr/bin/python3
"""hvac 0.11.2 against a two-node HA cluster, run by ha.test.ts with:

  LOCKBOX_ACTIVE_URL, LOCKBOX_STANDBY_URL, LOCKBOX_TOKEN

Prints `ok - <what>` per check; the first failure prints `FAIL - <what>` and exits 1.
"""
from hacheck import ACTIVE, STANDBY, client, expect

leader = client(ACTIVE).sys.read_leader_status()
expect("read_leader_status on the active: ha_enabled, is_self, leader_address",
       (leader["ha_enabled"], leader["is_self"], leader["leader_address"]), (True, True, ACTIVE))
standby_leader = client(STANDBY).sys.read_leader_status()
expect("read_leader_status on the standby names the active node",
       (standby_leader["ha_enabled"], standby_leader["is_self"], standby_leader["leader_address"],
        standby_leader["active_time"]), (True, False, ACTIVE, "0001-01-01T00:00:00Z"))

expect("read_health_status on the active: 200",
       client(ACTIVE).sys.read_health_status(method="GET")["standby"], False)
health = client(STANDBY).sys.read_health_status(method="GET")
expect("read_health_status on the standby: 429, standby true",
       (health.status_code, health.json()["standby"]), (429, True))
expect("read_health_status(standby_ok=True) on the standby: 200",
       client(STANDBY).sys.read_health_status(method="GET", standby_ok=True)["standby"], True)

client(STANDBY).secrets.kv.v2.create_or_update_secret(path="hvac-ha", secret={"k": "v"})
read = client(STANDBY).secrets.kv.v2.read_secret_version(path="hvac-ha")
expect("a KV write and read through the standby are served by the active node", read["data"]["data"], {"k": "v"})

response = client(ACTIVE).sys.step_down()
expect("sys.step_down on the active: 204", response.status_code, 204)
