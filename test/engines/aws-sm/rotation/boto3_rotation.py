"""boto3 driving a built-in MariaDB rotation: rotate_secret, describe_secret's rotation members,
get_secret_value by VersionStage, cancel_rotate_secret and the modeled exception classes.

Run by boto3.test.ts with the AWS_* variables set, and NAME, DB_USER, DB_PASSWORD for a MariaDB
user it made. Prints one JSON line with the rotated password for the caller to check.
"""
import datetime
import json
import os

import boto3

sm = boto3.client("secretsmanager")
name = os.environ["NAME"]
first = os.environ["DB_PASSWORD"]
value = {"engine": "mariadb", "host": "127.0.0.1", "port": 3306, "username": os.environ["DB_USER"], "password": first}
created = sm.create_secret(Name=name, SecretString=json.dumps(value))


def expect(exc, text, **kw):
    try:
        sm.rotate_secret(**kw)
    except exc as e:
        assert text in e.response["Error"]["Message"], e.response["Error"]["Message"]
        return
    raise AssertionError(f"rotate_secret did not raise {exc.__name__}")


expect(sm.exceptions.InvalidRequestException, "No Lambda rotation function ARN is associated with this secret.", SecretId=name)
expect(sm.exceptions.InvalidParameterException, "lockbox:rotator:MariaDBSingleUser", SecretId=name,
       RotationLambdaARN="arn:aws:lambda:us-east-1:123456789012:function:SecretsManagerRotation")
expect(sm.exceptions.InvalidParameterException, "both rotation frequency and schedule expression", SecretId=name,
       RotationLambdaARN="lockbox:rotator:MariaDBSingleUser", RotationRules={"AutomaticallyAfterDays": 2, "ScheduleExpression": "rate(2 days)"})

rules = {"ScheduleExpression": "cron(0 3 ? * SUN *)", "Duration": "2h"}
rotated = sm.rotate_secret(SecretId=name, RotationLambdaARN="lockbox:rotator:MariaDBSingleUser", RotationRules=rules)
version = rotated["VersionId"]
assert rotated["ARN"] == created["ARN"]

d = sm.describe_secret(SecretId=created["ARN"])
assert d["RotationEnabled"] is True
assert d["RotationLambdaARN"] == "lockbox:rotator:MariaDBSingleUser"
assert d["RotationRules"] == rules, d["RotationRules"]
assert isinstance(d["LastRotatedDate"], datetime.datetime)
nxt = d["NextRotationDate"].astimezone(datetime.timezone.utc)
assert (nxt.weekday(), nxt.hour, nxt.minute) == (6, 3, 0), nxt
assert nxt > d["LastRotatedDate"]
assert d["VersionIdsToStages"] == {created["VersionId"]: ["AWSPREVIOUS"], version: ["AWSCURRENT"]}

current = sm.get_secret_value(SecretId=name)
assert current["VersionId"] == version
previous = sm.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")
assert json.loads(previous["SecretString"])["password"] == first
try:
    sm.get_secret_value(SecretId=name, VersionStage="AWSPENDING")
    raise AssertionError("AWSPENDING is gone after a rotation")
except sm.exceptions.ResourceNotFoundException:
    pass

listed = [s for s in sm.list_secrets(Filters=[{"Key": "name", "Values": [name]}])["SecretList"] if s["Name"] == name]
assert listed[0]["RotationEnabled"] is True and listed[0]["NextRotationDate"] == d["NextRotationDate"]

cancelled = sm.cancel_rotate_secret(SecretId=name)
assert "VersionId" not in cancelled
after = sm.describe_secret(SecretId=name)
assert after["RotationEnabled"] is False and "NextRotationDate" not in after

print(json.dumps({"password": json.loads(current["SecretString"])["password"]}))
