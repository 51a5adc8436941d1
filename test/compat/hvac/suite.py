#!/usr/bin/python3
"""Lockbox driven by hvac 0.11.2 (Debian's python3-hvac), the way a Python application uses it.

Run by hvac.test.ts, which starts the servers and passes them in the environment:

  LOCKBOX_URL, LOCKBOX_TOKEN   a dev server (kv-v2 at secret/) and its root token
  LOCKBOX_FRESH_URL            an uninitialised server, for the `seal` section
  LOCKBOX_REKEY_URL            another uninitialised server, for the `rekey` section
  LOCKBOX_AUDIT_DIR            a writable directory, for the `audit` section

Usage: /usr/bin/python3 suite.py SECTION...   (no SECTION: all of them, in order)

Each check prints one line, `ok - <section>: <what>`. The first failure prints
`FAIL - <section>: <what>` with hvac's exception text (or the mismatch) and exits 1.

Responses are read the way a Python app reads them: hvac's JSONAdapter returns the decoded
body (a dict) for a 200 and the `requests.Response` for anything else (204, 202, or a health
status code), and raises hvac.exceptions.* for errors: 400 InvalidRequest, 403 Forbidden,
404 InvalidPath, 503 VaultDown.
"""
import json
import os
import sys
import traceback

import hvac
from hvac import exceptions

CHECKS = []


def check(section, what):
    """Registers a check; checks run in the order they are declared."""
    def register(fn):
        CHECKS.append((section, what, fn))
        return fn
    return register


class Mismatch(AssertionError):
    pass


def eq(actual, expected, what="value"):
    if actual != expected:
        raise Mismatch("{}: expected {!r}, got {!r}".format(what, expected, actual))


def true(cond, what):
    if not cond:
        raise Mismatch(what)


def raises(exc_type, fn, *args, **kwargs):
    """Calls fn and returns the hvac exception it must raise."""
    try:
        result = fn(*args, **kwargs)
    except exc_type as err:
        return err
    raise Mismatch("expected {} but the call returned {!r}".format(exc_type.__name__, result))


def status_of(response, expected):
    """A non-200 answer comes back as a requests.Response."""
    eq(getattr(response, "status_code", None), expected, "status code")


def client(token=None, url=None):
    return hvac.Client(url=url or os.environ["LOCKBOX_URL"], token=token)


def root():
    return client(os.environ["LOCKBOX_TOKEN"])


# Values shared between the checks of a section.
state = {}

READER_HCL = 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n'

# --------------------------------------------------------------------------------------------
# seal: init, unseal, seal-status, health, key rotation and seal on a fresh server
# --------------------------------------------------------------------------------------------


def fresh(token=None):
    return client(token, os.environ["LOCKBOX_FRESH_URL"])


@check("seal", "sys.is_initialized() is False and GET sys/health answers 501 on a new server")
def _():
    c = fresh()
    eq(c.sys.is_initialized(), False, "is_initialized")
    health = c.sys.read_health_status(method="GET")
    status_of(health, 501)
    eq(health.json()["initialized"], False, "health initialized")
    # hvac's default is HEAD: only the status code.
    status_of(c.sys.read_health_status(), 501)


@check("seal", "Client.ha_status (sys/leader) answers without a token, even before init: HA is not enabled")
def _():
    leader = fresh().ha_status
    eq((leader["ha_enabled"], leader["is_self"], leader["leader_address"]), (False, False, ""), "sys/leader")


@check("seal", "sys.initialize returns keys, keys_base64 and root_token")
def _():
    result = fresh().sys.initialize(secret_shares=3, secret_threshold=2)
    eq(len(result["keys"]), 3, "number of keys")
    eq(len(result["keys_base64"]), 3, "number of base64 keys")
    true(result["root_token"].startswith("hvs."), "root token has Vault's hvs. prefix")
    state["init"] = result
    err = raises(exceptions.InvalidRequest, fresh().sys.initialize, secret_shares=1, secret_threshold=1)
    eq(err.errors, ["Vault is already initialized"], "second initialize")


@check("seal", "sys.read_seal_status and submit_unseal_key show progress toward the threshold")
def _():
    c = fresh()
    s = c.sys.read_seal_status()
    eq((s["sealed"], s["t"], s["n"], s["progress"]), (True, 2, 3, 0), "sealed, t, n, progress")
    eq(c.seal_status["sealed"], True, "Client.seal_status")
    s = c.sys.submit_unseal_key(key=state["init"]["keys"][0])
    eq((s["sealed"], s["progress"]), (True, 1), "after one share")
    s = c.sys.submit_unseal_key(reset=True)
    eq(s["progress"], 0, "after reset")


@check("seal", "sys.submit_unseal_keys unseals; health is 200 and the root token authenticates")
def _():
    c = fresh()
    s = c.sys.submit_unseal_keys(state["init"]["keys_base64"][1:])
    eq(s["sealed"], False, "sealed after threshold shares")
    eq(c.sys.is_sealed(), False, "is_sealed")
    health = c.sys.read_health_status(method="GET")
    eq((health["initialized"], health["sealed"], health["standby"]), (True, False, False), "health")
    true(isinstance(health["server_time_utc"], int), "server_time_utc is an integer")
    status_of(c.sys.read_health_status(), 200)
    # hvac puts Python booleans in the query string as True/False (Go's ParseBool accepts them).
    status_of(c.sys.read_health_status(method="GET", standby_ok=True, active_code=299), 299)
    c.token = state["init"]["root_token"]
    eq(c.is_authenticated(), True, "is_authenticated")


@check("seal", "key status and sys.rotate_encryption_key")
def _():
    c = fresh(state["init"]["root_token"])
    term = c.key_status["term"]
    status_of(c.sys.rotate_encryption_key(), 204)
    eq(c.sys.get_encryption_key_status()["data"]["term"], term + 1, "term after rotation")


@check("seal", "sys.seal: authenticated calls then raise VaultDown; unsealing again restores them")
def _():
    c = fresh(state["init"]["root_token"])
    status_of(c.sys.seal(), 204)
    eq(c.sys.is_sealed(), True, "is_sealed")
    err = raises(exceptions.VaultDown, c.auth.token.lookup_self)
    eq(err.errors, ["Vault is sealed"], "sealed error")
    health = c.sys.read_health_status(method="GET")
    status_of(health, 503)
    c.sys.submit_unseal_keys(state["init"]["keys"][:2])
    eq(c.auth.token.lookup_self()["data"]["policies"], ["root"], "root token policies")


# --------------------------------------------------------------------------------------------
# tokens: auth.token.* and the older Client token methods
# --------------------------------------------------------------------------------------------


@check("tokens", "auth.token.create answers an auth block with Vault's types")
def _():
    r = root().auth.token.create(policies=["default"], ttl="1h", meta={"app": "billing"}, display_name="billing")
    auth = r["auth"]
    true(auth["client_token"].startswith("hvs."), "client_token prefix")
    eq(auth["policies"], ["default"], "policies")
    eq(auth["token_policies"], ["default"], "token_policies")
    eq(auth["metadata"], {"app": "billing"}, "metadata")
    eq(auth["lease_duration"], 3600, "lease_duration")
    eq(auth["renewable"], True, "renewable")
    eq(auth["orphan"], False, "orphan")
    eq(r["data"], None, "data")
    state["token"] = auth


@check("tokens", "auth.token.lookup, lookup_self and lookup_accessor")
def _():
    t = state["token"]
    data = root().auth.token.lookup(t["client_token"])["data"]
    eq(data["id"], t["client_token"], "id")
    eq(data["accessor"], t["accessor"], "accessor")
    eq(data["display_name"], "token-billing", "display_name")
    eq(data["meta"], {"app": "billing"}, "meta")
    eq(data["creation_ttl"], 3600, "creation_ttl")
    true(isinstance(data["ttl"], int) and 3590 < data["ttl"] <= 3600, "ttl is an integer near 3600")
    true(isinstance(data["expire_time"], str), "expire_time is a string")
    self_data = client(t["client_token"]).auth.token.lookup_self()["data"]
    eq(self_data["id"], t["client_token"], "lookup_self id")
    by_accessor = root().auth.token.lookup_accessor(t["accessor"])["data"]
    eq(by_accessor["id"], "", "an accessor lookup hides the token")
    eq(by_accessor["display_name"], "token-billing", "lookup_accessor display_name")
    # Vault answers a lookup of an unknown token with 403 "bad token".
    err = raises(exceptions.Forbidden, root().auth.token.lookup, "hvs.not-a-token")
    eq(err.errors, ["bad token"], "unknown token")


@check("tokens", "auth.token.renew, renew_self and renew_accessor answer auth blocks")
def _():
    t = state["token"]
    r = root().auth.token.renew(t["client_token"], increment="2h")
    eq(r["auth"]["client_token"], t["client_token"], "renew client_token")
    eq(r["auth"]["lease_duration"], 7200, "renew lease_duration")
    r = client(t["client_token"]).auth.token.renew_self(increment=600)
    eq(r["auth"]["lease_duration"], 600, "renew_self lease_duration")
    r = root().auth.token.renew_accessor(t["accessor"], increment="30m")
    eq(r["auth"]["lease_duration"], 1800, "renew_accessor lease_duration")
    eq(r["auth"]["client_token"], "", "renew_accessor does not reveal the token")


@check("tokens", "auth.token.list_accessors sends LIST and finds the token")
def _():
    keys = root().auth.token.list_accessors()["data"]["keys"]
    true(state["token"]["accessor"] in keys, "accessor listed")
    err = raises(exceptions.Forbidden, client(state["token"]["client_token"]).auth.token.list_accessors)
    eq(err.errors, ["permission denied"], "non-sudo list_accessors")


@check("tokens", "auth.token.revoke, revoke_accessor, revoke_and_orphan_children and revoke_self")
def _():
    r = root()
    r.sys.create_or_update_policy("token-parent", 'path "auth/token/create" { capabilities = ["update"] }')

    def make():
        return r.auth.token.create(policies=["token-parent"])["auth"]

    a = make()
    status_of(r.auth.token.revoke(a["client_token"]), 204)
    raises(exceptions.Forbidden, r.auth.token.lookup, a["client_token"])
    # Revoking is idempotent; renewing or orphan-revoking a gone token is a 400.
    status_of(r.auth.token.revoke(a["client_token"]), 204)
    err = raises(exceptions.InvalidRequest, r.auth.token.renew, a["client_token"])
    eq(err.errors, ["token not found"], "renew of a revoked token")
    err = raises(exceptions.InvalidRequest, r.auth.token.revoke_and_orphan_children, a["client_token"])
    eq(err.errors, ["token to revoke not found"], "revoke-orphan of a revoked token")

    b = make()
    r.auth.token.revoke_accessor(b["accessor"])
    raises(exceptions.Forbidden, client(b["client_token"]).auth.token.lookup_self)

    parent = make()
    child = client(parent["client_token"]).auth.token.create()["auth"]
    eq(child["policies"], ["default", "token-parent"], "a child inherits its parent's policies")
    r.auth.token.revoke_and_orphan_children(parent["client_token"])
    eq(client(child["client_token"]).auth.token.lookup_self()["data"]["orphan"], True, "child is an orphan")

    c = client(make()["client_token"])
    c.auth.token.revoke_self()
    eq(c.is_authenticated(), False, "is_authenticated after revoke_self")


@check("tokens", "token roles: create_or_update_role, read_role, list_roles (LIST), create against it, delete_role")
def _():
    r = root()
    r.auth.token.create_or_update_role("ci", allowed_policies=["default", "ci"], orphan=True)
    role = r.auth.token.read_role("ci")["data"]
    # Vault sanitises the list: lower-case, de-duplicated, sorted.
    eq(role["allowed_policies"], ["ci", "default"], "allowed_policies")
    eq(role["orphan"], True, "orphan")
    eq(r.auth.token.list_roles()["data"]["keys"], ["ci"], "list_roles")
    auth = r.auth.token.create(role_name="ci", policies=["ci"])["auth"]
    eq(auth["policies"], ["ci", "default"], "role token policies")
    eq(auth["orphan"], True, "role token orphan")
    status_of(r.auth.token.delete_role("ci"), 204)
    raises(exceptions.InvalidPath, r.auth.token.read_role, "ci")
    raises(exceptions.InvalidPath, r.auth.token.list_roles)


@check("tokens", "the older Client methods: create_token, lookup_token, renew_token, revoke_token")
def _():
    r = root()
    auth = r.create_token(policies=["default"], ttl="10m", meta={"k": "v"})["auth"]
    eq(auth["lease_duration"], 600, "create_token lease_duration")
    eq(r.lookup_token(auth["client_token"])["data"]["meta"], {"k": "v"}, "lookup_token meta")
    eq(r.lookup_token(auth["accessor"], accessor=True)["data"]["accessor"], auth["accessor"], "lookup by accessor")
    eq(r.lookup_token()["data"]["policies"], ["root"], "lookup_token() is lookup-self")
    eq(r.renew_token(auth["client_token"], increment=1200)["auth"]["lease_duration"], 1200, "renew_token")
    r.revoke_token(auth["accessor"], accessor=True)
    eq(client(auth["client_token"]).is_authenticated(), False, "revoked token is not authenticated")
    eq(client("hvs.bogus").is_authenticated(), False, "unknown token is not authenticated")


# --------------------------------------------------------------------------------------------
# policies and capabilities
# --------------------------------------------------------------------------------------------


@check("policies", "sys.create_or_update_policy (HCL) and read_policy; Client.get_policy parses with pyhcl")
def _():
    r = root()
    status_of(r.sys.create_or_update_policy("reader", READER_HCL), 204)
    eq(r.sys.read_policy("reader")["data"]["rules"], READER_HCL, "read_policy rules")
    eq(r.get_policy("reader"), READER_HCL, "get_policy")
    parsed = r.get_policy("reader", parse=True)
    eq(parsed["path"]["secret/data/app/*"]["capabilities"], ["read", "list"], "parsed policy")
    eq(r.get_policy("no-such-policy"), None, "get_policy of a missing policy")


@check("policies", "a policy given as a dict is sent as JSON and read back as written")
def _():
    r = root()
    policy = {"path": {"secret/data/json/*": {"capabilities": ["read"]}}}
    r.sys.create_or_update_policy("json-reader", policy)
    eq(json.loads(r.sys.read_policy("json-reader")["data"]["rules"]), policy, "JSON policy round trip")


@check("policies", "sys.list_policies, LIST sys/policies/acl, and delete_policy")
def _():
    r = root()
    listed = r.sys.list_policies()
    for key in ("policies", "keys"):
        true({"reader", "default", "root"} <= set(listed["data"][key]), "data.{} lists the policies".format(key))
        true("reader" in listed[key], "{} at the top level".format(key))
    acl = r.adapter.list("/v1/sys/policies/acl")["data"]["keys"]
    true("reader" in acl, "LIST sys/policies/acl")
    eq(r.list("sys/policies/acl")["data"]["keys"], acl, "GET sys/policies/acl?list=True")
    eq(r.read("sys/policies/acl/reader")["data"]["policy"], READER_HCL, "sys/policies/acl/<name>")
    status_of(r.sys.delete_policy("reader"), 204)
    raises(exceptions.InvalidPath, r.sys.read_policy, "reader")
    err = raises(exceptions.InvalidRequest, r.sys.create_or_update_policy, "broken", 'path "x" { capabilities = ')
    true("failed to parse policy" in str(err), "parse error names the problem: " + str(err))


@check("policies", "sys.get_capabilities for a token, an accessor and the caller")
def _():
    r = root()
    r.sys.create_or_update_policy("app-reader", READER_HCL)
    auth = r.auth.token.create(policies=["app-reader"])["auth"]
    caps = r.sys.get_capabilities(["secret/data/app/db", "sys/mounts"], token=auth["client_token"])
    eq(caps["data"]["secret/data/app/db"], ["list", "read"], "token capabilities")
    eq(caps["data"]["sys/mounts"], ["deny"], "denied path")
    caps = r.sys.get_capabilities(["secret/data/app/db"], accessor=auth["accessor"])
    eq(caps["capabilities"], ["list", "read"], "accessor capabilities")
    caps = client(auth["client_token"]).sys.get_capabilities(["secret/data/app/x"])
    eq(caps["data"]["capabilities"], ["list", "read"], "self capabilities")


# --------------------------------------------------------------------------------------------
# mounts: secrets engines and auth methods
# --------------------------------------------------------------------------------------------


@check("mounts", "sys.enable_secrets_engine (hvac sends config/plugin_name as null) and list_mounted_secrets_engines")
def _():
    r = root()
    status_of(r.sys.enable_secrets_engine("kv", path="apps", description="app secrets", options={"version": "2"}), 204)
    mounts = r.sys.list_mounted_secrets_engines()
    apps = mounts["data"]["apps/"]
    eq(apps["type"], "kv", "type")
    eq(apps["description"], "app secrets", "description")
    eq(apps["options"], {"version": "2"}, "options")
    true(isinstance(apps["config"]["default_lease_ttl"], int), "config.default_lease_ttl is an integer")
    eq(mounts["apps/"]["type"], "kv", "the mount at the top level too")
    eq(r.sys.retrieve_mount_option("apps", "version"), "2", "retrieve_mount_option")
    eq(r.sys.retrieve_mount_option("sys", "version", "none"), "none", "a mount without options")
    err = raises(exceptions.InvalidRequest, r.sys.enable_secrets_engine, "kv", path="apps")
    eq(err.errors, ["path is already in use at apps/"], "mounting twice")


@check("mounts", "sys.read_mount_configuration and tune_mount_configuration")
def _():
    r = root()
    r.sys.tune_mount_configuration("apps", default_lease_ttl="30m", max_lease_ttl=7200, description="tuned")
    conf = r.sys.read_mount_configuration("apps")
    eq((conf["data"]["default_lease_ttl"], conf["data"]["max_lease_ttl"]), (1800, 7200), "tuned TTLs")
    eq(conf["data"]["description"], "tuned", "tuned description")
    eq(conf["default_lease_ttl"], 1800, "tune values at the top level too")
    err = raises(exceptions.InvalidRequest, r.sys.tune_mount_configuration, "apps", default_lease_ttl="3h")
    true("max lease TTL" in str(err), "default above max is refused: " + str(err))


@check("mounts", "sys.move_backend moves the data; disable_secrets_engine removes the mount")
def _():
    r = root()
    r.secrets.kv.v2.create_or_update_secret("moved", {"k": "v"}, mount_point="apps")
    moved = r.sys.move_backend("apps", "apps2")
    true(isinstance(moved["data"]["migration_id"], str), "move_backend answers a migration_id")
    eq(r.secrets.kv.v2.read_secret_version("moved", mount_point="apps2")["data"]["data"], {"k": "v"}, "data after move")
    status_of(r.sys.disable_secrets_engine("apps2"), 204)
    true("apps2/" not in r.sys.list_mounted_secrets_engines()["data"], "unmounted")


@check("mounts", "sys.list_auth_methods, read_auth_method_tuning, tune_auth_method; unknown methods are refused")
def _():
    r = root()
    methods = r.sys.list_auth_methods()
    eq(methods["data"]["token/"]["type"], "token", "token auth method")
    eq(methods["token/"]["type"], "token", "at the top level too")
    r.sys.tune_auth_method("token", description="tokens", audit_non_hmac_request_keys=["display_name"])
    tuning = r.sys.read_auth_method_tuning("token")["data"]
    eq(tuning["description"], "tokens", "auth tune description")
    # hvac sends the list comma-joined; Vault stores and returns a list.
    eq(tuning["audit_non_hmac_request_keys"], ["display_name"], "audit_non_hmac_request_keys")
    true(isinstance(tuning["default_lease_ttl"], int), "auth default_lease_ttl is an integer")
    err = raises(exceptions.InvalidRequest, r.sys.enable_auth_method, "no-such-method")
    true("no-such-method" in str(err), "the error names the plugin: " + str(err))
    status_of(r.sys.disable_auth_method("never-enabled"), 204)


# --------------------------------------------------------------------------------------------
# kv2: secrets.kv.v2.* on the dev server's secret/ mount
# --------------------------------------------------------------------------------------------


@check("kv2", "create_or_update_secret and read_secret_version: response['data']['data']")
def _():
    kv = root().secrets.kv.v2
    written = kv.create_or_update_secret("app/db", {"username": "app", "password": "s3cret"})
    eq(written["data"]["version"], 1, "version")
    eq(written["data"]["destroyed"], False, "destroyed")
    eq(written["data"]["deletion_time"], "", "deletion_time")
    read = kv.read_secret_version("app/db")
    eq(read["data"]["data"], {"username": "app", "password": "s3cret"}, "secret")
    eq(read["data"]["metadata"]["version"], 1, "metadata.version")
    eq((read["lease_id"], read["lease_duration"], read["renewable"]), ("", 0, False), "no lease on KV")
    # The default engine version of secrets.kv is 2.
    eq(root().secrets.kv.read_secret_version("app/db")["data"]["data"]["username"], "app", "secrets.kv default")
    raises(exceptions.InvalidPath, kv.read_secret_version, "app/missing")


@check("kv2", "check-and-set, read by version, and hvac's patch (read, merge, write with cas)")
def _():
    kv = root().secrets.kv.v2
    eq(kv.create_or_update_secret("app/db", {"username": "app", "password": "new"}, cas=1)["data"]["version"], 2, "cas write")
    err = raises(exceptions.InvalidRequest, kv.create_or_update_secret, "app/db", {"x": 1}, cas=1)
    eq(err.errors, ["check-and-set parameter did not match the current version"], "stale cas")
    eq(kv.read_secret_version("app/db", version=1)["data"]["data"]["password"], "s3cret", "version 1")
    eq(kv.patch("app/db", {"port": 5432})["data"]["version"], 3, "patched version")
    eq(kv.read_secret_version("app/db")["data"]["data"], {"username": "app", "password": "new", "port": 5432}, "patched data")


@check("kv2", "list_secrets sends LIST on metadata/; Client.list sends GET ?list=True")
def _():
    kv = root().secrets.kv.v2
    kv.create_or_update_secret("app/cache", {"url": "redis://"})
    kv.create_or_update_secret("app/sub/inner", {"a": "b"})
    eq(kv.list_secrets("app")["data"]["keys"], ["cache", "db", "sub/"], "list_secrets")
    true("app/" in kv.list_secrets("")["data"]["keys"], "list the mount's top level")
    eq(root().list("secret/metadata/app")["data"]["keys"], ["cache", "db", "sub/"], "Client.list")
    raises(exceptions.InvalidPath, kv.list_secrets, "nothing-here")
    eq(root().list("secret/metadata/nothing-here"), None, "Client.list of an empty folder")


@check("kv2", "read_secret_metadata and update_metadata (hvac always sends delete_version_after)")
def _():
    kv = root().secrets.kv.v2
    meta = kv.read_secret_metadata("app/db")["data"]
    eq(meta["current_version"], 3, "current_version")
    eq(sorted(meta["versions"].keys()), ["1", "2", "3"], "versions keyed by strings")
    eq(meta["delete_version_after"], "0s", "delete_version_after")
    eq(meta["custom_metadata"], None, "custom_metadata")
    status_of(kv.update_metadata("app/db", max_versions=5, cas_required=False, delete_version_after="1h"), 204)
    meta = kv.read_secret_metadata("app/db")["data"]
    eq((meta["max_versions"], meta["cas_required"], meta["delete_version_after"]), (5, False, "1h0m0s"), "updated metadata")
    kv.update_metadata("app/db")
    eq(kv.read_secret_metadata("app/db")["data"]["max_versions"], 5, "a partial update keeps max_versions")


@check("kv2", "delete_latest_version_of_secret, undelete_secret_versions, delete_secret_versions, destroy_secret_versions")
def _():
    kv = root().secrets.kv.v2
    status_of(kv.delete_latest_version_of_secret("app/db"), 204)
    raises(exceptions.InvalidPath, kv.read_secret_version, "app/db")
    kv.undelete_secret_versions("app/db", [3])
    eq(kv.read_secret_version("app/db")["data"]["metadata"]["version"], 3, "undeleted")
    kv.delete_secret_versions("app/db", [1])
    kv.destroy_secret_versions("app/db", [2])
    versions = kv.read_secret_metadata("app/db")["data"]["versions"]
    true(versions["1"]["deletion_time"] != "", "version 1 deleted")
    eq(versions["2"]["destroyed"], True, "version 2 destroyed")
    raises(exceptions.InvalidPath, kv.read_secret_version, "app/db", version=2)
    err = raises(exceptions.ParamValidationError, kv.destroy_secret_versions, "app/db", [])
    true("versions" in str(err), "hvac itself refuses an empty list")


@check("kv2", "delete_metadata_and_all_versions; configure and read_configuration on a new kv-v2 mount")
def _():
    r = root()
    kv = r.secrets.kv.v2
    status_of(kv.delete_metadata_and_all_versions("app/db"), 204)
    raises(exceptions.InvalidPath, kv.read_secret_metadata, "app/db")
    r.sys.enable_secrets_engine("kv-v2", path="kv2cfg")
    kv.configure(max_versions=4, cas_required=True, mount_point="kv2cfg")
    conf = kv.read_configuration(mount_point="kv2cfg")["data"]
    eq((conf["max_versions"], conf["cas_required"], conf["delete_version_after"]), (4, True, "0s"), "config")
    err = raises(exceptions.InvalidRequest, kv.create_or_update_secret, "x", {"a": 1}, mount_point="kv2cfg")
    eq(err.errors, ["check-and-set parameter required for this call"], "cas_required")
    eq(kv.create_or_update_secret("x", {"a": 1}, cas=0, mount_point="kv2cfg")["data"]["version"], 1, "cas=0 creates")


@check("kv2", "the generic Client.write, read and delete on data/ paths")
def _():
    r = root()
    eq(r.write("secret/data/generic", data={"k": "v"})["data"]["version"], 1, "Client.write")
    eq(r.read("secret/data/generic")["data"]["data"], {"k": "v"}, "Client.read")
    r.delete("secret/data/generic")
    eq(r.read("secret/data/generic"), None, "Client.read of a deleted secret")


# --------------------------------------------------------------------------------------------
# kv1: secrets.kv.v1.* on a kv version 1 mount
# --------------------------------------------------------------------------------------------


@check("kv1", "create_or_update_secret reads first (404) then POSTs; a second write PUTs")
def _():
    r = root()
    r.sys.enable_secrets_engine("kv", path="kv1", options={"version": "1"})
    kv = r.secrets.kv.v1
    status_of(kv.create_or_update_secret("app/config", {"url": "https://example.test", "retries": 3}, mount_point="kv1"), 204)
    status_of(kv.create_or_update_secret("app/config", {"url": "https://example.test", "retries": 4}, mount_point="kv1"), 204)
    read = kv.read_secret("app/config", mount_point="kv1")
    eq(read["data"], {"url": "https://example.test", "retries": 4}, "secret")
    eq((read["lease_id"], read["renewable"]), ("", False), "no lease")
    true(isinstance(read["lease_duration"], int), "lease_duration is an integer")


@check("kv1", "list_secrets (LIST), delete_secret, and reads of missing paths")
def _():
    r = root()
    kv = r.secrets.kv.v1
    kv.create_or_update_secret("app/other", {"a": "b"}, method="POST", mount_point="kv1")
    kv.create_or_update_secret("top", {"a": "b"}, method="PUT", mount_point="kv1")
    eq(kv.list_secrets("app", mount_point="kv1")["data"]["keys"], ["config", "other"], "list_secrets")
    eq(kv.list_secrets("", mount_point="kv1")["data"]["keys"], ["app/", "top"], "list the top level")
    status_of(kv.delete_secret("app/config", mount_point="kv1"), 204)
    raises(exceptions.InvalidPath, kv.read_secret, "app/config", mount_point="kv1")
    eq(r.read("kv1/app/config"), None, "Client.read of a missing secret")


@check("kv1", "a token limited by policy: reads allowed, other paths raise Forbidden")
def _():
    r = root()
    r.sys.create_or_update_policy("kv1-app", 'path "kv1/app/*" { capabilities = ["read", "list"] }')
    app = client(r.auth.token.create(policies=["kv1-app"])["auth"]["client_token"])
    eq(app.secrets.kv.v1.read_secret("app/other", mount_point="kv1")["data"], {"a": "b"}, "allowed read")
    err = raises(exceptions.Forbidden, app.secrets.kv.v1.read_secret, "top", mount_point="kv1")
    eq(err.errors, ["permission denied"], "denied read")
    raises(exceptions.Forbidden, app.secrets.kv.v1.create_or_update_secret, "app/x", {"a": 1}, method="POST", mount_point="kv1")


# --------------------------------------------------------------------------------------------
# cubbyhole: the token's private storage through the generic Client.write/read/list/delete
# --------------------------------------------------------------------------------------------


@check("cubbyhole", "each token sees only its own cubbyhole; Client.list sends GET ?list=True")
def _():
    r = root()
    mine = client(r.auth.token.create(policies=["default"])["auth"]["client_token"])
    other = client(r.auth.token.create(policies=["default"])["auth"]["client_token"])
    status_of(mine.write("cubbyhole/app/creds", password="p4ss"), 204)
    eq(mine.read("cubbyhole/app/creds")["data"], {"password": "p4ss"}, "own cubbyhole")
    eq(mine.list("cubbyhole/app")["data"]["keys"], ["creds"], "list")
    eq(mine.adapter.list("/v1/cubbyhole/app")["data"]["keys"], ["creds"], "LIST")
    eq(other.read("cubbyhole/app/creds"), None, "another token's cubbyhole is empty")
    mine.delete("cubbyhole/app/creds")
    eq(mine.read("cubbyhole/app/creds"), None, "deleted")


# --------------------------------------------------------------------------------------------
# wrapping: wrap_ttl on reads and writes, sys.unwrap
# --------------------------------------------------------------------------------------------


@check("wrapping", "Client.read(wrap_ttl=...) answers wrap_info; sys.unwrap(token) gives the response once")
def _():
    r = root()
    r.secrets.kv.v2.create_or_update_secret("handoff", {"api_key": "k-123"})
    wrapped = r.read("secret/data/handoff", wrap_ttl="5m")
    info = wrapped["wrap_info"]
    eq(wrapped["data"], None, "data of a wrapped response")
    eq((info["ttl"], info["creation_path"]), (300, "secret/data/handoff"), "wrap_info")
    looked = r.write("sys/wrapping/lookup", token=info["token"])["data"]
    eq(looked["creation_ttl"], 300, "sys/wrapping/lookup")
    unwrapped = r.sys.unwrap(info["token"])
    eq(unwrapped["data"]["data"], {"api_key": "k-123"}, "unwrapped secret")
    err = raises(exceptions.InvalidRequest, r.sys.unwrap, info["token"])
    eq(err.errors, ["wrapping token is not valid or does not exist"], "second unwrap")


@check("wrapping", "sys.unwrap() with the wrapping token as the client's token; Client.write to sys/wrapping/wrap")
def _():
    wrapped = root().write("sys/wrapping/wrap", wrap_ttl=60, db_password="pw")
    eq(wrapped["wrap_info"]["creation_path"], "sys/wrapping/wrap", "creation_path")
    receiver = client(wrapped["wrap_info"]["token"])
    eq(receiver.sys.unwrap()["data"], {"db_password": "pw"}, "unwrapped data")


@check("wrapping", "auth.token.create(wrap_ttl=...): the auth block arrives on unwrap; rewrap moves it")
def _():
    r = root()
    wrapped = r.auth.token.create(policies=["default"], wrap_ttl="2m")
    eq(wrapped["auth"], None, "auth of a wrapped create")
    info = wrapped["wrap_info"]
    rewrapped = r.adapter.post("/v1/sys/wrapping/rewrap", json={"token": info["token"]})["wrap_info"]
    raises(exceptions.InvalidRequest, r.sys.unwrap, info["token"])
    auth = r.sys.unwrap(rewrapped["token"])["auth"]
    eq(auth["accessor"], info["wrapped_accessor"], "wrapped_accessor")
    eq(client(auth["client_token"]).is_authenticated(), True, "unwrapped token works")


# --------------------------------------------------------------------------------------------
# leases: sys.*_lease on a test engine that issues renewable leases
# --------------------------------------------------------------------------------------------


@check("leases", "a leased read; sys.read_lease, list_leases (LIST) and renew_lease")
def _():
    r = root()
    r.sys.enable_secrets_engine("leasetest", path="creds")
    cred = r.read("creds/creds/app")
    true(cred["lease_id"].startswith("creds/creds/app/"), "lease_id under the path")
    eq(cred["renewable"], True, "renewable")
    true(isinstance(cred["lease_duration"], int) and cred["lease_duration"] > 0, "lease_duration")
    lease = r.sys.read_lease(cred["lease_id"])["data"]
    eq((lease["id"], lease["renewable"]), (cred["lease_id"], True), "read_lease")
    eq(r.sys.list_leases("creds/creds/app")["data"]["keys"], [cred["lease_id"].split("/")[-1]], "list_leases")
    renewed = r.sys.renew_lease(cred["lease_id"], increment=1200)
    eq((renewed["lease_id"], renewed["lease_duration"]), (cred["lease_id"], 1200), "renew_lease")
    state["lease"] = cred["lease_id"]


@check("leases", "sys.revoke_lease, revoke_prefix and revoke_force")
def _():
    r = root()
    status_of(r.sys.revoke_lease(state["lease"]), 204)
    raises(exceptions.InvalidRequest, r.sys.read_lease, state["lease"])
    r.read("creds/creds/batch")
    r.read("creds/creds/batch")
    status_of(r.sys.revoke_prefix("creds/creds/batch"), 204)
    raises(exceptions.InvalidPath, r.sys.list_leases, "creds/creds/batch")
    r.read("creds/creds/forced")
    status_of(r.sys.revoke_force("creds/creds/forced"), 204)


# --------------------------------------------------------------------------------------------
# audit: sys.enable_audit_device, list, calculate_hash, disable
# --------------------------------------------------------------------------------------------


@check("audit", "sys.enable_audit_device (file) and list_enabled_audit_devices")
def _():
    r = root()
    path = os.path.join(os.environ["LOCKBOX_AUDIT_DIR"], "audit.log")
    status_of(r.sys.enable_audit_device("file", description="to a file", options={"file_path": path}), 204)
    devices = r.sys.list_enabled_audit_devices()
    device = devices["data"]["file/"]
    eq((device["type"], device["description"], device["path"]), ("file", "to a file", "file/"), "device")
    eq(device["options"], {"file_path": path}, "options")
    eq(devices["file/"]["type"], "file", "the device at the top level too")
    state["audit_log"] = path


@check("audit", "requests are logged with secrets HMAC'd; sys.calculate_hash finds the logged value")
def _():
    r = root()
    r.secrets.kv.v2.create_or_update_secret("audited", {"password": "hunter2"})
    with open(state["audit_log"]) as f:
        text = f.read()
    true("hunter2" not in text, "the secret is not in the log in clear")
    hashed = r.sys.calculate_hash("file", "hunter2")["data"]["hash"]
    true(hashed.startswith("hmac-sha256:"), "hash format")
    true(hashed in text, "the logged HMAC is the one sys/audit-hash computes")
    records = [json.loads(line) for line in text.splitlines()]
    true(any(rec["type"] == "request" and rec["request"]["path"] == "secret/data/audited" for rec in records), "request logged")


@check("audit", "a device whose file cannot be opened is refused; sys.disable_audit_device")
def _():
    r = root()
    bad = os.path.join(os.environ["LOCKBOX_AUDIT_DIR"], "missing", "x.log")
    raises(exceptions.InvalidRequest, r.sys.enable_audit_device, "file", path="bad", options={"file_path": bad})
    status_of(r.sys.disable_audit_device("file"), 204)
    true("file/" not in r.sys.list_enabled_audit_devices()["data"], "disabled")


# --------------------------------------------------------------------------------------------
# rekey: new key shares (sys.start_rekey/rekey/rekey_multi) and a new root token
# (sys.start_root_token_generation/generate_root/cancel_root_generation) on a server of its own
# --------------------------------------------------------------------------------------------


def rekey_server(token=None):
    return client(token, os.environ["LOCKBOX_REKEY_URL"])


def decode_root(encoded, otp):
    raw = __import__("base64").b64decode(encoded + "=" * (-len(encoded) % 4))
    return bytes(b ^ ord(o) for b, o in zip(raw, otp)).decode()


@check("rekey", "sys.start_rekey, then rekey_multi with the current shares hands out new ones")
def _():
    c = rekey_server()
    init = c.sys.initialize(secret_shares=3, secret_threshold=2)
    state["root"] = init["root_token"]
    c.sys.submit_unseal_keys(init["keys"][:2])
    started = c.sys.start_rekey(secret_shares=4, secret_threshold=3)
    eq([started["started"], started["n"], started["t"], started["required"]], [True, 4, 3, 2], "rekey status")
    eq(c.sys.read_rekey_progress()["nonce"], started["nonce"], "nonce in progress")
    first = c.sys.rekey(init["keys"][0], nonce=started["nonce"])
    eq(first["progress"], 1, "progress after one share")
    done = c.sys.rekey_multi(init["keys"][1:], nonce=started["nonce"])
    eq(done["complete"], True, "complete")
    eq(len(done["keys"]), 4, "new shares")
    state["keys"] = done["keys"]


@check("rekey", "the old shares no longer unseal; three of the new ones do")
def _():
    c = rekey_server(state["root"])
    status_of(c.sys.seal(), 204)
    c.sys.submit_unseal_keys(state["keys"][:1])
    eq(c.sys.read_seal_status()["t"], 3, "new threshold")
    c.sys.submit_unseal_keys(state["keys"][1:3])
    eq(c.sys.is_sealed(), False, "unsealed with new shares")


@check("rekey", "a duplicate share raises InvalidRequest; cancel_rekey ends the attempt")
def _():
    c = rekey_server()
    started = c.sys.start_rekey(secret_shares=1, secret_threshold=1)
    c.sys.rekey(state["keys"][0], nonce=started["nonce"])
    err = raises(exceptions.InvalidRequest, c.sys.rekey, state["keys"][0], nonce=started["nonce"])
    eq(err.errors, ["given key has already been provided during this rekey operation"], "duplicate")
    status_of(c.sys.cancel_rekey(), 204)
    eq(c.sys.read_rekey_progress()["started"], False, "cancelled")


@check("rekey", "root token generation with the server's OTP; cancel_root_generation")
def _():
    c = rekey_server()
    start = c.sys.start_root_token_generation()
    eq(start["otp_length"], 28, "otp_length")
    otp = start["otp"]
    result = None
    for key in state["keys"][:3]:
        result = c.sys.generate_root(key, start["nonce"])
    eq(result["complete"], True, "complete")
    token = decode_root(result["encoded_token"], otp)
    eq(rekey_server(token).auth.token.lookup_self()["data"]["policies"], ["root"], "new root token")
    c.sys.start_root_token_generation(otp="B" * 28)
    eq(c.sys.read_root_generation_progress()["started"], True, "started with own OTP")
    status_of(c.sys.cancel_root_generation(), 204)
    eq(c.sys.read_root_generation_progress()["started"], False, "cancelled")


# --------------------------------------------------------------------------------------------
# transit: encryption as a service through hvac.secrets.transit
# --------------------------------------------------------------------------------------------


def b64(text):
    import base64
    return base64.b64encode(text.encode()).decode()


def transit():
    c = root()
    mounts = c.sys.list_mounted_secrets_engines()["data"]
    if "transit/" not in mounts:
        c.sys.enable_secrets_engine("transit", path="transit")
    return c.secrets.transit


@check("transit", "create_key, read_key, list_keys, encrypt_data and decrypt_data")
def _():
    t = transit()
    t.create_key("hvac-app")
    key = t.read_key("hvac-app")["data"]
    eq((key["type"], key["latest_version"], key["supports_encryption"]), ("aes256-gcm96", 1, True), "key read")
    true("hvac-app" in t.list_keys()["data"]["keys"], "list_keys names the key")
    ct = t.encrypt_data("hvac-app", b64("card 4111"))["data"]["ciphertext"]
    true(ct.startswith("vault:v1:"), "ciphertext framing")
    eq(t.decrypt_data("hvac-app", ct)["data"]["plaintext"], b64("card 4111"), "decrypted plaintext")
    err = raises(exceptions.InvalidRequest, t.decrypt_data, "hvac-app", "vault:v1:AAAA")
    true(len(err.errors) == 1, "one error text")


@check("transit", "rotate_key, rewrap_data, update_key_configuration(min_decryption_version) and trim_key")
def _():
    t = transit()
    old = t.encrypt_data("hvac-app", b64("pii"))["data"]["ciphertext"]
    t.rotate_key("hvac-app")
    new = t.rewrap_data("hvac-app", old)["data"]["ciphertext"]
    true(new.startswith("vault:v2:"), "rewrapped to v2")
    t.rotate_key("hvac-app")
    # hvac itself insists on min_encryption_version > min_decryption_version.
    t.update_key_configuration("hvac-app", min_decryption_version=2, min_encryption_version=3)
    err = raises(exceptions.InvalidRequest, t.decrypt_data, "hvac-app", old)
    eq(err.errors, ["ciphertext or signature version is disallowed by policy (too old)"], "old ciphertext refused")
    eq(t.decrypt_data("hvac-app", new)["data"]["plaintext"], b64("pii"), "rewrapped decrypts")
    trimmed = t.trim_key("hvac-app", min_version=2)
    eq(sorted(trimmed["data"]["keys"].keys()), ["2", "3"], "versions after trim")


@check("transit", "batch_input on encrypt_data and decrypt_data, with a bad item reported alone")
def _():
    t = transit()
    items = [{"plaintext": b64("a")}, {"plaintext": "%%%"}]
    # Vault answers a batch with a failed item 400 (the results still in the body), unless
    # partial_failure_response_code names another status; hvac 0.11.2 has no such argument.
    raises(exceptions.InvalidRequest, t.encrypt_data, "hvac-app", plaintext=None, batch_input=items)
    partial = root().adapter.post("/v1/transit/encrypt/hvac-app", json={"batch_input": items, "partial_failure_response_code": 200})
    results = partial["data"]["batch_results"]
    true("ciphertext" in results[0] and "error" in results[1], "per-item results")
    dec = t.decrypt_data("hvac-app", ciphertext=None, batch_input=[{"ciphertext": results[0]["ciphertext"]}])
    eq(dec["data"]["batch_results"][0]["plaintext"], b64("a"), "batch decrypt")


@check("transit", "sign_data and verify_signed_data (ed25519, ecdsa jws), generate_hmac, hash_data, generate_random_bytes")
def _():
    t = transit()
    t.create_key("hvac-ed", key_type="ed25519")
    sig = t.sign_data("hvac-ed", b64("doc"))["data"]["signature"]
    eq(t.verify_signed_data("hvac-ed", b64("doc"), signature=sig)["data"]["valid"], True, "ed25519 verify")
    eq(t.verify_signed_data("hvac-ed", b64("other"), signature=sig)["data"]["valid"], False, "ed25519 mismatch")
    t.create_key("hvac-ec", key_type="ecdsa-p256")
    jws = t.sign_data("hvac-ec", b64("doc"), marshaling_algorithm="jws")["data"]["signature"]
    eq(t.verify_signed_data("hvac-ec", b64("doc"), signature=jws, marshaling_algorithm="jws")["data"]["valid"], True, "jws verify")
    mac = t.generate_hmac("hvac-app", b64("doc"), algorithm="sha2-512")["data"]["hmac"]
    eq(t.verify_signed_data("hvac-app", b64("doc"), hmac=mac, hash_algorithm="sha2-512")["data"]["valid"], True, "hmac verify")
    import hashlib
    eq(t.hash_data(b64("abc"), algorithm="sha2-256")["data"]["sum"], hashlib.sha256(b"abc").hexdigest(), "hash")
    eq(len(t.generate_random_bytes(n_bytes=16, output_format="hex")["data"]["random_bytes"]), 32, "random hex")


@check("transit", "generate_data_key, export_key, backup_key, restore_key and delete_key")
def _():
    t = transit()
    t.create_key("hvac-bk", exportable=True, allow_plaintext_backup=True)
    dk = t.generate_data_key("hvac-bk", key_type="plaintext", bits=256)["data"]
    eq(t.decrypt_data("hvac-bk", dk["ciphertext"])["data"]["plaintext"], dk["plaintext"], "data key decrypts")
    exported = t.export_key("hvac-bk", key_type="encryption-key", version="latest")["data"]
    eq(list(exported["keys"].keys()), ["1"], "export latest")
    backup = t.backup_key("hvac-bk")["data"]["backup"]
    status_of(t.restore_key(backup, name="hvac-bk-restored"), 204)
    eq(t.decrypt_data("hvac-bk-restored", dk["ciphertext"])["data"]["plaintext"], dk["plaintext"], "restored key decrypts")
    raises(exceptions.InvalidRequest, t.delete_key, "hvac-bk")
    t.update_key_configuration("hvac-bk", deletion_allowed=True)
    status_of(t.delete_key("hvac-bk"), 204)
    raises(exceptions.InvalidPath, t.read_key, "hvac-bk")



# --------------------------------------------------------------------------------------------
# database: connections, roles, creds with lease renew/revoke, static roles (shared PostgreSQL)
# --------------------------------------------------------------------------------------------

DB_URL = "postgresql://{{username}}:{{password}}@127.0.0.1:5432/test?sslmode=disable"
DB_PREFIX = "hvac" + os.urandom(3).hex()


def database():
    c = root()
    if "database/" not in c.sys.list_mounted_secrets_engines()["data"]:
        c.sys.enable_secrets_engine("database", path="database")
    return c.secrets.database


@check("database", "configure, read_connection (no password), list_connections and reset_connection")
def _():
    d = database()
    d.configure("hvac-pg", "postgresql-database-plugin", allowed_roles=["hvac-dyn", "hvac-static"],
                connection_url=DB_URL, username="postgres", password="hvac-root-pw",
                username_template=DB_PREFIX + "-{{.RoleName}}-{{random 8 | lowercase}}")
    conn = d.read_connection("hvac-pg")["data"]
    eq(conn["plugin_name"], "postgresql-database-plugin", "plugin_name")
    eq(conn["connection_details"]["username"], "postgres", "connection_details.username")
    true("hvac-root-pw" not in json.dumps(conn), "no password in the read")
    true("hvac-pg" in d.list_connections()["data"]["keys"], "list_connections names it")
    status_of(d.reset_connection("hvac-pg"), 204)


@check("database", "create_role, read_role, list_roles and generate_credentials with a lease")
def _():
    d = database()
    d.create_role("hvac-dyn", "hvac-pg", ["CREATE ROLE \"{{name}}\" LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'"],
                  default_ttl="10m", max_ttl="1h")
    role = d.read_role("hvac-dyn")["data"]
    eq((role["db_name"], role["default_ttl"], role["max_ttl"]), ("hvac-pg", 600, 3600), "role fields")
    true("hvac-dyn" in d.list_roles()["data"]["keys"], "list_roles names it")
    creds = d.generate_credentials("hvac-dyn")
    true(creds["data"]["username"].startswith(DB_PREFIX + "-hvac-dyn-"), "generated username")
    eq((creds["lease_duration"], creds["renewable"]), (600, True), "lease")
    state["db_lease"] = creds["lease_id"]
    state["db_user"] = creds["data"]["username"]


@check("database", "sys.renew_lease and sys.revoke_lease on database creds")
def _():
    c = root()
    renewed = c.sys.renew_lease(state["db_lease"], increment=1200)
    eq((renewed["lease_id"], renewed["lease_duration"]), (state["db_lease"], 1200), "renewed lease")
    status_of(c.sys.revoke_lease(state["db_lease"]), 204)
    raises(exceptions.InvalidRequest, c.sys.read_lease, state["db_lease"])


@check("database", "create_static_role, get_static_credentials and rotate-role change the password")
def _():
    d = database()
    creds = d.generate_credentials("hvac-dyn")  # an existing user for the static role to take over
    d.create_static_role("hvac-static", "hvac-pg", creds["data"]["username"], [], rotation_period=3600)
    # hvac 0.11.2 has no read_static_role: read it through the adapter.
    static = root().adapter.get("/v1/database/static-roles/hvac-static")["data"]
    eq((static["username"], static["rotation_period"]), (creds["data"]["username"], 3600), "static role")
    first = d.get_static_credentials("hvac-static")["data"]
    eq((first["username"], first["rotation_period"]), (creds["data"]["username"], 3600), "static creds")
    true(first["password"] != creds["data"]["password"], "taking over rotated the password")
    status_of(root().adapter.post("/v1/database/rotate-role/hvac-static"), 204)
    second = d.get_static_credentials("hvac-static")["data"]
    true(second["password"] != first["password"], "rotate-role changed the password")
    true("hvac-static" in d.list_static_roles()["data"]["keys"], "list_static_roles names it")
    status_of(d.delete_static_role("hvac-static"), 204)
    status_of(root().sys.revoke_lease(creds["lease_id"]), 204)
    status_of(d.delete_role("hvac-dyn"), 204)
    status_of(d.delete_connection("hvac-pg"), 204)

# --------------------------------------------------------------------------------------------
# approle: enable, role CRUD, role-id, secret-ids, login and use of the token
# --------------------------------------------------------------------------------------------


@check("approle", "sys.enable_auth_method('approle') lists with its accessor and token type")
def _():
    r = root()
    status_of(r.sys.enable_auth_method("approle", path="hvac-approle"), 204)
    methods = r.sys.list_auth_methods()["data"]
    eq(methods["hvac-approle/"]["type"], "approle", "type")
    eq(methods["hvac-approle/"]["config"]["token_type"], "default-service", "token_type")
    r.sys.create_or_update_policy("hvac-app", READER_HCL)


@check("approle", "create_or_update_approle, read_role and list_roles")
def _():
    a = root().auth.approle
    status_of(a.create_or_update_approle("hvac-ci", token_policies=["hvac-app"], token_ttl="20m",
                                          token_max_ttl="1h", secret_id_num_uses=10, mount_point="hvac-approle"), 204)
    role = a.read_role("hvac-ci", mount_point="hvac-approle")["data"]
    eq(role["token_policies"], ["hvac-app"], "token_policies")
    eq(role["token_ttl"], 1200, "token_ttl")
    eq(role["secret_id_num_uses"], 10, "secret_id_num_uses")
    eq(role["bind_secret_id"], True, "bind_secret_id")
    eq(a.list_roles(mount_point="hvac-approle")["data"]["keys"], ["hvac-ci"], "list_roles")


@check("approle", "read_role_id, generate_secret_id with metadata, read_secret_id and accessors")
def _():
    a = root().auth.approle
    state["role_id"] = a.read_role_id("hvac-ci", mount_point="hvac-approle")["data"]["role_id"]
    gen = a.generate_secret_id("hvac-ci", metadata={"job": "build"}, mount_point="hvac-approle")["data"]
    state["secret_id"] = gen["secret_id"]
    eq(gen["secret_id_num_uses"], 10, "num uses")
    looked = a.read_secret_id("hvac-ci", gen["secret_id"], mount_point="hvac-approle")["data"]
    eq(looked["metadata"], {"job": "build"}, "metadata")
    eq(looked["secret_id_accessor"], gen["secret_id_accessor"], "accessor")
    keys = a.list_secret_id_accessors("hvac-ci", mount_point="hvac-approle")["data"]["keys"]
    true(gen["secret_id_accessor"] in keys, "accessor listed")
    custom = a.create_custom_secret_id("hvac-ci", "hvac-custom-secret", metadata={"k": "v"}, mount_point="hvac-approle")["data"]
    eq(custom["secret_id"], "hvac-custom-secret", "custom secret id")
    acc = a.read_secret_id_accessor("hvac-ci", custom["secret_id_accessor"], mount_point="hvac-approle")["data"]
    eq(acc["metadata"], {"k": "v"}, "custom metadata")
    status_of(a.destroy_secret_id_accessor("hvac-ci", custom["secret_id_accessor"], mount_point="hvac-approle"), 204)


@check("approle", "login sets the client token; it reads what its policy allows")
def _():
    r = root()
    r.secrets.kv.v2.create_or_update_secret("app/approle", secret={"v": "1"})
    c = client()
    auth = c.auth.approle.login(state["role_id"], state["secret_id"], mount_point="hvac-approle")["auth"]
    eq(auth["token_policies"], ["default", "hvac-app"], "policies")
    eq(auth["metadata"], {"job": "build", "role_name": "hvac-ci"}, "metadata")
    eq(auth["lease_duration"], 1200, "lease_duration")
    eq(c.token, auth["client_token"], "client token set")
    eq(c.secrets.kv.v2.read_secret_version("app/approle")["data"]["data"], {"v": "1"}, "read")
    raises(exceptions.InvalidRequest, client().auth.approle.login, state["role_id"], "wrong", mount_point="hvac-approle")


@check("approle", "destroy_secret_id, delete_role and disable_auth_method")
def _():
    r = root()
    a = r.auth.approle
    status_of(a.destroy_secret_id("hvac-ci", state["secret_id"], mount_point="hvac-approle"), 204)
    raises(exceptions.InvalidRequest, client().auth.approle.login, state["role_id"], state["secret_id"], mount_point="hvac-approle")
    status_of(a.delete_role("hvac-ci", mount_point="hvac-approle"), 204)
    status_of(r.sys.disable_auth_method("hvac-approle"), 204)

# --------------------------------------------------------------------------------------------
# userpass: users, passwords, login, tune
# --------------------------------------------------------------------------------------------


@check("userpass", "enable, create_or_update_user, read_user, list_user")
def _():
    r = root()
    status_of(r.sys.enable_auth_method("userpass", path="hvac-up"), 204)
    u = r.auth.userpass
    status_of(u.create_or_update_user("Mary", password="hvac-pass-1", policies="hvac-app", mount_point="hvac-up"), 204)
    data = u.read_user("mary", mount_point="hvac-up")["data"]
    eq(data["token_policies"], ["hvac-app"], "policies")
    true("password" not in data, "password not shown")
    eq(u.list_user(mount_point="hvac-up")["data"]["keys"], ["mary"], "list")


@check("userpass", "login sets the token; a wrong password raises InvalidRequest")
def _():
    c = client()
    auth = c.auth.userpass.login("mary", "hvac-pass-1", mount_point="hvac-up")["auth"]
    eq(auth["metadata"], {"username": "mary"}, "metadata")
    eq(c.token, auth["client_token"], "token set")
    eq(c.lookup_token()["data"]["display_name"], "hvac-up-mary", "display name")
    raises(exceptions.InvalidRequest, client().auth.userpass.login, "mary", "nope", mount_point="hvac-up")


@check("userpass", "update_password_on_user, tune_auth_method and delete_user")
def _():
    r = root()
    u = r.auth.userpass
    status_of(u.update_password_on_user("mary", "hvac-pass-2", mount_point="hvac-up"), 204)
    raises(exceptions.InvalidRequest, client().auth.userpass.login, "mary", "hvac-pass-1", mount_point="hvac-up")
    status_of(r.sys.tune_auth_method("hvac-up", max_lease_ttl="1h", token_type="default-batch"), 204)
    tuning = r.sys.read_auth_method_tuning("hvac-up")["data"]
    eq(tuning["max_lease_ttl"], 3600, "max_lease_ttl")
    eq(tuning["token_type"], "default-batch", "token_type")
    auth = client().auth.userpass.login("mary", "hvac-pass-2", mount_point="hvac-up")["auth"]
    eq(auth["token_type"], "batch", "batch login")
    true(auth["client_token"].startswith("hvb."), "hvb. prefix")
    status_of(u.delete_user("mary", mount_point="hvac-up"), 204)
    status_of(r.sys.disable_auth_method("hvac-up"), 204)

# --------------------------------------------------------------------------------------------


def main(argv):
    sections = argv[1:]
    known = {s for s, _, _ in CHECKS}
    unknown = [s for s in sections if s not in known]
    if unknown:
        print("unknown section(s): {}; known: {}".format(", ".join(unknown), ", ".join(sorted(known))))
        return 2
    for section, what, fn in CHECKS:
        if sections and section not in sections:
            continue
        try:
            fn()
        except Exception as err:  # hvac's own exceptions and our mismatches alike
            print("FAIL - {}: {}".format(section, what))
            print("  {}: {}".format(type(err).__name__, err))
            traceback.print_exc(file=sys.stdout)
            return 1
        print("ok - {}: {}".format(section, what))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
