// The two policies every Vault has. `root` has no text: its name alone grants everything.
// `default` is attached to tokens unless they opt out; this is our own text granting what
// Vault's shipped default grants, its templated identity paths included.

/** Name of the built-in policy that grants everything; it cannot be written or deleted. */
export const ROOT_POLICY_NAME = 'root';

/** Name of the built-in policy attached to tokens by default; it may be edited, not deleted. */
export const DEFAULT_POLICY_NAME = 'default';

/** Text of the built-in `default` policy, as written on first start. */
export const defaultPolicyText = `# A token may read its own entity, by id or by name.
path "identity/entity/id/{{identity.entity.id}}" {
  capabilities = ["read"]
}
path "identity/entity/name/{{identity.entity.name}}" {
  capabilities = ["read"]
}

# A token may look itself up, renew itself and revoke itself.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}
path "auth/token/renew-self" {
  capabilities = ["update"]
}
path "auth/token/revoke-self" {
  capabilities = ["update"]
}

# A token may ask which capabilities it holds on a path.
path "sys/capabilities-self" {
  capabilities = ["update"]
}

# The web UI reads the token's merged policy to decide what to show.
path "sys/internal/ui/resultant-acl" {
  capabilities = ["read"]
}

# A token may renew and look up the leases it was given.
path "sys/renew" {
  capabilities = ["update"]
}
path "sys/leases/renew" {
  capabilities = ["update"]
}
path "sys/leases/lookup" {
  capabilities = ["update"]
}

# Every token has a private cubbyhole that lives and dies with it.
path "cubbyhole/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Response wrapping: wrap data, and look up or unwrap a wrapping token handed to us.
path "sys/wrapping/wrap" {
  capabilities = ["update"]
}
path "sys/wrapping/lookup" {
  capabilities = ["update"]
}
path "sys/wrapping/unwrap" {
  capabilities = ["update"]
}

# Hashing helpers that reveal nothing stored.
path "sys/tools/hash" {
  capabilities = ["update"]
}
path "sys/tools/hash/*" {
  capabilities = ["update"]
}

# A token may ask for, and check on, a control-group authorization of its own request.
path "sys/control-group/request" {
  capabilities = ["update"]
}

# A token may answer an MFA challenge on its own login.
path "sys/mfa/challenge" {
  capabilities = ["update"]
}
`;
