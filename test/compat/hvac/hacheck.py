"""What the hvac HA scripts share: the cluster from the environment, a client, one check."""
import os
import sys

import hvac

ACTIVE = os.environ["LOCKBOX_ACTIVE_URL"]
STANDBY = os.environ["LOCKBOX_STANDBY_URL"]
TOKEN = os.environ["LOCKBOX_TOKEN"]


def client(url):
    return hvac.Client(url=url, token=TOKEN)


def expect(what, actual, expected):
    """Prints `ok - <what>`, or `FAIL - <what>` and exits 1."""
    if actual != expected:
        print("FAIL - {}: expected {!r}, got {!r}".format(what, expected, actual))
        sys.exit(1)
    print("ok - " + what)
