"""Issue 20's deploy fixers: decisions fixtures do not show, exact messages, and cfn-lint cleared."""

from cfnfix.fixers.dangling_reference import pick, pick_attribute
from cfnfix.built_names import name_text
from cfnfix.document import parse
from cfnfix.registry import all_fixers
from support import assert_fix_guarantees, lint_codes, run_fixers


def test_pick_needs_one_plain_target():
    assert pick("dataBucket", ["DataBucket", "Queue"]) == ("DataBucket", "differs only in case")
    assert pick("EnvironmentSufix", ["EnvironmentSuffix"])[0] == "EnvironmentSuffix"
    assert pick("PublicSubnet1", ["PublicSubnet2"])[0] is None  # digits differ: another subnet
    assert pick("EnvironmentName", ["Environment"])[0] is None  # not close enough to be a typo
    assert pick("Topic", ["Topics", "Topicz"])[0] is None  # two equally close
    assert pick("SchemaSyncLambda", ["SchemaSync Lambda"])[0] is None  # not a valid name to point at


def test_pick_attribute_rules():
    assert pick_attribute("RoleArn", ["Arn", "RoleId"]) == ("Arn", "is the resource's only ARN attribute")
    assert pick_attribute("QueueArn", ["Arn", "QueueUrl", "RedrivePolicy.deadLetterTargetArn"])[0] == "Arn"
    assert pick_attribute("IntegrationUri", ["IntegrationId"])[0] is None  # another attribute, not a typo
    assert pick_attribute("ReaderEndpoint.Address", ["ReadEndpoint.Address", "Endpoint.Address"])[0] == "ReadEndpoint.Address"


def test_iam_policy_variables_are_escaped_not_renamed():
    text = (
        "Resources:\n"
        "  Policy:\n"
        "    Type: AWS::IAM::ManagedPolicy\n"
        "    Properties:\n"
        "      PolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - Effect: Allow\n"
        "            Action: iam:ChangePassword\n"
        "            Resource: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:user/${aws:username}'\n"
    )
    result = run_fixers(text, ["dangling-reference"])
    assert "user/${!aws:username}'" in result.after
    assert "E1019" in lint_codes(text) and "E1019" not in lint_codes(result.after)


def test_sub_needed_reports_strings_with_foreign_variables():
    doc = parse(
        "Parameters:\n  Env: {Type: String}\n"
        "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n"
        "      TopicName: 'a-${Env}-${HOSTNAME}'\n"
    )
    (finding,) = all_fixers()["sub-needed"]().find(doc)
    assert not finding.fixable
    assert finding.message.startswith("E1029 ${Env} outside Fn::Sub, next to ${HOSTNAME}")


def test_sub_needed_clears_e1029_and_marks_code_review():
    text = (
        "Parameters:\n  Stage: {Type: String}\n"
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n"
        "  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Runtime: python3.12\n      Handler: index.handler\n      Role: !GetAtt Role.Arn\n"
        "      Code:\n        ZipFile: |\n          TABLE = 'users-${Stage}'\n"
        "          def handler(e, c):\n              return TABLE\n"
    )
    result = run_fixers(text, ["sub-needed"])
    assert "ZipFile: !Sub |" in result.after
    assert [c.safety.value for c in result.changes] == ["review"]
    assert "E1029" in lint_codes(text) and "E1029" not in lint_codes(result.after)
    assert_fix_guarantees(text, result.after, result.changes, ["sub-needed"])


def test_s3_acl_ownership_is_review_and_leaves_private_alone():
    text = (
        "Resources:\n"
        "  Logs:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: LogDeliveryWrite\n"
        "  Quiet:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: Private\n"
    )
    checked = run_fixers(text, ["s3-acl-ownership"], unsafe_fixes=False)
    assert checked.after == text and checked.available  # shown, not written, without --unsafe-fixes
    result = run_fixers(text, ["s3-acl-ownership"])
    assert result.after.count("OwnershipControls") == 1
    assert "E3045" in lint_codes(text) and "E3045" not in lint_codes(result.after)


def test_reference_cycle_builds_names_from_text_subs_and_parameters():
    doc = parse("Parameters:\n  P: {Type: String}\nResources: {}\n")
    assert name_text(doc, {"FunctionName": "a-${x}"}, "FunctionName") == "a-${!x}"
    assert name_text(doc, {"FunctionName": {"Fn::Sub": "fn-${P}"}}, "FunctionName") == "fn-${P}"
    assert name_text(doc, {"FunctionName": {"Ref": "P"}}, "FunctionName") == "${P}"
    assert name_text(doc, {"FunctionName": {"Fn::GetAtt": ["X", "Y"]}}, "FunctionName") is None
    assert name_text(doc, {}, "FunctionName") is None


def test_reference_cycle_clears_e3004():
    text = (
        "Resources:\n"
        "  Role:\n    Type: AWS::IAM::Role\n    Properties:\n"
        "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n"
        "  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: !Sub '/aws/lambda/${Fn}'\n"
        "  Fn:\n    Type: AWS::Lambda::Function\n    DependsOn: Logs\n    Properties:\n"
        "      FunctionName: worker\n      Runtime: python3.12\n      Handler: index.handler\n"
        "      Role: !GetAtt Role.Arn\n      Code:\n        ZipFile: 'def handler(e, c): return e'\n"
    )
    result = run_fixers(text, ["reference-cycle"])
    assert "LogGroupName: !Sub '/aws/lambda/worker'" in result.after
    assert "E3004" in lint_codes(text) and "E3004" not in lint_codes(result.after)


def test_attribute_read_elsewhere_only_when_plain():
    template = """Resources:
  Ledger:
    Type: AWS::QLDB::Ledger
    Properties:
      PermissionsMode: STANDARD
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}
      Policies:
        - PolicyName: ledger
          PolicyDocument:
            Version: '2012-10-17'
            Statement:
              - Effect: Allow
                Action: qldb:SendCommand
                Resource: !GetAtt Ledger.Arn
"""
    # the role names the ledger and has an Arn, but an ARN is no attribute plainly found elsewhere
    result = run_fixers(template, ["dangling-reference"])
    assert result.after == template
    assert [u.message for u in result.unfixed] == [
        "E1010 Fn::GetAtt 'Ledger.Arn' names no attribute of its type; define it or correct the name"]


def test_depends_on_names_the_resource_plainly_meant():
    from cfnfix.fixers.depends_on import meant

    pool = ["VPCGatewayAttachment", "InternetGateway", "PublicRouteTable"]
    assert meant("InternetGatewayAttachment", pool)[0] == "VPCGatewayAttachment"  # same trailing words
    assert meant("vpcGatewayAttachment", pool) == ("VPCGatewayAttachment", "differs only in case")
    assert meant("PublicRouteTable2", pool)[0] is None  # digits differ: another table
    assert meant("GatewayAttachment", ["VPCGatewayAttachment", "TGWGatewayAttachment"])[0] is None  # two alike
    assert meant("Attachment", ["VPCGatewayAttachment"])[0] is None  # one shared word is not enough


def test_depends_on_keeps_a_cycle_out():
    text = (
        "Resources:\n"
        "  Eip:\n"
        "    Type: AWS::EC2::EIP\n"
        "    DependsOn: InternetGatewayAttachment\n"
        "  VPCGatewayAttachment:\n"
        "    Type: AWS::EC2::VPCGatewayAttachment\n"
        "    DependsOn: Eip\n"
        "    Properties: {VpcId: vpc-12345678, InternetGatewayId: igw-12345678}\n"
    )
    (f,) = all_fixers()["depends-on"]().find(parse(text))
    assert not f.fixable and "a dependency cycle" in f.message


def test_reference_cycle_secret_keys_the_attachment_does_not_write_are_reported():
    text = (
        "Resources:\n"
        "  Secret:\n"
        "    Type: AWS::SecretsManager::Secret\n"
        "    Properties:\n"
        "      SecretString: !Sub '{\"username\": \"a\", \"endpoint\": \"${Db.Endpoint.Address}\"}'\n"
        "  Db:\n"
        "    Type: AWS::RDS::DBInstance\n"
        "    DependsOn: Secret\n"
        "    Properties: {Engine: postgres, DBInstanceClass: db.t3.micro, AllocatedStorage: '20'}\n"
    )
    (f,) = all_fixers()["reference-cycle"]().find(parse(text))
    assert not f.fixable and "SecretTargetAttachment" in f.message
