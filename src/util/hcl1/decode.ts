// HCL1 syntax tree → plain data, in the shape callers already read (hcl2json's):
//   path "a" { … }  path "a" { … }  path "b" { … }   →  { path: { a: [{…}, {…}], b: [{…}] } }
//   x = 1                                            →  { x: 1 }
//   tags = ["a"]  tags = ["b"]                        →  { tags: ["a", "b"] }
// Every object (block or `= { … }`) becomes a list of bodies, because HCL1 lets a key repeat
// and the repeats all count. A repeated list attribute is concatenated and a repeated scalar
// keeps its last value, which is what HCL1 yields when Vault decodes into its structs.
import { Hcl1Error } from './error.js';
import type { Item, Key, ValueNode } from './parser.js';

export type Data = string | number | boolean | Data[] | DataObject;
export type DataObject = { [key: string]: Data };

/** What a key holds, so that a block and a value of one name cannot be confused. */
type Slot = 'labels' | 'blocks' | 'value';

export function decodeBody(items: readonly Item[]): DataObject {
  const out: DataObject = {};
  const slots = new Map<DataObject, Map<string, Slot>>();
  const claim = (target: DataObject, key: Key, slot: Slot): boolean => {
    const taken = slots.get(target) ?? new Map<string, Slot>();
    slots.set(target, taken);
    const before = taken.get(key.name);
    if (before !== undefined && before !== slot) {
      throw new Hcl1Error(key.pos, `key "${key.name}" is given both as ${describe(before)} and as ${describe(slot)}`);
    }
    taken.set(key.name, slot);
    return before !== undefined;
  };
  for (const { keys, value } of items) {
    let target = out;
    // Every key but the last is a label: a level of plain objects keyed by label.
    for (const key of keys.slice(0, -1)) {
      if (!claim(target, key, 'labels')) setOwn(target, key.name, {});
      target = target[key.name] as DataObject;
    }
    const last = keys[keys.length - 1] as Key; // the parser never gives an item without keys
    if (value.kind === 'object') {
      if (!claim(target, last, 'blocks')) setOwn(target, last.name, []);
      (target[last.name] as Data[]).push(decodeBody(value.items));
      continue;
    }
    const decoded = decodeValue(value);
    const repeated = claim(target, last, 'value');
    const before = repeated ? target[last.name] : undefined;
    setOwn(target, last.name, Array.isArray(before) && Array.isArray(decoded) ? [...before, ...decoded] : decoded);
  }
  return out;
}

function decodeValue(node: ValueNode): Data {
  if (node.kind === 'literal') return node.value;
  if (node.kind === 'list') return node.items.map(decodeValue);
  return decodeBody(node.items);
}

// A plain assignment would let a key named "__proto__" replace the prototype instead.
function setOwn(target: DataObject, key: string, value: Data): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

const describe = (slot: Slot) =>
  slot === 'labels' ? 'a labelled block' : slot === 'blocks' ? 'a block' : 'a value';
