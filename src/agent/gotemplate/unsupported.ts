// consul-template functions Lockbox refuses at parse time: they read Consul or Nomad, load
// plugins or write files, none of which a Vault agent does.
const names = [
  // Consul
  'key', 'keyExists', 'keyOrDefault', 'ls', 'safeLs', 'tree', 'safeTree', 'node', 'nodes',
  'service', 'services', 'connect', 'caLeaf', 'caRoots', 'datacenters', 'partitions',
  'peerings', 'exportedServices', 'byKey', 'byTag', 'byMeta', 'explode', 'explodeMap',
  // Nomad
  'nomadService', 'nomadServices', 'nomadVar', 'nomadVarList', 'nomadVarListSafe', 'nomadVarExists',
  'nomadVarListAll',
  // side effects and plugins
  'plugin', 'executeTemplate', 'writeToFile', 'sockaddr',
];
const set = new Set(names);

/** The refusal text for a function Lockbox does not offer on purpose, else null. */
export function unsupportedMessage(name: string): string | null {
  if (set.has(name) || name.startsWith('sprig_') || name.startsWith('spew_')) {
    return `function "${name}" is not supported by lockbox agent`;
  }
  return null;
}
