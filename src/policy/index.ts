// Vault-compatible ACL policies: parse policy text, compile a token's policies, decide requests.
export { compileAcl, isTemplated, rootPolicy } from './acl.js';
export type { TemplateIdentity } from './template.js';
export { DEFAULT_POLICY_NAME, ROOT_POLICY_NAME, defaultPolicyText } from './builtin.js';
export { parsePolicy } from './parse.js';
export { CAPABILITIES } from './types.js';
export type {
  Acl, AclDecision, AclRequest, Capability, Operation, ParamConstraints, PathRule, Policy,
} from './types.js';
