# Everything under "secret/" may be read and written; narrower rules follow.
path "secret/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}

# A rule on the exact path wins over the glob above.
path "secret/super-secret" {
  capabilities = ["deny"]
}

# Only "foo" (any value) and "bar" (zip or zap) may be written here.
path "secret/restricted" {
  capabilities = ["create"]
  allowed_parameters = {
    "foo" = []
    "bar" = ["zip", "zap"]
  }
}
