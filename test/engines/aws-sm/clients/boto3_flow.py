"""boto3 over every served action, its ListSecrets paginator and modeled exceptions.

Run by boto3.test.ts with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION and
AWS_ENDPOINT_URL_SECRETS_MANAGER set, and RUN (a unique prefix) for names. Prints "ok".
"""
import json
import os
import sys

import boto3

prefix = os.environ["RUN"]
full = "FULL" in os.environ
endpoint = os.environ.get("EXPLICIT_ENDPOINT")
sm = boto3.client("secretsmanager", endpoint_url=endpoint) if endpoint else boto3.client("secretsmanager")


def expect(exc, fn, **kw):
    try:
        fn(**kw)
    except exc as e:
        return e
    raise AssertionError(f"{fn.__name__} did not raise {exc.__name__}")


name = f"{prefix}/db"
created = sm.create_secret(Name=name, SecretString=json.dumps({"password": os.environ["CANARY"]}), Tags=[{"Key": "env", "Value": "test"}])
assert created["Name"] == name
got = sm.get_secret_value(SecretId=name)
assert json.loads(got["SecretString"])["password"] == os.environ["CANARY"]
assert got["VersionStages"] == ["AWSCURRENT"]
second = sm.put_secret_value(SecretId=created["ARN"], SecretString="two")
assert sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")["VersionId"] == created["VersionId"]
assert sm.get_secret_value(SecretId=name, VersionId=second["VersionId"])["SecretString"] == "two"
desc = sm.describe_secret(SecretId=name)
assert desc["Tags"] == [{"Key": "env", "Value": "test"}]
assert desc["VersionIdsToStages"][second["VersionId"]] == ["AWSCURRENT"]
sm.update_secret(SecretId=name, Description="described")
assert sm.describe_secret(SecretId=name)["Description"] == "described"
assert len(sm.list_secret_version_ids(SecretId=name)["Versions"]) == 2
sm.tag_resource(SecretId=name, Tags=[{"Key": "extra", "Value": "1"}])
sm.untag_resource(SecretId=name, TagKeys=["extra"])
sm.update_secret_version_stage(SecretId=name, VersionStage="green", MoveToVersionId=created["VersionId"])
assert sm.get_secret_value(SecretId=name, VersionStage="green")["SecretString"] != "two"
pw = sm.get_random_password(PasswordLength=40, ExcludeCharacters="abc")["RandomPassword"]
assert len(pw) == 40 and not set("abc") & set(pw)

if full:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "*", "Resource": "*"}]})
    sm.put_resource_policy(SecretId=name, ResourcePolicy=policy, BlockPublicPolicy=True)
    assert sm.get_resource_policy(SecretId=name)["ResourcePolicy"] == policy
    assert sm.validate_resource_policy(ResourcePolicy=policy)["PolicyValidationPassed"]
    sm.delete_resource_policy(SecretId=name)
    public = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})
    expect(sm.exceptions.PublicPolicyException, sm.put_resource_policy, SecretId=name, ResourcePolicy=public, BlockPublicPolicy=True)
    expect(sm.exceptions.MalformedPolicyDocumentException, sm.put_resource_policy, SecretId=name, ResourcePolicy="{not json")
    batch = sm.batch_get_secret_value(SecretIdList=[name, f"{prefix}/absent"])
    assert [v["Name"] for v in batch["SecretValues"]] == [name]
    assert batch["Errors"][0]["ErrorCode"] == "ResourceNotFoundException"

for i in range(5):
    sm.create_secret(Name=f"{prefix}/many/{i}", SecretString=str(i))
pages = sm.get_paginator("list_secrets").paginate(Filters=[{"Key": "name", "Values": [f"{prefix}/many/"]}], PaginationConfig={"PageSize": 2})
seen = [s["Name"] for page in pages for s in page["SecretList"]]
assert seen == [f"{prefix}/many/{i}" for i in range(5)], seen

expect(sm.exceptions.ResourceNotFoundException, sm.get_secret_value, SecretId=f"{prefix}/absent")
expect(sm.exceptions.ResourceExistsException, sm.create_secret, Name=name)
expect(sm.exceptions.InvalidParameterException, sm.delete_secret, SecretId=name, RecoveryWindowInDays=7, ForceDeleteWithoutRecovery=True)
sm.delete_secret(SecretId=name, RecoveryWindowInDays=7)
e = expect(sm.exceptions.InvalidRequestException, sm.get_secret_value, SecretId=name)
assert "marked for deletion" in str(e)
sm.restore_secret(SecretId=name)
sm.delete_secret(SecretId=name, ForceDeleteWithoutRecovery=True)
expect(sm.exceptions.ResourceNotFoundException, sm.describe_secret, SecretId=name)
print("ok")
sys.stdout.flush()
