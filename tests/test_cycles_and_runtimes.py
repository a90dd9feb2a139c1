"""Unit tests behind security-group-cycle, iam-policy-cycle and lambda-runtime (golden cases live in fixtures/)."""

from datetime import date

from cfnfix.document import parse
from cfnfix.lambda_runtimes import callback_handler as _callback_handler, family, lifecycle, successor
from cfnfix.graph import cheapest_cut, cycles, dependency_graph
from support import AS_OF, LAMBDA_ROLE_YAML, assert_fix_guarantees, run_fixers

TABLE = {
    "python3.8": {"deprecated": "2024-10-14", "successor": "python3.12"},
    "python3.12": {"deprecated": "2028-10-31", "successor": "python3.14"},
    "python3.14": {"deprecated": "2029-06-30", "successor": None},
    "go1.x": {"deprecated": "2024-01-08", "successor": "provided.al2023"},
}


def test_cheapest_cut_breaks_a_loop_of_three_with_one_edge():
    graph = {"A": {"B"}, "B": {"C"}, "C": {"A"}}
    cut = cheapest_cut(graph, [("A", "B"), ("B", "C"), ("C", "A")], lambda s: len(s))
    assert len(cut) == 1


def test_cheapest_cut_follows_the_cost():
    graph = {"A": {"B"}, "B": {"A"}}
    cut = cheapest_cut(graph, [("A", "B"), ("B", "A")], lambda s: sum(5 if e == ("A", "B") else 1 for e in s))
    assert cut == {("B", "A")}


def test_cheapest_cut_reports_cycles_it_cannot_break():
    graph = {"A": {"B"}, "B": {"A", "C"}, "C": {"B"}}
    assert cheapest_cut(graph, [("A", "B")], len) is None
    assert cycles(graph) == [["A", "B", "C"]]


def test_successor_skips_successors_that_are_deprecated_too():
    assert successor("python3.8", TABLE, date(2026, 1, 1)) == "python3.12"
    assert successor("python3.8", TABLE, date(2028, 12, 1)) == "python3.14"
    assert successor("python3.14", TABLE, date(2026, 1, 1)) is None
    assert family("go1.x") != family(successor("go1.x", TABLE, date(2026, 1, 1)))
    assert family("dotnetcore3.1") == family("dotnet8")


def test_lifecycle_comes_from_cfn_lint():
    table = lifecycle()
    assert table and "python3.7" in table and "successor" in table["python3.7"]


def test_callback_handlers_are_recognised():
    assert _callback_handler("exports.handler = function(event, context, callback) {}", "handler")
    assert _callback_handler("exports.handler = (event, context, cb) => cb(null)", "handler")
    assert not _callback_handler("exports.handler = async (event, context, cb) => 1", "handler")
    assert not _callback_handler("export const handler = async (event) => 1", "handler")


MIXED = """{
  "Resources": {
    "A": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "a", "VpcId": "vpc-1",
      "SecurityGroupIngress": [
        {"IpProtocol": "tcp", "FromPort": 1, "ToPort": 1, "SourceSecurityGroupId": {"Ref": "B"}},
        {"IpProtocol": "tcp", "FromPort": 2, "ToPort": 2, "SourceSecurityGroupId": {"Ref": "B"}},
        {"IpProtocol": "tcp", "FromPort": 3, "ToPort": 3, "CidrIp": "10.0.0.0/8"}]}},
    "B": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "b", "VpcId": "vpc-1",
      "SecurityGroupIngress": [
        {"IpProtocol": "tcp", "FromPort": 4, "ToPort": 4, "SourceSecurityGroupId": {"Ref": "A"}},
        {"IpProtocol": "tcp", "FromPort": 5, "ToPort": 5, "SourceSecurityGroupId": {"Ref": "A"}},
        {"IpProtocol": "tcp", "FromPort": 6, "ToPort": 6, "SourceSecurityGroupId": {"Ref": "A"}}]}},
    "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"ReplicationConfiguration": {"Role": {"Fn::GetAtt": ["Role", "Arn"]},
      "Rules": [{"Status": "Enabled", "Prefix": "", "Destination": {"Bucket": "arn:aws:s3:::elsewhere"}}]}}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {
      "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
      "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "s3:GetObjectVersion", "Resource": {"Fn::Sub": "${Bucket.Arn}/*"}}]}}]}}
  }
}
"""


def test_each_cycle_fixer_breaks_only_its_own_cycle():
    names = ["security-group-cycle", "iam-policy-cycle"]
    sg_only = run_fixers(MIXED, names[:1])
    assert {c.resource for c in sg_only.changes} == {"A"}  # the cheaper side: two rules, not three
    assert not sg_only.unfixed
    both = run_fixers(MIXED, names)
    after = parse(both.after)
    assert not cycles(dependency_graph(after.resources))
    # the first two rules of a JSON list go together: no overlapping edits
    assert [r["FromPort"] for r in after.data["Resources"]["A"]["Properties"]["SecurityGroupIngress"]] == [3]
    assert after.data["Resources"]["Rolep"]["Properties"]["Roles"] == [{"Ref": "Role"}]
    assert_fix_guarantees(MIXED, both.after, both.changes, names)


def test_nearest_is_the_closest_supported_version_of_the_family():
    from cfnfix.lambda_runtimes import nearest

    table = lifecycle()
    assert nearest("python3.9", table, date(2026, 1, 1)) == "python3.10"
    assert nearest("python3.9", table, date(2026, 12, 1)) == "python3.11"
    assert nearest("nodejs18.x", table, date(2026, 12, 1)) == "nodejs22.x"
    assert nearest("go1.x", table, date(2026, 12, 1)) is None


NODE_S3 = """\
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
      Role: arn:aws:iam::123456789012:role/r
      Code:
        S3Bucket: b
        S3Key: k.zip
"""


def test_unreadable_node_code_is_not_moved_onto_nodejs24_unseen():
    from cfnfix.fixers.lambda_runtime import LambdaRuntime

    fixer = LambdaRuntime()
    fixer.as_of = date(2027, 5, 1)  # nodejs22.x deprecated too: only nodejs24.x is left
    findings = fixer.find(parse(NODE_S3))
    assert [f.fixable for f in findings] == [False]
    assert "callback-style handlers" in findings[0].message
    fixer.as_of = date(2026, 12, 1)
    assert [f.detail for f in fixer.find(parse(NODE_S3))] == [("nodejs20.x", "nodejs22.x")]


PROVIDED = "Resources:\n" + LAMBDA_ROLE_YAML.replace("{", "{{").replace("}", "}}") + """  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: provided.al2
      Handler: bootstrap
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
{code}"""


def _provided(code: str, names=("inline-lambda-handler", "lambda-runtime")):
    template = PROVIDED.format(code="".join(f"          {line}\n" for line in code.splitlines()))
    return template, run_fixers(template, list(names))


def test_inline_code_under_provided_gets_its_language_runtime_and_lambda_runtime_agrees():
    from cfnfix.lambda_runtimes import newest

    before, result = _provided("import json\n\ndef lambda_handler(event, context):\n    return json.dumps(event)")
    newest_python = newest("python", lifecycle(), AS_OF)
    assert f"      Runtime: {newest_python}\n      Handler: index.lambda_handler\n" in result.after
    assert [(c.fixer, c.path[-1], c.safety) for c in result.changes] == [
        ("inline-lambda-handler", "Runtime", "review"), ("inline-lambda-handler", "Handler", "safe")]
    assert not result.unfixed
    assert_fix_guarantees(before, result.after, result.changes, ["inline-lambda-handler", "lambda-runtime"])

    before, result = _provided("exports.handler = async (event) => event;")
    assert f"Runtime: {newest('nodejs', lifecycle(), AS_OF)}\n      Handler: index.handler\n" in result.after


def test_inline_code_under_provided_reported_when_unsure():
    cases = {
        "import imp\n\ndef handler(event, context):\n    return imp": "imports imp, which python3.",
        "const AWS = require('aws-sdk');\nexports.handler = async (event) => event;": "loads the AWS SDK v2",
        "exports.handler = function(event, context, callback) { callback(null, 1); };": "takes a callback",
        "def a(event, context):\n    pass\n\ndef b(event, context):\n    pass": "several functions could be its handler (a, b)",
        "def helper(x):\n    return x": "defines no module-level function taking (event, context)",
        "#!/bin/sh\nset -e\necho ok": "neither Python 3 nor Node.js",
    }
    for code, expected in cases.items():
        before, result = _provided(code, ["inline-lambda-handler"])
        assert result.after == before and not result.changes, code
        [problem] = result.unfixed
        assert problem.message.startswith("runtime provided.al2 cannot run inline code (only Python and Node.js can); ")
        assert expected in problem.message, problem.message


def test_sam_globals_provided_runtime_is_only_reported():
    template = """Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: provided.al2023
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: bootstrap
      InlineCode: |
        def handler(event, context):
            return event
"""
    result = run_fixers(template, ["inline-lambda-handler"])
    assert result.after == template and not result.changes
    assert [u.message for u in result.unfixed] == ["runtime provided.al2023 cannot run inline code (only Python and Node.js can)"]
