"""Response members as boto3 parses them against AWS's model: a member the server names
differently from the model is silently dropped by the client, so each is checked here.

Run by boto3.test.ts like boto3_flow.py (RUN is a unique prefix for names). Prints "ok".
"""
import datetime
import json
import os
import sys

import boto3

prefix = os.environ["RUN"]
sm = boto3.client("secretsmanager")

# BatchGetSecretValue: each error carries SecretId, ErrorCode and Message.
sm.create_secret(Name=f"{prefix}/there", SecretString="v")
batch = sm.batch_get_secret_value(SecretIdList=[f"{prefix}/there", f"{prefix}/absent"])
assert [v["Name"] for v in batch["SecretValues"]] == [f"{prefix}/there"], batch
assert batch["Errors"] == [{
    "SecretId": f"{prefix}/absent",
    "ErrorCode": "ResourceNotFoundException",
    "Message": "Secrets Manager can't find the specified secret.",
}], batch["Errors"]

# ListSecretVersionIds: the default key by AWS's name, and a version's last read (a date).
name = f"{prefix}/versions"
first = sm.create_secret(Name=name, SecretString="one")["VersionId"]
second = sm.put_secret_value(SecretId=name, SecretString="two")["VersionId"]
before = {v["VersionId"]: v for v in sm.list_secret_version_ids(SecretId=name)["Versions"]}
assert before[first]["KmsKeyIds"] == ["DefaultEncryptionKey"], before
assert "LastAccessedDate" not in before[first] and "LastAccessedDate" not in before[second], before
sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")
after = {v["VersionId"]: v for v in sm.list_secret_version_ids(SecretId=name)["Versions"]}
read = after[first]["LastAccessedDate"]
assert isinstance(read, datetime.datetime), after
assert (read.hour, read.minute, read.second) == (0, 0, 0), read
assert "LastAccessedDate" not in after[second], after
assert sm.describe_secret(SecretId=name)["LastAccessedDate"] == read

# A secret without a value has no labelled versions: the map is left out, not sent empty.
sm.create_secret(Name=f"{prefix}/novalue")
assert "VersionIdsToStages" not in sm.describe_secret(SecretId=f"{prefix}/novalue")
listed = sm.list_secrets(Filters=[{"Key": "name", "Values": [f"{prefix}/novalue"]}])["SecretList"]
assert [s["Name"] for s in listed] == [f"{prefix}/novalue"] and "SecretVersionsToStages" not in listed[0], listed

# ValidateResourcePolicy checks for broad access, as BlockPublicPolicy does.
public = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*"}]})
checked = sm.validate_resource_policy(ResourcePolicy=public)
assert checked["PolicyValidationPassed"] is False and len(checked["ValidationErrors"]) == 1, checked
assert checked["ValidationErrors"][0]["ErrorMessage"], checked
print("ok")
sys.stdout.flush()
