// From verified claims to the login grant: the user claim, bound_claims, claim_mappings and the
// groups claim, shared by `login` (a JWT) and `oidc/callback` (an ID token plus /userinfo).
import { BadRequest, PermissionDenied } from '../../util/errors.js';
import { cidrsAllow } from '../../core/tokens/cidr-rules.js';
import type { Response } from '../../core/path.js';
import { ClaimsError, claimAt, groupsOf, mappedClaims, validateBoundClaims } from './claims.js';
import { userClaimIsPointer, type JwtRole } from './roles.js';

/** token_bound_cidrs is checked at login too, as Vault does: a login from elsewhere is 403. */
export function checkLoginAddress(role: JwtRole, address: string): void {
  if (!cidrsAllow(role.token.token_bound_cidrs, address)) throw new PermissionDenied();
}

/** The login's grant; throws Vault's 400 texts for a missing user claim or unmatched bound claims. */
export function grantFromClaims(claims: Record<string, unknown>, role: JwtRole, roleName: string): Response {
  // Vault reads user_claim as a pointer only when the role says so (bound_claims and the mappings always may be one).
  const user = userClaimIsPointer(role) ? claimAt(claims, role.user_claim) : claims[role.user_claim];
  if (user === undefined || user === null) throw new BadRequest(`claim ${JSON.stringify(role.user_claim)} not found in token`);
  if (typeof user !== 'string') throw new BadRequest(`claim ${JSON.stringify(role.user_claim)} could not be converted to string`);
  let groups: string[];
  try {
    validateBoundClaims(claims, role);
    groups = groupsOf(claims, role.groups_claim);
  } catch (err) {
    if (err instanceof ClaimsError) throw new BadRequest(`error validating claims: ${err.message}`);
    throw err;
  }
  const metadata = { role: roleName, ...mappedClaims(claims, role.claim_mappings) };
  return {
    login: {
      params: role.token, metadata, aliasMetadata: metadata, groupAliases: groups,
      displayName: user, alias: user, internal: { role: roleName },
    },
  };
}
