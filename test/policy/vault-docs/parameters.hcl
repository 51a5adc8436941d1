// Writers of secret/foo must send "bar" and may not send "salary".
path "secret/foo" {
  capabilities = ["create", "update"]
  required_parameters = ["bar", "baz"]
  denied_parameters {
    "salary" = []
  }
  allowed_parameters {
    "*" = []
  }
}

/*
 * Legacy shorthand from Vault's earliest policies: still understood.
 */
path "sys/leases/*" { policy = "read" }

path "transit/encrypt/app" {
  capabilities = [ "update" ]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = "1h"
}
