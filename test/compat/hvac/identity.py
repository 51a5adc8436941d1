# hvac 0.11.2's identity calls against Lockbox: entities, aliases, groups, lookup, merge.
import os
import sys

import hvac

client = hvac.Client(url=os.environ['LOCKBOX_URL'], token=os.environ['LOCKBOX_TOKEN'])
identity = client.secrets.identity
accessor = os.environ['LOCKBOX_ACCESSOR']


def check(name, ok):
    print(('PASS ' if ok else 'FAIL ') + name)


a = identity.create_or_update_entity(name='hv-a', metadata={'team': 'a'}, policies=['p1'])
a_id = a['data']['id']
check('create entity answers id and name', a['data']['name'] == 'hv-a' and len(a_id) == 36)
read = identity.read_entity(entity_id=a_id)['data']
check('read entity', read['metadata'] == {'team': 'a'} and read['policies'] == ['p1'])
by_name = identity.read_entity_by_name(name='hv-a')['data']
check('read entity by name', by_name['id'] == a_id)
alias = identity.create_or_update_entity_alias(name='hv-user', canonical_id=a_id, mount_accessor=accessor)['data']
check('create entity alias', alias['canonical_id'] == a_id)
check('read entity alias', identity.read_entity_alias(alias_id=alias['id'])['data']['mount_type'] == 'userpass')
group = identity.create_or_update_group(name='hv-g', group_type='internal', policies=['gp'], member_entity_ids=[a_id])['data']
check('read group', identity.read_group(group_id=group['id'])['data']['member_entity_ids'] == [a_id])
found = identity.lookup_entity(alias_name='hv-user', alias_mount_accessor=accessor)
check('lookup entity by alias', found['data']['id'] == a_id)
check('list entities', a_id in identity.list_entities()['data']['keys'])
b_id = identity.create_or_update_entity(name='hv-b')['data']['id']
identity.merge_entities(from_entity_ids=[b_id], to_entity_id=a_id)
check('merge entities', identity.read_entity(entity_id=a_id)['data']['merged_entity_ids'] == [b_id])
try:
    identity.create_or_update_entity_alias(name='x', canonical_id=a_id, mount_accessor='nope')
    check('invalid accessor refused', False)
except hvac.exceptions.InvalidRequest as err:
    check('invalid accessor refused', 'invalid mount accessor "nope"' in str(err))
sys.stdout.flush()
