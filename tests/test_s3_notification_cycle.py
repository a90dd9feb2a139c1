"""s3-notification-cycle: the fixer's decisions and the handler Lambda it adds, independent of golden files."""

from __future__ import annotations

import json
import sys
import types
from datetime import date
from pathlib import Path

import libcst
import pytest

from cfnfix.document import parse
from cfnfix.fixers import s3_notification_cycle as mod
from cfnfix.s3_notification_handler import HANDLER_CODE
from cfnfix.graph import cycles, dependency_graph
from support import run_fixers

FIXER = "s3-notification-cycle"

SHORT = """\
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${AWS::StackName}-in'
      NotificationConfiguration:
        LambdaConfigurations:
          - Event: s3:ObjectCreated:*
            Function: !GetAtt Fn.Arn
            Filter:
              S3Key:
                Rules:
                  - Name: suffix
                    Value: .csv
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}
      Policies:
        - PolicyName: read
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - {Effect: Allow, Action: s3:GetObject, Resource: !Sub '${Bucket.Arn}/*'}
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code: {ZipFile: "def handler(e, c): pass"}
"""

LONG = (
    SHORT.replace("!Sub '${AWS::StackName}-in'", "{'Fn::Sub': '${AWS::StackName}-in'}")
    .replace("!GetAtt Fn.Arn", "{'Fn::GetAtt': [Fn, Arn]}")
    .replace("!Sub '${Bucket.Arn}/*'", "{'Fn::Sub': '${Bucket.Arn}/*'}")
    .replace("!GetAtt Role.Arn", "{'Fn::GetAtt': [Role, Arn]}")
)


def fixed(text: str, options: dict | None = None):
    result = run_fixers(text, [FIXER], {FIXER: options} if options else None)
    assert result.status == "fixed", (result.status, result.error, result.unfixed)
    return parse(result.after).data


# ---------------------------------------------------------------------- the fixer


@pytest.mark.parametrize("text", [SHORT, LONG], ids=["short", "long"])
def test_moves_notifications_and_breaks_the_cycle(text):
    data = fixed(text)
    res = data["Resources"]
    assert "NotificationConfiguration" not in res["Bucket"]["Properties"]
    assert not cycles(dependency_graph(res))
    custom = res["BucketNotifications"]
    assert custom["Type"] == "Custom::S3BucketNotifications"
    assert custom["DependsOn"] == "BucketInvokePermission"
    props = custom["Properties"]
    assert props["ServiceToken"] == {"Fn::GetAtt": ["S3NotificationHandler", "Arn"]}
    assert props["BucketName"] == {"Ref": "Bucket"}
    assert props["NotificationConfiguration"] == {
        "LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": {"Fn::GetAtt": ["Fn", "Arn"]},
            "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": ".csv"}]}},
        }]
    }
    assert "Mode" not in props
    permission = res["BucketInvokePermission"]["Properties"]
    assert permission["Principal"] == "s3.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Bucket}"}
    assert permission["SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_short_and_long_forms_give_the_same_template():
    assert fixed(SHORT) == fixed(LONG)


def test_handler_function_and_least_privilege_role():
    res = fixed(SHORT)["Resources"]
    fn = res["S3NotificationHandler"]["Properties"]
    assert fn["Handler"] == "index.handler"
    assert fn["Code"]["ZipFile"] == HANDLER_CODE
    lifecycle = Path(__import__("cfnlint").__file__).parent / "data" / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json"
    deprecated = json.loads(lifecycle.read_text())[fn["Runtime"]]["deprecated"]
    assert date.fromisoformat(deprecated) > date(2028, 1, 1)
    statements = res["S3NotificationHandlerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    s3 = [s for s in statements if any(a.startswith("s3:") for a in s["Action"])]
    assert s3 == [{
        "Effect": "Allow",
        "Action": ["s3:GetBucketNotification", "s3:PutBucketNotification"],
        "Resource": {"Fn::GetAtt": ["Bucket", "Arn"]},
    }]
    assert all(a.startswith(("s3:", "logs:")) for s in statements for a in s["Action"])


def test_one_handler_serves_every_bucket():
    text = SHORT + SHORT.split("Resources:\n", 1)[1].split("  Role:")[0].replace("  Bucket:", "  Other:").replace(
        "${AWS::StackName}-in", "${AWS::StackName}-out"
    )
    text = text.replace("Resource: !Sub '${Bucket.Arn}/*'", "Resource: [!Sub '${Bucket.Arn}/*', !GetAtt Other.Arn]")
    res = fixed(text)["Resources"]
    assert [r for r, v in res.items() if v["Type"] == "AWS::Lambda::Function"] == ["Fn", "S3NotificationHandler"]
    assert {"BucketNotifications", "OtherNotifications"} <= set(res)
    statements = res["S3NotificationHandlerRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    assert statements[-1]["Resource"] == [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::GetAtt": ["Other", "Arn"]}]
    assert not cycles(dependency_graph(res))


def test_logical_ids_never_collide():
    text = SHORT + "  S3NotificationHandler:\n    Type: AWS::SNS::Topic\n  BucketNotifications:\n    Type: AWS::SNS::Topic\n"
    res = fixed(text)["Resources"]
    assert res["S3NotificationHandler"]["Type"] == "AWS::SNS::Topic"
    assert res["S3NotificationHandler2"]["Type"] == "AWS::Lambda::Function"
    assert res["BucketNotifications2"]["Properties"]["ServiceToken"] == {"Fn::GetAtt": ["S3NotificationHandler2", "Arn"]}


def test_existing_permission_is_reused_and_bucket_depends_on_moves():
    text = SHORT.replace("    Type: AWS::S3::Bucket\n", "    Type: AWS::S3::Bucket\n    DependsOn: [Perm, Role]\n") + (
        "  Perm:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n"
        "      FunctionName: !Ref Fn\n      Principal: s3.amazonaws.com\n      SourceArn: !GetAtt Bucket.Arn\n"
    )
    res = fixed(text)["Resources"]
    assert res["Bucket"]["DependsOn"] == ["Role"]
    assert res["BucketNotifications"]["DependsOn"] == "Perm"
    assert "BucketInvokePermission" not in res


def test_replace_mode_is_passed_to_the_handler():
    props = fixed(SHORT, {"mode": "replace"})["Resources"]["BucketNotifications"]["Properties"]
    assert props["Mode"] == "replace"


def test_notification_without_cycle_is_left_alone():
    text = SHORT.replace("Resource: !Sub '${Bucket.Arn}/*'", "Resource: '*'")
    assert run_fixers(text, [FIXER]).after == text


def test_unknown_key_is_reported_not_fixed():
    text = SHORT.replace("        LambdaConfigurations:", "        Bogus: []\n        LambdaConfigurations:")
    result = run_fixers(text, [FIXER])
    assert result.after == text
    assert [u.message for u in result.unfixed][0].endswith("unknown key Bogus in NotificationConfiguration")


def test_translation_keeps_conditions_and_event_bridge():
    cfn = {
        "EventBridgeConfiguration": {"EventBridgeEnabled": True},
        "QueueConfigurations": [{"Fn::If": ["C", {"Event": "e", "Queue": "q"}, {"Ref": "AWS::NoValue"}]}],
        "TopicConfigurations": [{"Event": "e", "Topic": "t"}],
    }
    assert mod._translate(cfn) == {
        "EventBridgeConfiguration": {},
        "QueueConfigurations": [{"Fn::If": ["C", {"QueueArn": "q", "Events": ["e"]}, {"Ref": "AWS::NoValue"}]}],
        "TopicConfigurations": [{"TopicArn": "t", "Events": ["e"]}],
    }
    assert mod._translate({"EventBridgeConfiguration": {"EventBridgeEnabled": False}}) == {}


# ---------------------------------------------------------------------- the handler code


def test_handler_code_is_short_python_with_index_handler():
    assert len(HANDLER_CODE) < 4096
    module = libcst.parse_module(HANDLER_CODE)
    functions = {s.name.value: len(s.params.params) for s in module.body if isinstance(s, libcst.FunctionDef)}
    assert functions["handler"] == 2


class ClientError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code}}


class StubS3:
    def __init__(self, current: dict | None = None, fail: Exception | None = None) -> None:
        self.current = current or {}
        self.fail = fail
        self.put: list[dict] = []
        self.gets = 0

    def get_bucket_notification_configuration(self, Bucket):
        self.gets += 1
        if self.fail:
            raise self.fail
        return json.loads(json.dumps(dict(self.current, ResponseMetadata={})))

    def put_bucket_notification_configuration(self, Bucket, NotificationConfiguration):
        if self.fail:
            raise self.fail
        self.put.append(NotificationConfiguration)
        self.current = NotificationConfiguration


@pytest.fixture
def lambda_env(monkeypatch):
    """Load the handler source as the runtime would, with boto3 and the response URL stubbed."""
    boto3 = types.ModuleType("boto3")
    boto3.client = lambda *a, **k: None
    botocore = types.ModuleType("botocore")
    config = types.ModuleType("botocore.config")
    config.Config = lambda **k: k
    for name, module in {"boto3": boto3, "botocore": botocore, "botocore.config": config}.items():
        monkeypatch.setitem(sys.modules, name, module)
    namespace: dict = {}
    exec(compile(HANDLER_CODE, "index.py", "exec"), namespace)
    sent: list[dict] = []

    class Response:
        def close(self):
            pass

    def urlopen(request, timeout):
        assert request.get_method() == "PUT" and request.full_url == "https://cfn.example/response"
        sent.append(json.loads(request.data))
        return Response()

    monkeypatch.setattr(namespace["urllib"].request, "urlopen", urlopen)
    return namespace, sent


WANTED = {"LambdaFunctionConfigurations": [{"LambdaFunctionArn": "arn:fn", "Events": ["s3:ObjectCreated:*"]}]}
EXTERNAL = {"Id": "set-by-hand", "QueueArn": "arn:q", "Events": ["s3:ObjectRemoved:*"]}


def event(kind: str, props: dict, old: dict | None = None) -> dict:
    e = {
        "RequestType": kind, "ResponseURL": "https://cfn.example/response", "StackId": "arn:stack/s/1",
        "RequestId": "r1", "LogicalResourceId": "BucketNotifications", "ResourceProperties": props,
    }
    if kind != "Create":
        e["PhysicalResourceId"] = "in-notifications"
    if old is not None:
        e["OldResourceProperties"] = old
    return e


def invoke(env, s3, evt):
    namespace, sent = env
    namespace["s3"] = s3
    namespace["handler"](evt, types.SimpleNamespace(log_stream_name="stream"))
    assert len(sent) == 1
    return sent.pop()


def test_create_merges_with_notifications_set_outside(lambda_env):
    s3 = StubS3({"QueueConfigurations": [EXTERNAL]})
    answer = invoke(lambda_env, s3, event("Create", {"BucketName": "in", "NotificationConfiguration": WANTED}))
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == "in-notifications"
    assert answer["RequestId"] == "r1" and answer["LogicalResourceId"] == "BucketNotifications"
    (config,) = s3.put
    assert config["QueueConfigurations"] == [EXTERNAL]
    (ours,) = config["LambdaFunctionConfigurations"]
    assert ours["LambdaFunctionArn"] == "arn:fn" and ours["Id"].startswith("BucketNotifications-")


def test_update_replaces_only_its_own(lambda_env):
    s3 = StubS3({"QueueConfigurations": [EXTERNAL]})
    invoke(lambda_env, s3, event("Create", {"BucketName": "in", "NotificationConfiguration": WANTED}))
    new = {"TopicConfigurations": [{"TopicArn": "arn:t", "Events": ["s3:ObjectCreated:Put"]}]}
    answer = invoke(lambda_env, s3, event("Update", {"BucketName": "in", "NotificationConfiguration": new},
                                          {"BucketName": "in", "NotificationConfiguration": WANTED}))
    assert answer["Status"] == "SUCCESS"
    assert "LambdaFunctionConfigurations" not in s3.current
    assert s3.current["QueueConfigurations"] == [EXTERNAL]
    assert [c["TopicArn"] for c in s3.current["TopicConfigurations"]] == ["arn:t"]


def test_delete_removes_its_own_and_keeps_the_rest(lambda_env):
    s3 = StubS3({"QueueConfigurations": [EXTERNAL]})
    props = {"BucketName": "in", "NotificationConfiguration": dict(WANTED, EventBridgeConfiguration={})}
    invoke(lambda_env, s3, event("Create", props))
    assert s3.current["EventBridgeConfiguration"] == {}
    answer = invoke(lambda_env, s3, event("Delete", props))
    assert answer["Status"] == "SUCCESS" and answer["PhysicalResourceId"] == "in-notifications"
    assert s3.current == {"QueueConfigurations": [EXTERNAL]}


def test_replace_mode_owns_the_whole_configuration(lambda_env):
    s3 = StubS3({"QueueConfigurations": [EXTERNAL]})
    props = {"BucketName": "in", "Mode": "replace", "NotificationConfiguration": WANTED}
    invoke(lambda_env, s3, event("Create", props))
    assert list(s3.current) == ["LambdaFunctionConfigurations"] and s3.gets == 0
    invoke(lambda_env, s3, event("Delete", props))
    assert s3.current == {}


def test_failure_answers_failed(lambda_env):
    s3 = StubS3(fail=ClientError("AccessDenied"))
    answer = invoke(lambda_env, s3, event("Create", {"BucketName": "in", "NotificationConfiguration": WANTED}))
    assert answer["Status"] == "FAILED" and "AccessDenied" in answer["Reason"]


def test_malformed_event_still_answers(lambda_env):
    evt = event("Create", {"BucketName": "in"})
    del evt["StackId"]
    answer = invoke(lambda_env, StubS3(), evt)
    assert answer["Status"] == "FAILED"


def test_delete_of_a_vanished_bucket_succeeds(lambda_env):
    s3 = StubS3(fail=ClientError("NoSuchBucket"))
    answer = invoke(lambda_env, s3, event("Delete", {"BucketName": "gone", "NotificationConfiguration": WANTED}))
    assert answer["Status"] == "SUCCESS"
