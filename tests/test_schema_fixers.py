"""The schema fixer family: shared schema walking, the fixers' decisions, and their run together."""

import subprocess
import sys
from pathlib import Path

from cfnfix.document import parse
from cfnfix.fixers.engine_version import replacement
from cfnfix.property_names import candidate, distance
from cfnfix.schemas import violations
from support import LAMBDA_ROLE_YAML, assert_fix_guarantees, lint_codes, run_fixers

FAMILY = ["property-name", "unsupported-property", "required-property", "engine-version", "allowed-value"]


def test_conforming_template_does_not_import_cfn_lint():
    code = (
        "import sys\n"
        "from cfnfix.document import parse\n"
        "from cfnfix.registry import all_fixers\n"
        "doc = parse(open(sys.argv[1]).read())\n"
        f"found = [f for n in {FAMILY!r} for f in all_fixers()[n]().find(doc)]\n"
        "assert not found, found\n"
        "assert not [m for m in sys.modules if m.startswith('cfnlint')]\n"
    )
    case = Path(__file__).parent.parent / "fixtures" / "property-name" / "config_recorder_rolearn.fixed.yaml"
    subprocess.run([sys.executable, "-c", code, str(case)], check=True)


def test_nested_definitions_are_resolved():
    doc = parse(
        "Resources:\n"
        "  B:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      NotificationConfiguration:\n"
        "        CloudWatchConfigurations: []\n"
        "      LifecycleConfiguration:\n"
        "        Rules:\n"
        "          - Status: enabled\n"
        "            ExpirationInDays: 30\n"
    )
    found = {(v.rule, v.path[3:]) for v in violations(doc)}
    assert found == {
        ("E3002", ("NotificationConfiguration", "CloudWatchConfigurations")),
        ("E3030", ("LifecycleConfiguration", "Rules", 0, "Status")),
    }


def test_intrinsics_are_not_judged():
    doc = parse("Resources:\n  L:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      RetentionInDays: !Ref Days\n")
    assert violations(doc) == []


def test_rename_needs_a_single_close_candidate():
    assert distance("RoleArn", "RoleARN") == 2 and distance("ab", "ba") == 1
    assert candidate("RoleArn", ["RoleARN", "Name"], set()) == ("RoleARN", "differs only in case")
    assert candidate("Nme", ["Name", "Nmes"], set())[0] is None  # two at distance 1
    assert candidate("RoleArn", ["RoleARN"], {"RoleARN"})[0] is None  # target already present


def test_engine_version_stays_in_its_line_and_product():
    assert replacement("mysql", "8.0.35", "aws_rds_dbinstance").startswith("8.0.")
    assert replacement("mysql", "5.7.44", "aws_rds_dbinstance") is None  # only paid Extended Support builds
    assert "limitless" not in replacement("aurora-postgresql", "16.1", "aws_rds_dbcluster")


def test_family_clears_schema_errors_from_a_generated_template():
    before = (
        "AWSTemplateFormatVersion: '2010-09-09'\n"
        "Resources:\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "    Properties:\n"
        "      NotificationConfiguration:\n"
        "        CloudWatchConfigurations:\n"
        "          - Event: s3:ObjectCreated:*\n"
        "  TrailBucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "  Trail:\n"
        "    Type: AWS::CloudTrail::Trail\n"
        "    Properties:\n"
        "      S3BucketName: !Ref TrailBucket\n"
        "  Logs:\n"
        "    Type: AWS::Logs::LogGroup\n"
        "    Properties:\n"
        "      RetentionInDays: 2555\n"
        "  Check:\n"
        "    Type: AWS::Route53::HealthCheck\n"
        "    Properties:\n"
        "      Type: HTTP\n"
        "      FullyQualifiedDomainName: example.com\n"
        "      ResourcePath: /\n"
        "  Key:\n"
        "    Type: AWS::KMS::Key\n"
        "    Properties:\n"
        "      KeyRotationStatus: true\n"
        "      KeyPolicy: {Version: '2012-10-17', Statement: []}\n"
    )
    assert {"E3002", "E3003", "E3030"} <= lint_codes(before)
    result = run_fixers(before, FAMILY)
    assert not result.unfixed
    assert not {"E3002", "E3003", "E3030"} & lint_codes(result.after)
    assert_fix_guarantees(before, result.after, result.changes, FAMILY)


def test_resource_type_candidates():
    from cfnfix.fixers.resource_type import candidates

    assert candidates("AWS::LambdaFunction", None)[:3] == (["AWS::Lambda::Function"], "is the same name spelt as CloudFormation spells it", True)
    assert candidates("AWS::CloudWatch::LogGroup", {"RetentionInDays": 7})[0] == ["AWS::Logs::LogGroup"]
    route = candidates("AWS::EC2::RouteTableAssociation", {"SubnetId": "s", "RouteTableId": "r"})
    assert route[0] == ["AWS::EC2::SubnetRouteTableAssociation"] and not route[2]
    assert candidates("AWS::IAM::AccountPasswordPolicy", {})[0] == []


def test_value_type_conversions():
    from cfnfix import schemas
    from cfnfix.fixers.value_type import conversion

    root = schemas.resource_schema("AWS::SecurityHub::Hub")
    tags = schemas.schema_at("AWS::SecurityHub::Hub", ("Resources", "H", "Properties", "Tags"))
    assert conversion(root, tags, [{"Key": "a", "Value": "b"}])[0] == {"a": "b"}
    assert conversion(root, tags, [{"Key": "a", "Value": "b"}, {"Key": "a", "Value": "c"}]) is None  # keys repeat
    fn = schemas.resource_schema("AWS::Lambda::Function")
    tracing = schemas.schema_at("AWS::Lambda::Function", ("Resources", "F", "Properties", "TracingConfig"))
    assert conversion(fn, tracing, "Active")[0] == {"Mode": "Active"}
    assert conversion(fn, tracing, {"Mode": "Active"}) is None


def test_value_type_one_object_becomes_the_list():
    from cfnfix import schemas
    from cfnfix.fixers.value_type import _REPORT, OneItem, conversion

    root = schemas.resource_schema("AWS::S3::Bucket")
    path = ("Resources", "B", "Properties", "BucketEncryption", "ServerSideEncryptionConfiguration")
    sse = schemas.schema_at("AWS::S3::Bucket", path)
    rule = {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
    assert conversion(root, sse, rule) == (OneItem(rule), "a single object written where the property takes a list "
                                           "of such objects; it is the list's one item")
    assert conversion(root, sse, {"SSEAlgorithm": "AES256"})[0] is _REPORT  # a key the items do not take
    assert conversion(root, sse, {"Fn::If": ["C", rule, {"Ref": "AWS::NoValue"}]})[0] is _REPORT
    assert conversion(root, sse, {"Fn::If": ["C", [rule], [rule]]}) is None  # branches are lists
    tags = schemas.schema_at("AWS::S3::Bucket", ("Resources", "B", "Properties", "Tags"))
    assert conversion(root, tags, {"Key": "team", "Value": "data"})[0] == OneItem({"Key": "team", "Value": "data"})
    assert conversion(root, tags, {"team": "data"})[0] == [{"Key": "team", "Value": "data"}]


def test_schema_at_keeps_a_path_per_index_and_walks_a_float_key():
    from cfnfix import schemas

    head = ("Resources", "G", "Properties", "SecurityGroupIngress")
    rule = schemas.schema_at("AWS::EC2::SecurityGroup", head + (0,))
    assert "IpProtocol" in rule["properties"]
    assert schemas.schema_at("AWS::EC2::SecurityGroup", head + (7,)) is rule  # every index: the items' schema
    # 0.0 == 0, so a cache keyed by the path would hand the item's schema to a mapping key 0.0,
    # which names no property of the list's schema
    assert schemas.schema_at("AWS::EC2::SecurityGroup", head + (0.0,)) == {}


def test_clean_properties_tell_types_apart_and_ignore_sharing():
    from cfnfix import schemas

    root = schemas.resource_schema("AWS::S3::Bucket")
    clean = schemas.CleanProperties()
    props = {"BucketName": "logs", "Count": 1}
    clean.add(clean.key(root, props), root, props)
    assert clean.key(root, props) is None
    assert clean.key(root, {"BucketName": "logs", "Count": 1}) is None  # another object, equal: known
    # what == joins is told apart: True is 1 and 1.0 to ==, not to the schema's checks
    assert clean.key(root, {"BucketName": "logs", "Count": True}) is not None
    assert clean.key(root, {"BucketName": "logs", "Count": 1.0}) is not None
    assert clean.key(root, {"Count": 1, "BucketName": "logs"}) is not None  # keys in another order
    # one string object in two places (as a parser that keeps one object per key writes it) is
    # the same properties as two equal strings: marshal's version 2 writes no back-references
    name = "".join(["lo", "gs"])
    shared = {"A": {"BucketName": name}, "B": {"BucketName": name}}
    clean.add(clean.key(root, shared), root, shared)
    apart = {"A": {"BucketName": "".join(["lo", "gs"])}, "B": {"BucketName": "".join(["lo", "gs"])}}
    assert clean.key(root, apart) is None


def test_parameter_type_spellings():
    from cfnfix.fixers.parameter_type import intended_type

    assert intended_type("string") == "String"
    assert intended_type("Numbers") == "Number"
    assert intended_type("List<AWS::EC2::Subnet::ID>") == "List<AWS::EC2::Subnet::Id>"
    assert intended_type("Integer") == "Number"
    assert intended_type("Boolean") is None
    assert intended_type("AWS::EC2::KeyPair::KeyName") is None  # already right


def test_alphanumeric_ids():
    from cfnfix.edits import alphanumeric_id

    assert alphanumeric_id("prod-vpc") == "prodVpc"
    assert alphanumeric_id("SchemaSync Lambda") == "SchemaSyncLambda"
    assert alphanumeric_id("Is-EC2-VPC") == "IsEC2VPC"
    assert alphanumeric_id("--") == ""

def _unsupported(text: str):
    from cfnfix.registry import all_fixers
    return all_fixers()["unsupported-property"]().find(parse(text))


def test_unsupported_property_names_its_action():
    found = _unsupported(
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyRotationEnabled: true\n"
        "  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      PublicReadPolicy: false\n      DependsOn: K\n")
    messages = sorted(f.message.split("; ")[1].split(" ")[0] for f in found)
    assert messages == ["lift:", "remove:", "rename"]
    assert all(f.fixable for f in found)


def test_unsupported_property_reports_instead_of_removing():
    found = _unsupported(
        "Resources:\n  S:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateBody: x\n"
        "  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-1\n      AssociatePublicIpAddress: true\n")
    assert [f.fixable for f in found] == [False, False]
    assert "flatten-nested-stacks" in found[0].message
    assert "NetworkInterfaces/*" in found[1].message


def test_macro_templates_are_left_alone():
    found = _unsupported("Transform: MyMacro\nResources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Foo: 1\n")
    assert [(f.fixable, "MyMacro" in f.message) for f in found] == [(False, True)]


def test_cloudtrail_bucket_arns_select_objects():
    from cfnfix.fixers.allowed_value import object_selector
    assert object_selector("arn:aws:s3:::b") == "arn:aws:s3:::b/"
    assert object_selector("arn:aws:s3:::b/logs/") == "arn:aws:s3:::b/logs/"
    assert object_selector({"Fn::GetAtt": ["B", "Arn"]}) == {"Fn::Sub": "${B.Arn}/"}
    assert object_selector({"Ref": "AWS::NoValue"}) is None


def test_resource_type_suffix_known_names_and_property_renames():
    from cfnfix.fixers.resource_type import candidates, renamed_properties

    policy = {"AutoScalingGroupName": "g", "PolicyType": "TargetTrackingScaling",
              "TargetTrackingConfiguration": {"TargetValue": 50}}
    assert candidates("AWS::AutoScaling::TargetTrackingScalingPolicy", policy)[0] == ["AWS::AutoScaling::ScalingPolicy"]
    assert candidates("AWS::SecurityHub::StandardsSubscription", {"StandardsArn": "a"})[0] == ["AWS::SecurityHub::Standard"]
    oai = "AWS::CloudFront::CloudFrontOriginAccessIdentity"
    assert renamed_properties(oai, {"OriginAccessIdentityConfig": {"Comment": "c"}}) == {
        "OriginAccessIdentityConfig": "CloudFrontOriginAccessIdentityConfig"}
    assert renamed_properties(oai, {"Config": {}, "Other": 1}) is None  # no single counterpart for each


def test_resource_type_account_settings_and_folds_report_what_blocks_them():
    template = """Resources:
  Bucket:
    Type: AWS::S3::Bucket
  Logging:
    Type: AWS::S3::BucketLoggingConfiguration
    Metadata: {note: kept}
    Properties:
      BucketName: !Ref Bucket
      LogFilePrefix: logs/
  Policy:
    Type: AWS::IAM::AccountPasswordPolicy
    Properties:
      MinimumPasswordLength: 14
Outputs:
  Policy:
    Value: !Ref Policy
"""
    result = run_fixers(template, ["resource-type"])
    assert result.after == template and not result.changes
    messages = {u.resource: u.message for u in result.unfixed}
    assert "'Metadata' has no place there" in messages["Logging"]
    assert "set it with `aws iam update-account-password-policy`; Outputs/Policy refer to it" in messages["Policy"]


def test_template_structure_keeps_every_value():
    template = """AWSTemplateFormatVersion: '2010-09-01'
Resources:
  Topic:
    Type: AWS::SNS::Topic
Outputs:
  TopicArn: !Ref Topic
  Truncated:
    Description
Notes: reviewed
"""
    result = run_fixers(template, ["template-structure"])
    assert "AWSTemplateFormatVersion: '2010-09-09'" in result.after
    assert "  TopicArn:\n    Value: !Ref Topic\n" in result.after
    assert "Metadata:\n  Notes: reviewed\n" in result.after
    assert [u.message for u in result.unfixed] == [
        "E6001 output 'Truncated' is not a mapping with a Value (a truncated template?); write `Value: ...` under it "
        "or remove it"]
    assert all(c.safety == "safe" for c in result.changes)
    assert_fix_guarantees(template, result.after, result.changes, ["template-structure"])


# ------------------------------------------------------------ issue 20, part C

def _find(fixer: str, text: str):
    from cfnfix.registry import all_fixers
    return all_fixers()[fixer]().find(parse(text))


def test_dependent_required_is_a_violation():
    doc = parse(
        "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      KeySchema: [{AttributeName: id, KeyType: HASH}]\n"
        "      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]\n"
        "      BillingMode: PAY_PER_REQUEST\n"
        "      SSESpecification: {SSEEnabled: true, KMSMasterKeyId: alias/app}\n")
    found = [(v.rule, v.path[3:], v.value) for v in violations(doc)]
    assert found == [("E3021", ("SSESpecification", "SSEType"), "KMSMasterKeyId")]
    (f,) = _find("required-property", doc.text)
    assert f.fixable and f.detail == "KMS"


SECURE = (
    "Resources:\n  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
    "      Name: /app/key\n      Type: SecureString\n      Value: x\n")


def test_secure_string_becomes_a_secret_only_when_nothing_reads_it():
    (f,) = _find("allowed-value", SECURE)
    assert f.fixable and "AWS::SecretsManager::Secret" in f.message
    depends = SECURE + "  Q:\n    Type: AWS::SNS::Topic\n    DependsOn: P\n"
    assert _find("allowed-value", depends)[0].fixable  # ordering only: a secret orders the same
    read = SECURE + "  Q:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !Ref P\n"
    (f,) = _find("allowed-value", read)  # read as a parameter, its value in clear text: a String parameter
    assert f.fixable and f.detail[0] == "string" and "Type becomes String" in f.message
    named = SECURE + "  Q:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !Sub 'x/app/key'\n"
    (f,) = _find("allowed-value", named)
    assert f.fixable and f.detail[0] == "string"
    secret = named.replace("Value: x", "Value: !Ref Secret") + "Parameters:\n  Secret: {Type: String, NoEcho: true}\n"
    (f,) = _find("allowed-value", secret)
    assert not f.fixable and "Q names the parameter '/app/key'" in f.message
    assert f.message.endswith("not downgraded to String: its value reads the NoEcho parameter Secret, a secret the "
                              "template does not show")


DOWNGRADE = (
    "Parameters:\n  Plain: {Type: String}\n  Hidden: {Type: String, NoEcho: 'True'}\n"
    "Resources:\n  Fn:\n    Type: Custom::Token\n    Properties: {ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:f}\n"
    "  Topic:\n    Type: AWS::SNS::Topic\n"
    "  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Name: /app/key\n      Type: SecureString\n"
    "      KmsKeyId: alias/app\n      Value: VALUE\n"
    "  Q:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: !Ref P\n")


def test_secure_string_downgrade_only_for_values_in_clear_text():
    def found(value: str, more: str = ""):
        (f,) = _find("allowed-value", DOWNGRADE.replace("VALUE", value) + more)
        return f
    for clear in ("x", "!Ref Plain", "!Ref Topic", "!GetAtt Topic.TopicName", "!Sub '${AWS::Region}-${Plain}-${Topic}'",
                  "!Join ['-', [a, !Ref AWS::AccountId]]", "!Sub ['${X}', {X: !GetAtt Topic.TopicArn}]"):
        assert found(clear).fixable, clear
    for secret, why in (("!Ref Hidden", "the NoEcho parameter Hidden"),
                        ("!Sub 'p-${Hidden}'", "the NoEcho parameter Hidden"),
                        ("!GetAtt Fn.Token", "an attribute of the custom resource Fn"),
                        ("!Sub '${Fn.Token}'", "an attribute of the custom resource Fn"),
                        ("'{{resolve:ssm-secure:/other}}'", "a dynamic reference"),
                        ("!Join ['', ['{{resolve:secretsmanager:s}}']]", "a dynamic reference"),
                        ("!ImportValue shared-secret", "an export of another stack"),
                        ("!Ref Nowhere", "Nowhere, which is defined nowhere")):
        f = found(secret)
        assert not f.fixable and "not downgraded to String: its value reads " + why in f.message, secret


def test_secure_string_downgrade_rewrites_only_its_own_ssm_secure_readers():
    from cfnfix.fixers.allowed_value import secure_readers
    doc = parse(DOWNGRADE.replace("VALUE", "x") + (
        "  R:\n    Type: AWS::RDS::DBInstance\n    Properties:\n"
        "      MasterUserPassword: '{{resolve:ssm-secure:/app/key:3}}'\n"
        "      MasterUsername: !Sub '{{resolve:ssm-secure:/app/other}}'\n"
        "      DBName: !Sub '{{resolve:ssm-secure:${P}}}'\n"))
    readers, unknown = secure_readers(doc, "P", "/app/key")
    assert not unknown
    assert [(s.path[-1], new) for s, new in readers] == [
        ("MasterUserPassword", "{{resolve:ssm:/app/key:3}}"), ("DBName", "{{resolve:ssm:${P}}}")]
    # a reference that may name it, or may not: reported, nothing changed
    for reader in ("!Sub '{{resolve:ssm-secure:/app/${Plain}}}'", "!Join ['', ['{{resolve:ssm-secure:', !Ref Plain, '}}']]"):
        text = DOWNGRADE.replace("VALUE", "x") + f"  R:\n    Type: AWS::SNS::Topic\n    Properties:\n      DisplayName: {reader}\n"
        (f,) = _find("allowed-value", text)
        assert not f.fixable and "cannot be compared with this parameter's name" in f.message, reader
    result = run_fixers(DOWNGRADE.replace("VALUE", "x"), ["unsupported-property", "allowed-value"])
    assert "KmsKeyId" not in result.after and "Type: String" in result.after
    assert [c.message for c in result.changes if c.path[-1] == "KmsKeyId"] == [
        "a String parameter has no KmsKeyId and CloudFormation has no other place for it: lost: this KMS key no "
        "longer encrypts the value, and its key policy no longer gates who reads it"]
    assert run_fixers(result.after, ["unsupported-property", "allowed-value"]).after == result.after


def test_reserved_lambda_variable_safety_follows_the_value():
    text = (
        "Resources:\n  F:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Role: arn:aws:iam::123456789012:role/r\n      Runtime: python3.12\n      Handler: index.handler\n"
        "      Code: {ZipFile: 'def handler(e, c): pass'}\n"
        "      Environment:\n        Variables:\n          AWS_REGION: eu-west-1\n"
        "          AWS_DEFAULT_REGION: !Ref AWS::Region\n          STAGE: dev\n")
    result = run_fixers(text, ["lambda-reserved-variable"])
    assert {c.path[-1]: c.safety.value for c in result.changes} == {"AWS_REGION": "review", "AWS_DEFAULT_REGION": "safe"}
    assert "STAGE: dev" in result.after and "AWS_" not in result.after
    assert '"eu-west-1" is dropped' in result.changes[0].message


def test_backup_lifecycle_keeps_backups_longer_never_shorter():
    text = (
        "Resources:\n  P:\n    Type: AWS::Backup::BackupPlan\n    Properties:\n      BackupPlan:\n"
        "        BackupPlanName: p\n        BackupPlanRule:\n          - RuleName: r\n            TargetBackupVault: v\n"
        "            Lifecycle: {DeleteAfterDays: 35, MoveToColdStorageAfterDays: 30}\n")
    (f,) = _find("backup-lifecycle", text)
    assert f.detail == 120 and "remove MoveToColdStorageAfterDays" in f.message


def test_guardduty_data_sources_that_disagree_with_features_are_reported():
    text = (
        "Resources:\n  D:\n    Type: AWS::GuardDuty::Detector\n    Properties:\n      Enable: true\n"
        "      DataSources: {S3Logs: {Enable: true}, Kubernetes: {AuditLogs: {Enable: false}}}\n"
        "      Features: [{Name: EKS_AUDIT_LOGS, Status: ENABLED}]\n")
    (f,) = _find("guardduty-features", text)
    assert not f.fixable and "Kubernetes/AuditLogs/Enable asks \"DISABLED\"" in f.message


def test_target_group_deregistration_delay_moves_to_its_attribute():
    text = (
        "Resources:\n  G:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n"
        "      Port: 80\n      Protocol: HTTP\n      VpcId: vpc-12345678\n      DeregistrationDelay: 45\n")
    result = run_fixers(text, ["unsupported-property"])
    props = parse(result.after).data["Resources"]["G"]["Properties"]
    assert props["TargetGroupAttributes"] == [{"Key": "deregistration_delay.timeout_seconds", "Value": "45"}]
    assert "DeregistrationDelay" not in props


def test_beanstalk_options_written_as_properties_each_get_their_own_option_settings_item():
    # the first creates OptionSettings, the others wait a pass and are appended after it: the
    # change log names the item each value landed in
    text = (
        "Resources:\n  App:\n    Type: AWS::ElasticBeanstalk::Application\n  Env:\n"
        "    Type: AWS::ElasticBeanstalk::Environment\n    Properties:\n      ApplicationName: !Ref App\n"
        "      ServiceRole: aws-elasticbeanstalk-service-role\n      InstanceType: t3.micro\n      MinSize: 2\n")
    result = run_fixers(text, ["unsupported-property"])
    props = parse(result.after).data["Resources"]["Env"]["Properties"]
    assert props == {"ApplicationName": {"Ref": "App"}, "OptionSettings": [
        {"Namespace": "aws:elasticbeanstalk:environment", "OptionName": "ServiceRole",
         "Value": "aws-elasticbeanstalk-service-role"},
        {"Namespace": "aws:autoscaling:launchconfiguration", "OptionName": "InstanceType", "Value": "t3.micro"},
        {"Namespace": "aws:autoscaling:asg", "OptionName": "MinSize", "Value": "2"}]}
    assert [(tuple(c.before), tuple(c.after)) for c in result.changes] == [
        (("ServiceRole",), ("OptionSettings", 0, "Value")), (("InstanceType",), ("OptionSettings", 1, "Value")),
        (("MinSize",), ("OptionSettings", 2, "Value"))]
    assert result.unfixed == [] and "E3002" not in lint_codes(result.after)


def test_a_stage_naming_its_api_by_getatt_takes_the_apis_stage_setting():
    text = (
        "Resources:\n  Api:\n    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: a\n"
        "      TracingEnabled: true\n  Stage:\n    Type: AWS::ApiGateway::Stage\n    Properties:\n"
        "      RestApiId: !GetAtt Api.RestApiId\n      DeploymentId: d-123\n      StageName: prod\n")
    result = run_fixers(text, ["unsupported-property"])
    resources = parse(result.after).data["Resources"]
    assert "TracingEnabled" not in resources["Api"]["Properties"]
    assert resources["Stage"]["Properties"]["TracingEnabled"] is True
    assert [c.action for c in result.changes] == ["move"]


def test_a_codebuild_retention_written_as_text_moves_and_a_shared_group_is_reported():
    project = ("  {name}:\n    Type: AWS::CodeBuild::Project\n    Properties:\n      LogsConfig:\n        CloudWatchLogs:\n"
               "          Status: ENABLED\n          GroupName: /aws/codebuild/{group}\n          RetentionInDays: '30'\n")
    alone = "Resources:\n" + project.format(name="Build", group="build")
    result = run_fixers(alone, ["unsupported-property"])
    assert parse(result.after).data["Resources"]["BuildLogGroup"]["Properties"] == {
        "LogGroupName": "/aws/codebuild/build", "RetentionInDays": "30"}
    shared = "Resources:\n" + project.format(name="Build", group="ci") + project.format(name="Test", group="ci")
    result = run_fixers(shared, ["unsupported-property"])
    assert result.after == shared
    assert [p.message.split("; ", 1)[1] for p in result.unfixed] == [
        "retention is a setting of the log group (GroupName), which Test also writes to: create one "
        "AWS::Logs::LogGroup of that name by hand",
        "retention is a setting of the log group (GroupName), which Build also writes to: create one "
        "AWS::Logs::LogGroup of that name by hand"]


def test_duplicate_resources_under_different_conditions_are_left_alone():
    text = (
        "Conditions:\n  A: !Equals [!Ref 'AWS::Region', us-east-1]\n  B: !Not [Condition: A]\n"
        "Resources:\n  L1:\n    Type: AWS::Logs::LogGroup\n    Condition: A\n    Properties:\n      LogGroupName: x\n"
        "  L2:\n    Type: AWS::Logs::LogGroup\n    Condition: B\n    Properties:\n      LogGroupName: x\n")
    assert _find("duplicate-resource", text) == []
    same = text.replace("Condition: B", "Condition: A")
    (f,) = _find("duplicate-resource", same)
    assert f.fixable and f.resource == "L2" and f.detail == "L1"



def test_duplicate_resources_are_found_among_resources_of_other_types():
    # resources alone of their type are passed over before their identifier is read; the two
    # of one type, declared apart, still make a pair
    text = (
        "Resources:\n  L1:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: x\n"
        "  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: x\n"
        "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: x\n"
        "  L2:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: x\n")
    (f,) = _find("duplicate-resource", text)
    assert f.resource == "L2" and f.detail == "L1"
    assert _find("duplicate-resource", text.replace("LogGroupName: x\n", "LogGroupName: y\n", 1)) == []


def test_children_take_the_schema_child_schema_gives_each_key():
    from cfnfix import schemas

    # a mapping's keys looked up together, from a table of resolved schemas: the same schema as
    # one key at a time, an integer key (YAML's ``1:``) and a $ref included
    root = {"properties": {"Name": {"type": "string"}, "Ref": {"$ref": "#/definitions/R"}},
            "patternProperties": {"^[a-z]+$": {"type": "integer"}},
            "items": {"type": "boolean"}, "definitions": {"R": {"type": "object"}}}
    value = {"Name": "n", "low": 1, 1: "one", "Other": 2, "Ref": {}}
    for _ in range(2):  # the table made, then taken
        assert schemas.resolved_children(root, root, value) == [
            (k, v, schemas.resolve(root, schemas.child_schema(root, root, k))) for k, v in value.items()]
    assert [schema for _, _, schema in schemas.resolved_children(root, root, value)] == [
        {"type": "string"}, {"type": "integer"}, {"type": "boolean"}, {}, {"type": "object"}]
    assert schemas.resolved_children(root, root, ["a", "b"]) == [(0, "a", {"type": "boolean"}), (1, "b", {"type": "boolean"})]


def test_primary_identifier_names_top_level_properties_only():
    from cfnfix import schemas

    assert schemas.primary_identifier("AWS::Logs::LogGroup") == ("LogGroupName",)
    assert schemas.primary_identifier("AWS::EC2::VPC") == ("VpcId",)
    assert schemas.primary_identifier("AWS::ACMPCA::Certificate") == ("Arn", "CertificateAuthorityArn")
    assert schemas.primary_identifier("AWS::QuickSight::RefreshSchedule") is None  # /properties/Schedule/ScheduleId
    assert schemas.primary_identifier("AWS::Not::AType") is None


_PIPELINE = (
    "Resources:\n  T:\n    Type: AWS::SNS::Topic\n{extra}"
    "  P:\n    Type: AWS::CodePipeline::Pipeline\n    Properties:\n      RoleArn: arn:aws:iam::123456789012:role/p\n"
    "      ArtifactStore: {{Type: S3, Location: b}}\n      Stages:\n"
    "        - Name: Source\n          Actions:\n            - Name: Get\n"
    "              ActionTypeId: {{Category: Source, Owner: AWS, Provider: S3, Version: '1'}}\n"
    "              Configuration: {{S3Bucket: s, S3ObjectKey: k}}\n"
    "              OnFailure:\n                ActionTypeId: {{Category: Invoke, Owner: AWS, Provider: SNS, Version: '1'}}\n"
    "                Configuration: {config}\n")


def test_action_on_failure_becomes_a_rule_only_for_a_plain_topic():
    plain = _unsupported(_PIPELINE.format(extra="", config="{TopicArn: !Ref T, Message: failed}"))
    assert [(f.fixable, f.detail.action) for f in plain] == [(True, "notify")]
    assert plain[0].detail.item["policy"] == "missing"
    reasons = {
        "TopicArn is not a Ref": _PIPELINE.format(extra="", config="{TopicArn: arn:aws:sns:us-east-1:123456789012:t}"),
        "placeholders": _PIPELINE.format(extra="", config="{TopicArn: !Ref T, Message: 'a <b>'}"),
        "does not let events.amazonaws.com publish": _PIPELINE.format(
            extra="  TP:\n    Type: AWS::SNS::TopicPolicy\n    Properties:\n      Topics: [!Ref T]\n"
                  "      PolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: s3.amazonaws.com}, "
                  "Action: 'sns:Publish', Resource: '*'}]}\n",
            config="{TopicArn: !Ref T}"),
        "more than TopicArn": _PIPELINE.format(extra="", config="{TopicArn: !Ref T, Subject: s}"),
    }
    for reason, text in reasons.items():
        (f,) = _unsupported(text)
        assert not f.fixable and reason in f.message, (reason, f.message)


def test_contained_name_is_not_taken_beside_a_key_naming_part_of_it():
    db = ("Resources:\n  D:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      Engine: mysql\n"
          "      DBInstanceClass: db.t3.micro\n      MasterUsername: admin\n      ManageUserPassword: true\n{extra}")
    (f,) = _unsupported(db.format(extra=""))
    assert f.fixable and f.detail.target == ("ManageMasterUserPassword",)
    (f,) = _unsupported(db.format(extra="      MasterUserPassword: '{{resolve:ssm:p}}'\n"))
    assert not f.fixable
    (f,) = _unsupported(db.format(extra="").replace("ManageUserPassword: true", "ManageUserPassword: [a]"))
    assert not (f.fixable and f.detail.action == "rename")


def test_unattached_policy_is_not_attached_across_conditions():
    text = ("Conditions:\n  C: !Equals [!Ref 'AWS::Region', us-east-1]\nResources:\n"
            "  AppRole:\n    Type: AWS::IAM::Role\n    Condition: C\n    Properties:\n"
            "      AssumeRolePolicyDocument: {Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
            "  AppPolicy:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n"
            "      PolicyDocument: {Statement: [{Effect: Allow, Action: 's3:GetObject', Resource: '*'}]}\n")
    (f,) = _find("required-property", text)
    assert not f.fixable and "exists only when C" in f.message


def test_policy_statement_leaves_trust_policies_and_not_resource_alone():
    text = ("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
            "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: Allow, "
            "Principal: {Service: ec2.amazonaws.com}, Action: 'sts:AssumeRole'}]}\n"
            "      Policies:\n        - PolicyName: p\n          PolicyDocument: {Version: '2012-10-17', Statement: "
            "[{Effect: Deny, NotAction: 's3:*', NotResource: 'arn:aws:s3:::b'}]}\n")
    assert _find("policy-statement", text) == []

def test_security_group_vpc_with_another_condition_is_reported():
    text = (
        "Conditions:\n  C: !Equals [a, b]\n"
        "Resources:\n"
        "  Vpc:\n    Type: AWS::EC2::VPC\n    Condition: C\n    Properties: {CidrBlock: 10.0.0.0/16}\n"
        "  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
        "      SecurityGroupEgress: [{IpProtocol: '-1', CidrIp: 0.0.0.0/0}]\n"
    )
    (f,) = [f for f in _find("required-property", text) if f.path[-1] == "VpcId"]
    assert not f.fixable and "exists only under condition 'C'" in f.message


def test_security_group_vpc_parameter_is_the_only_vpc():
    text = (
        "Parameters:\n  Net:\n    Type: AWS::EC2::VPC::Id\n"
        "Resources:\n"
        "  Group:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
        "      SecurityGroupEgress: [{IpProtocol: '-1', CidrIp: 0.0.0.0/0}]\n"
    )
    (f,) = _find("required-property", text)
    assert f.fixable and f.detail.value == {"Ref": "Net"} and "only VPC parameter" in f.message


def test_fold_value_that_does_not_fit_deep_is_reported():
    text = (
        "Resources:\n"
        "  B:\n    Type: AWS::S3::Bucket\n"
        "  N:\n    Type: AWS::S3::BucketNotification\n    Properties:\n      Bucket: !Ref B\n"
        "      LambdaConfigurations:\n        - Events: ['s3:ObjectCreated:*']\n"
        "          LambdaFunctionArn: arn:aws:lambda:us-east-1:123456789012:function:f\n"
    )
    (f,) = _find("resource-type", text)
    assert not f.fixable and "do not fit NotificationConfiguration" in f.message


def test_logical_id_clash_leaves_ambiguous_refs_to_a_person():
    text = (
        "Parameters:\n  Topic:\n    Type: String\n"
        "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Properties:\n      TopicName: !Ref Topic\n"
        "Outputs:\n  Arn:\n    Value: !GetAtt Topic.TopicArn\n"
    )
    (f,) = _find("logical-id-clash", text)
    assert f.fixable and [p for _, p, _ in f.detail] == [("Outputs", "Arn", "Value")]


LOOKALIKE_ROLE = (
    "Resources:\n"
    "  Role:\n"
    "    Type: AWS::IAM::Role\n"
    "    Properties:\n"
    "      AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: []}\n"
    "      Tags:\n"
    "        - {Key: project, Value: %s}\n"
)


def test_lookalike_characters_that_fail_the_pattern_are_replaced_in_place():
    text = LOOKALIKE_ROLE % "'env\u2011security'"
    (f,) = _find("allowed-value", text)
    assert f.message == (
        "E3031 AWS::IAM::Role: Tags/0/Value 'env\u2011security' is written with characters that only look like "
        "'env-security' (U+2011); the schema's pattern ^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$ rejects it and accepts "
        "'env-security'")
    result = run_fixers(text, ["allowed-value"])
    assert result.after == LOOKALIKE_ROLE % "'env-security'"
    assert [c.safety.value for c in result.changes] == ["safe"]


def test_lookalike_characters_are_left_where_the_schema_accepts_them_or_more_is_wrong():
    assert not _find("allowed-value", LOOKALIKE_ROLE % "'Ops\u00a0North'")  # \p{Z} takes a no-break space
    assert not _find("allowed-value", LOOKALIKE_ROLE % "'env\u2011security!'")  # '!' fails as well: not only look-alikes
    topic = "Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Tags: [{Key: a, Value: 'x\u2011y'}]\n"
    assert not _find("allowed-value", topic)  # no pattern on SNS tag values


def test_lookalike_characters_written_as_escapes_in_ascii_text_are_found():
    from cfnfix import lookalikes

    (f,) = _find("allowed-value", LOOKALIKE_ROLE % '"env\\u2011security"')  # the text is ASCII, the value is not
    assert f.message.startswith("E3031 AWS::IAM::Role: Tags/0/Value 'env\u2011security' is written with")
    assert lookalikes.may_hold_lookalikes('Value: "Ops\\_North"')  # YAML's escape of a no-break space
    assert not lookalikes.may_hold_lookalikes(LOOKALIKE_ROLE % "'env-security\\n'")  # nothing walked


def test_lookalike_table():
    from cfnfix import lookalikes

    assert lookalikes.plain("redirect\u2011to\u2013https\u00a0x\u200by") == "redirect-to-https xy"
    assert lookalikes.named("a\u2011b\u2011c\u2212") == "U+2011, U+2212"
def test_secure_string_readers_of_a_parameter_without_a_name():
    from cfnfix.fixers.allowed_value import secure_readers
    reader = "  R:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: {}\n"
    unnamed = DOWNGRADE.replace("VALUE", "x").replace("      Name: /app/key\n", "")
    for text, verdict in (("'{{resolve:ssm-secure:/other}}'", ([], "")),
                          ("!Sub '{{resolve:ssm-secure:/other}}'", ([], "")),
                          ("!Sub '{{resolve:ssm-secure:/${Plain}}}'", None)):
        readers, unknown = secure_readers(parse(unnamed + reader.format(text)), "P", None)
        assert ((readers, unknown) == verdict) if verdict else (not readers and unknown), text
    computed = DOWNGRADE.replace("VALUE", "x").replace("Name: /app/key", "Name: !Join ['/', ['', app, key]]")
    readers, unknown = secure_readers(parse(computed + reader.format("'{{resolve:ssm-secure:/app/key}}'")), "P",
                                      {"Fn::Join": ["/", ["", "app", "key"]]})
    assert not readers and "cannot" not in unknown and "/app/key" in unknown
def test_resource_type_moves_tag_and_profile_into_the_instance():
    text = (
        "Resources:\n"
        "  P:\n    Type: AWS::IAM::InstanceProfile\n    Properties:\n      Roles: [r]\n"
        "  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-12345678\n"
        "  T:\n    Type: AWS::EC2::Tag\n    Properties:\n      ResourceId: !Ref I\n      Key: Backup\n      Value: 'yes'\n"
        "  A:\n    Type: AWS::EC2::AssociateIamInstanceProfile\n    Properties:\n      InstanceId: !Ref I\n"
        "      IamInstanceProfile: !GetAtt P.Arn\n"
    )
    result = run_fixers(text, ["resource-type"])
    messages = sorted({c.message for c in result.changes})
    assert messages == [
        "E3006 resource type 'AWS::EC2::AssociateIamInstanceProfile' does not exist; an instance's profile is its "
        "IamInstanceProfile property: 'I', named by InstanceId, gets IamInstanceProfile {\"Ref\": \"P\"} (Ref of 'P', "
        "its name, for its ARN)",
        "E3006 resource type 'AWS::EC2::Tag' does not exist; CloudFormation tags the resources it creates through "
        "their Tags: tag 'Backup'='yes' moved into the Tags of 'I', named by ResourceId",
    ]
    assert all(c.safety.value == "review" for c in result.changes)
    assert "IamInstanceProfile: !Ref P" in result.after and "- Key: Backup" in result.after
    assert_fix_guarantees(text, result.after, result.changes, ["resource-type"])


def test_resource_type_profile_names():
    from cfnfix.fixers.resource_type import _profile_name

    doc = parse("Parameters:\n  N:\n    Type: String\nResources:\n  P:\n    Type: AWS::IAM::InstanceProfile\n")
    assert _profile_name(doc, "arn:aws:iam::123456789012:instance-profile/a/b/web")[0] == "web"
    assert _profile_name(doc, "web")[0] == "web"
    assert _profile_name(doc, {"Name": {"Ref": "P"}})[0] == {"Ref": "P"}
    assert _profile_name(doc, {"Fn::GetAtt": "P.Arn"})[0] == {"Ref": "P"}
    assert _profile_name(doc, {"Ref": "N"})[0] is None
    assert _profile_name(doc, "arn:aws:iam::123456789012:role/web")[0] is None
    assert _profile_name(doc, {"Fn::Sub": "${AWS::StackName}-p"})[0] is None


def test_resource_type_attaching_group_message_and_no_op():
    text = (
        "Resources:\n"
        "  G:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n      MinSize: '1'\n      MaxSize: '1'\n"
        "      LaunchConfigurationName: lc\n      AvailabilityZones: [us-east-1a]\n      TargetGroupARNs: [tg1]\n"
        "  Attach:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties:\n"
        "      AutoScalingGroupName: !Ref G\n      TargetGroupARNs: [tg1]\n"
    )
    (f,) = _find("resource-type", text)
    assert f.fixable and f.detail.merges == () and f.message.endswith(
        "; 'G' already lists all of it, so 'Attach' goes and nothing is lost")
    result = run_fixers(text, ["resource-type"])
    assert [c.safety.value for c in result.changes] == ["safe"] and "Attach" not in result.after


def test_unsupported_property_builds_the_primary_interface():
    text = (
        "Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-12345678\n"
        "      SubnetId: subnet-12345678\n      SecurityGroupIds: [sg-12345678]\n      AssociatePublicIpAddress: true\n"
    )
    result = run_fixers(text, ["unsupported-property"])
    assert {c.message for c in result.changes} == {
        "E3002 AWS::EC2::Instance: 'AssociatePublicIpAddress' is not a property of the resource; CloudFormation "
        "accepts it in NetworkInterfaces/*, not here; move: it is a setting of the primary network interface, and an "
        "instance with NetworkInterfaces takes its subnet and security groups there only: NetworkInterfaces gets one "
        "interface with DeviceIndex '0', AssociatePublicIpAddress and the instance's own SubnetId, SecurityGroupIds "
        "as GroupSet (moved, not copied); a deployed instance is replaced"}
    assert {c.safety.value for c in result.changes} == {"review"}
    assert parse(result.after).data["Resources"]["I"]["Properties"] == {"ImageId": "ami-12345678", "NetworkInterfaces": [
        {"AssociatePublicIpAddress": True, "DeviceIndex": "0", "SubnetId": "subnet-12345678", "GroupSet": ["sg-12345678"]}]}
    assert_fix_guarantees(text, result.after, result.changes, ["unsupported-property"])


def test_unsupported_property_rewrites_an_instance_holding_only_interface_keys():
    text = ("Resources:\n  I:\n    Type: AWS::EC2::Instance\n    Properties:\n      SubnetId: subnet-12345678\n"
            "      AssociatePublicIpAddress: true\n")
    result = run_fixers(text, ["unsupported-property"])
    assert parse(result.after).data["Resources"]["I"]["Properties"] == {"NetworkInterfaces": [
        {"AssociatePublicIpAddress": True, "DeviceIndex": "0", "SubnetId": "subnet-12345678"}]}
    assert_fix_guarantees(text, result.after, result.changes, ["unsupported-property"])


EGRESS_GROUP = ("  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
                "      SecurityGroupEgress: [{IpProtocol: '-1', CidrIp: 0.0.0.0/0}]\n")


def test_required_property_vpc_parameter_for_groups_in_a_template_without_vpc():
    text = "Resources:\n  VpcId:\n    Type: AWS::SNS::Topic\n" + EGRESS_GROUP
    (f,) = _find("required-property", text)
    assert f.fixable and f.detail.name == "VpcId2" and f.message.endswith(
        "egress rules exist only for groups in a VPC, and the template defines no VPC: VpcId is set to new parameter "
        "'VpcId2' (type AWS::EC2::VPC::Id, no default), which the deployer must pass (the default VPC's id keeps the "
        "group where it was; the group is replaced, into that VPC)")
    result = run_fixers(text, ["required-property"])
    assert [(c.path, c.safety.value) for c in result.changes] == [
        (("Parameters", "VpcId2"), "review"), (("Resources", "G", "Properties", "VpcId"), "review")]
    assert result.changes[0].message == (
        "E3021 add: parameter 'VpcId2', the VPC of the security groups whose egress rules need one; the template "
        "defines none, so the deployer must pass it")
    assert_fix_guarantees(text, result.after, result.changes, ["required-property"])


def test_required_property_vpc_parameter_refused_when_the_group_is_named_with_others():
    text = ("Resources:\n" + EGRESS_GROUP + "  I:\n    Type: AWS::EC2::Instance\n    Properties:\n"
            "      ImageId: ami-12345678\n      SecurityGroups: [!Ref G, default]\n")
    (f,) = _find("required-property", text)
    assert not f.fixable and "'I' lists it in SecurityGroups with other groups" in f.message


WAF_ACL = ("Resources:\n  Acl:\n    Type: AWS::WAFv2::WebACL\n    Properties:\n      Name: {name}\n"
           "      Scope: REGIONAL\n      DefaultAction: {{Allow: {{}}}}\n"
           "      VisibilityConfig: {{SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl}}\n"
           "      Rules:\n        - {rule}\n")


def test_waf_managed_rule_group_statement():
    from cfnfix.waf import managed_rule_group

    assert managed_rule_group("AWS-AWSManagedRulesAmazonIpReputationList") == "AWSManagedRulesAmazonIpReputationList"
    assert managed_rule_group("AWSManagedRulesCommonRuleSet") == "AWSManagedRulesCommonRuleSet"
    assert managed_rule_group("MyRules") is None and managed_rule_group({"Ref": "N"}) is None
    vis = "VisibilityConfig: {SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: r}"
    (f,) = _find("required-property", WAF_ACL.format(name="acl", rule=(
        "{Name: AWSManagedRulesSQLiRuleSet, Priority: 0, OverrideAction: {None: {}}, " + vis + "}")))
    assert f.fixable and f.detail == ("statement", {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesSQLiRuleSet"}})
    assert f.message == (
        "E3003 AWS::WAFv2::WebACL: required property 'Statement' is missing from Rules/0; the rule is named for the "
        "AWS managed rule group AWSManagedRulesSQLiRuleSet and has an OverrideAction, which only a rule group reference "
        "takes: its Statement is ManagedRuleGroupStatement (VendorName: AWS, Name: AWSManagedRulesSQLiRuleSet); the web "
        "ACL now inspects requests with that group")
    # no OverrideAction: an Action rule inspects what only its author knows
    (f,) = _find("required-property", WAF_ACL.format(name="acl", rule=(
        "{Name: AWSManagedRulesSQLiRuleSet, Priority: 0, Action: {Block: {}}, " + vis + "}")))
    assert not f.fixable and "write its Statement by hand" in f.message


def test_waf_visibility_config_metric_names():
    statement = "Statement: {ManagedRuleGroupStatement: {VendorName: AWS, Name: AWSManagedRulesCommonRuleSet}}"
    rule = "{Name: %s, Priority: 0, OverrideAction: {None: {}}, " + statement + "}"
    (f,) = _find("required-property", WAF_ACL.format(name="acl", rule=rule % "AWS-AWSManagedRulesCommonRuleSet"))
    assert f.detail == ("visibility", {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                                       "MetricName": "AWS-AWSManagedRulesCommonRuleSet"})
    assert f.message == (
        "E3003 AWS::WAFv2::WebACL: required property 'VisibilityConfig' is missing from rule "
        "'AWS-AWSManagedRulesCommonRuleSet' of Acl; completed as the AWS WAF console does by default: "
        "SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: AWS-AWSManagedRulesCommonRuleSet "
        "(the rule's Name); AWS WAF now keeps samples of the requests it inspects and sends CloudWatch metrics for it")
    # a name with a space, or a reserved metric name: the logical id and the rule's position
    (f,) = _find("required-property", WAF_ACL.format(name="acl", rule=rule % "'common rules'"))
    assert f.detail[1]["MetricName"] == "Acl-Rule1"
    (f,) = _find("required-property", WAF_ACL.format(name="acl", rule=rule % "All"))
    assert f.detail[1]["MetricName"] == "Acl-Rule1"
    # keys present are kept: only the missing ones are added
    text = WAF_ACL.format(name="acl", rule=rule % "common").replace(
        "VisibilityConfig: {SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl}",
        "VisibilityConfig: {CloudWatchMetricsEnabled: false}")
    (f,) = [f for f in _find("required-property", text) if f.path == ("Resources", "Acl", "Properties", "VisibilityConfig")]
    assert f.detail == ("visibility", {"SampledRequestsEnabled": True, "MetricName": "acl"})
    assert f.message.endswith("SampledRequestsEnabled: true, MetricName: acl (the resource's Name); the keys present "
                              "are kept; AWS WAF now keeps samples of the requests it inspects for it")


REFERENCE_FORMAT = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  RoleName:
    Type: String
Resources:
  TaskExecutionRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: ecs-tasks.amazonaws.com}
            Action: sts:AssumeRole
  Named:
    Type: Custom::RoleMaker
    Properties:
      ServiceToken: arn:aws:lambda:us-east-1:123456789012:function:maker
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ExecutionRoleArn: !Ref TaskExecutionRole
      TaskRoleArn: !Ref RoleName
      ContainerDefinitions:
        - Name: app
          Image: nginx
  Other:
    Type: AWS::ECS::TaskDefinition
    Properties:
      ExecutionRoleArn: !Ref Named
      ContainerDefinitions:
        - Name: app
          Image: nginx
"""


def test_reference_format_ref_to_role_becomes_its_arn():
    result = run_fixers(REFERENCE_FORMAT, ["reference-format"])
    assert [c.message for c in result.changes] == [
        "E1041 ExecutionRoleArn: Ref TaskExecutionRole gives its RoleName, not the AWS::IAM::Role.Arn the property "
        "takes; it becomes Fn::GetAtt TaskExecutionRole.Arn, the same AWS::IAM::Role in the form the property takes "
        "(TaskDefinition is updated to the new value)"]
    assert [c.safety.value for c in result.changes] == ["review"]
    assert "ExecutionRoleArn: !GetAtt TaskExecutionRole.Arn\n" in result.after
    # a parameter's value is the stack's to give, a custom resource's Ref is whatever it returns
    assert "TaskRoleArn: !Ref RoleName\n" in result.after and "ExecutionRoleArn: !Ref Named\n" in result.after
    assert "E1041" in lint_codes(REFERENCE_FORMAT) and "E1041" not in lint_codes(result.after)
    assert run_fixers(result.after, ["reference-format"]).after == result.after


def test_reference_format_security_group_with_vpc_gives_its_id():
    text = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Vpc:
    Type: AWS::EC2::VPC::Id
Resources:
  Web:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: web
      VpcId: !Ref Vpc
  Db:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 5432
          ToPort: 5432
          SourceSecurityGroupId: !Ref Web
"""
    assert run_fixers(text, ["reference-format"]).after == text
    without_vpc = text.replace("      GroupDescription: web\n      VpcId: !Ref Vpc\n", "      GroupDescription: web\n")
    result = run_fixers(without_vpc, ["reference-format"])
    assert "SourceSecurityGroupId: !GetAtt Web.GroupId\n" in result.after



def test_reference_format_leaves_another_types_attribute_alone():
    text = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Balancer:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      AvailabilityZones: !GetAZs ""
      Listeners:
        - LoadBalancerPort: "80"
          InstancePort: "80"
          Protocol: HTTP
  InstanceGroup:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: from the balancer only
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          SourceSecurityGroupOwnerId: !GetAtt Balancer.SourceSecurityGroup.OwnerAlias
          SourceSecurityGroupName: !GetAtt Balancer.SourceSecurityGroup.GroupName
"""
    assert "E1040" in lint_codes(text)  # cfn-lint's view; the balancer's attribute is a group name
    assert run_fixers(text, ["reference-format"]).after == text
    assert not run_fixers(text, ["reference-format"]).unfixed


def test_reference_format_reads_a_place_through_if_branches_but_not_into_other_functions():
    """The schema of a call's place is looked up directly only for a call under plain mappings
    and lists: in an Fn::If branch the walk takes the branch, inside an Fn::Join it stops."""
    text = REFERENCE_FORMAT.replace("ExecutionRoleArn: !Ref TaskExecutionRole",
                                    "ExecutionRoleArn: !If [Always, !Ref TaskExecutionRole, !Ref AWS::NoValue]")
    text = text.replace("Resources:", "Conditions:\n  Always: !Equals [a, a]\nResources:", 1)
    assert "ExecutionRoleArn: !If [Always, !GetAtt TaskExecutionRole.Arn, !Ref AWS::NoValue]\n" in \
        run_fixers(text, ["reference-format"]).after
    joined = REFERENCE_FORMAT.replace("ExecutionRoleArn: !Ref TaskExecutionRole",
                                      "ExecutionRoleArn: !Join ['', [!Ref TaskExecutionRole]]")
    assert run_fixers(joined, ["reference-format"]).after == joined


# ------------------------------------------------------------ issue 20, part B (session 5)

def test_condition_first_colon_field_becomes_an_arn_test():
    template = """Parameters:
  TopicNameOrArn: {Type: String}
Conditions:
  CreateTopic: !Not [!Select [0, !Split [':', !Ref TopicNameOrArn]]]
  GivenArn: !Equals [!Select [0, !Split [':', !Ref TopicNameOrArn]], arn]
Rules:
  Named:
    Assertions:
      - Assert: !Not [!Equals [!Ref TopicNameOrArn, '']]
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Condition: CreateTopic
Outputs:
  Given:
    Condition: GivenArn
    Value: !Ref TopicNameOrArn
"""
    result = run_fixers(template, ["template-structure"])
    assert "  CreateTopic: !Not [!Equals [!Select [0, !Split [':', !Ref TopicNameOrArn]], arn]]\n" in result.after
    assert "  GivenArn: !Equals [!Select [0, !Split [':', !Ref TopicNameOrArn]], arn]\n" in result.after
    [change] = result.changes
    assert change.safety == "review" and change.path == ("Conditions", "CreateTopic", "Fn::Not", 0)
    assert change.message == (
        "E8005 condition 'CreateTopic' at Fn::Not/0 is the first ':' field of Ref TopicNameOrArn, not a boolean; the "
        "first field of an ARN is 'arn', so the test meant is that it is an ARN: it becomes Fn::Equals [<that field>, "
        "'arn'] (the condition now evaluates)")
    assert run_fixers(template, ["template-structure"], unsafe_fixes=False).after == template
    assert_fix_guarantees(template, result.after, result.changes, ["template-structure"])


def test_condition_other_non_booleans_are_reported():
    template = """Parameters:
  Name: {Type: String, Default: ''}
Conditions:
  HasName: !Ref Name
  Both: !Or [!Condition HasName]
  Either: !If [HasName, true, false]
  Literal: true
Resources:
  Topic:
    Type: AWS::SNS::Topic
"""
    result = run_fixers(template, ["template-structure"])
    assert result.after == template and not result.changes
    assert [u.message for u in result.unfixed] == [
        "E8001 condition 'HasName' is Ref Name, not a boolean; a condition must be Fn::Equals, Fn::Not, Fn::And, "
        "Fn::Or or Condition: write the test meant",
        "E8006 condition 'Both': Fn::Or takes a list of 2 to 10 items, it has 1 item; write the test meant by hand",
        "E8001 condition 'Either' is Fn::If, not a boolean; a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or "
        "or Condition: write the test meant"]


RESERVED = """Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: {engine}
      MasterUsername: {name}
      ManageMasterUserPassword: true
"""


def test_reserved_master_username_becomes_the_engine_default():
    template = RESERVED.format(engine="aurora-postgresql", name="admin") + """Outputs:
  Connect:
    Value: !Sub 'psql -U admin -h ${Cluster.Endpoint.Address}'
"""
    result = run_fixers(template, ["allowed-value"])
    assert "      MasterUsername: postgres\n" in result.after
    [change] = result.changes
    assert change.safety == "review" and change.before == "admin" and change.after == "postgres"
    assert change.message == (
        "E3002 AWS::RDS::DBCluster Cluster: MasterUsername 'admin' is reserved (a reserved word of aurora-postgresql): "
        "RDS refuses to create the database with it, so nothing deployed carries the name; it becomes 'postgres', the "
        "default master user name of aurora-postgresql (the database user's name changes: clients must log in as "
        "'postgres'); 'admin' is also written at Outputs/Connect/Value/Fn::Sub, not changed: change it to 'postgres' "
        "by hand where it means the database user")
    assert run_fixers(result.after, ["allowed-value"]).after == result.after
    assert_fix_guarantees(template, result.after, result.changes, ["allowed-value"])


def test_reserved_master_username_left_alone_where_the_engine_allows_it_or_it_is_not_known():
    for engine, name in (("aurora-mysql", "admin"), ("mysql", "admin"), ("aurora-postgresql", "dbadmin"),
                         ("!Ref Engine", "admin"), ("aurora-postgresql", "!Sub '${AWS::StackName}'")):
        template = RESERVED.format(engine=engine, name=name)
        assert not _find("allowed-value", template), (engine, name)
    member = RESERVED.replace("DBCluster", "DBInstance").format(engine="aurora-postgresql", name="admin")
    assert not _find("allowed-value", member.replace("Engine:", "DBClusterIdentifier: c\n      Engine:"))


def test_reserved_master_username_parameter_pattern_refusing_the_default_is_reported():
    template = """Parameters:
  User: {Type: String, Default: admin, AllowedPattern: '^[a-z]{3,6}$'}
""" + RESERVED.format(engine="postgres", name="!Ref User").replace("DBCluster", "DBInstance")
    [found] = _find("allowed-value", template)
    assert not found.fixable
    assert found.message.endswith("'postgres', the engine's default master user name, cannot become the parameter's "
                                  "Default: its AllowedPattern refuses it; choose a name by hand")


def test_reserved_master_username_of_a_secret_outside_the_template_is_left_alone():
    template = RESERVED.format(engine="aurora-postgresql",
                               name="'{{resolve:secretsmanager:shared-db:SecretString:username}}'")
    assert not _find("allowed-value", template)


def test_reserved_master_username_shared_parameter_is_one_fix():
    template = """Parameters:
  User: {Type: String, Default: admin}
""" + RESERVED.format(engine="aurora-postgresql", name="!Ref User") + """  Other:
    Type: AWS::RDS::DBCluster
    Properties:
      Engine: aurora-postgresql
      MasterUsername: !Ref User
      ManageMasterUserPassword: true
"""
    result = run_fixers(template, ["allowed-value"])
    assert "  User: {Type: String, Default: postgres}\n" in result.after and not result.unfixed
    [change] = result.changes
    assert change.path == ("Parameters", "User", "Default")
    assert change.message.endswith("; Other reads the same name and changes with it")
    assert_fix_guarantees(template, result.after, result.changes, ["allowed-value"])

def test_twin_subnet_names_zones_and_blocks():
    from cfnfix.subnet_twin import adapt_text, free_block, next_zone, twin_base
    import ipaddress

    assert [twin_base(n) for n in ("PublicSubnet1", "PublicSubnet", "WebSubnetA", "Subnet1Public", "SubnetDMZ")] == [
        "PublicSubnet2", "PublicSubnet2", "WebSubnetB", "Subnet2Public", "SubnetDMZ2"]
    assert adapt_text("${Env}-public-subnet-1", "PublicSubnet1", "PublicSubnet2") == "${Env}-public-subnet-2"
    assert adapt_text("10.0.1.0/24 in 1", "PublicSubnet1", "PublicSubnet2") == "10.0.1.0/24 in 2"
    assert adapt_text("PublicSubnet10", "PublicSubnet1", "PublicSubnet2") == "PublicSubnet10"
    assert adapt_text("web-a", "WebSubnetA", "WebSubnetB") == "web-b"
    assert next_zone({"Fn::Select": [0, {"Fn::GetAZs": ""}]})[0] == {"Fn::Select": [1, {"Fn::GetAZs": ""}]}
    # a third zone is not in every region: any index past 0 gives 0
    assert next_zone({"Fn::Select": ["2", {"Fn::GetAZs": ""}]})[0] == {"Fn::Select": ["0", {"Fn::GetAZs": ""}]}
    assert next_zone("us-east-1a")[0] is None and next_zone(None)[0] is None
    net = ipaddress.IPv4Network
    vpc = net("10.0.0.0/24")
    taken = [net("10.0.0.128/26"), net("10.0.0.192/26"), net("10.0.0.0/26")]
    assert free_block(vpc, net("10.0.0.192/26"), taken) == net("10.0.0.64/26")  # wraps round
    assert free_block(vpc, net("10.0.0.0/25"), [net("10.0.0.0/25"), net("10.0.0.200/32")]) is None


def test_twin_subnet_reports_what_it_cannot_plan():
    head = ("Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/24\n"
            "  A:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc\n      CidrBlock: 10.0.0.0/25\n"
            "      AvailabilityZone: !Select [0, !GetAZs '']\n")
    lb = "  Lb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      Subnets: [!Ref A]\n"
    full = head + "  B:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc\n      CidrBlock: 10.0.0.128/25\n" + lb
    result = run_fixers(full, ["required-property"])
    assert result.after == full
    assert [u.message.split("; ", 1)[1] for u in result.unfixed] == [
        "Vpc's 10.0.0.0/24 has no free block the size of 10.0.0.0/25 left: add the second subnet by hand"]
    zone_id = head.replace("AvailabilityZone: !Select [0, !GetAZs '']", "AvailabilityZoneId: use1-az1") + lb
    assert "AvailabilityZoneId" in run_fixers(zone_id, ["required-property"]).unfixed[0].message
    # without --unsafe-fixes the twin is shown, not written
    shown = run_fixers(head + lb, ["required-property"], unsafe_fixes=False)
    assert shown.after == head + lb and shown.available
    fixed = run_fixers(head + lb, ["required-property"])
    assert "CidrBlock: 10.0.0.128/25" in fixed.after and "Subnets: [!Ref A, !Ref A2]" in fixed.after
    assert_fix_guarantees(head + lb, fixed.after, fixed.changes, ["required-property"])


def test_twin_subnet_reads_mapped_blocks_but_leaves_a_mapped_subnet_to_its_author():
    text = ("Mappings:\n  Net:\n    Vpc:\n      Cidr: 10.0.0.0/16\n    Public:\n      Cidr: 10.0.0.0/24\n"
            "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: !FindInMap [Net, Vpc, Cidr]\n"
            "  Public:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc\n"
            "      CidrBlock: !FindInMap [Net, Public, Cidr]\n      AvailabilityZone: !Select [0, !GetAZs '']\n"
            "  Other:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: !Ref Vpc\n      CidrBlock: 10.0.1.0/24\n"
            "  Lb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n      Subnets: [!Ref Public]\n")
    result = run_fixers(text, ["required-property"])
    assert result.after == text
    assert "the free block 10.0.2.0/24 of Vpc would do" in result.unfixed[0].message
    mapped_vpc = text.replace("CidrBlock: !FindInMap [Net, Public, Cidr]", "CidrBlock: 10.0.0.0/24")
    fixed = run_fixers(mapped_vpc, ["required-property"])
    assert "CidrBlock: 10.0.2.0/24" in fixed.after
    assert_fix_guarantees(mapped_vpc, fixed.after, fixed.changes, ["required-property"])

LAMBDA_ROLE = """Conditions:
  IsEast: !Equals [!Ref 'AWS::Region', us-east-1]
Resources:
  Role:
    Type: AWS::IAM::Role{role_extra}
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal:
              Service: {service}
            Action: sts:AssumeRole{policies}
  Fn:
    Type: AWS::Lambda::Function{fn_extra}
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Code:
        ZipFile: |
          def handler(event, context):
              return event
"""


def _lambda_role(service="lambda.amazonaws.com", role_extra="", fn_extra="", policies=""):
    template = LAMBDA_ROLE.format(service=service, role_extra=role_extra, fn_extra=fn_extra, policies=policies)
    return template, run_fixers(template, ["required-property"])


def test_lambda_role_from_the_one_role_lambda_may_assume():
    for service in ("lambda.amazonaws.com", "[states.amazonaws.com, lambda.amazonaws.com]",
                    "!Sub 'lambda.${AWS::URLSuffix}'"):
        before, result = _lambda_role(service)
        assert "      Role: !GetAtt Role.Arn\n" in result.after, service
        [change] = result.changes
        assert change.safety == "review" and change.path == ("Resources", "Fn", "Properties", "Role")
        assert change.message.endswith("Role is the template's one IAM role whose trust policy lets lambda.amazonaws.com "
                                       "assume it: Role: !GetAtt Role.Arn. Review: the function runs with that role's permissions")
        assert "E3003" not in lint_codes(result.after)
        assert_fix_guarantees(before, result.after, result.changes, ["required-property"])


def test_lambda_role_reported_when_not_plain():
    cases = {
        "no role": (dict(service="states.amazonaws.com"), "no IAM role of the template lets lambda.amazonaws.com assume it"),
        "conditional role": (dict(role_extra="\n    Condition: IsEast"), "Role, the one IAM role Lambda may assume, exists only when IsEast"),
        "cycle": (dict(policies="\n      Policies:\n        - PolicyName: self\n          PolicyDocument:\n            Statement:\n"
                       "              - Effect: Allow\n                Action: lambda:InvokeFunction\n"
                       "                Resource: !GetAtt Fn.Arn"), "would close a dependency cycle"),
    }
    for name, (kwargs, expected) in cases.items():
        before, result = _lambda_role(**kwargs)
        assert result.after == before and not result.changes, name
        [problem] = [u for u in result.unfixed if u.resource == "Fn"]
        assert expected in problem.message, (name, problem.message)
    before, result = _lambda_role(role_extra="\n    Condition: IsEast", fn_extra="\n    Condition: IsEast")
    assert "Role: !GetAtt Role.Arn" in result.after


def test_sam_function_needs_no_role():
    template = "Transform: AWS::Serverless-2016-10-31\nResources:\n" + LAMBDA_ROLE_YAML + """  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return event
"""
    result = run_fixers(template, ["required-property"])
    assert result.after == template and not result.changes and not result.unfixed


# ------------------------------------------------------------ issue 21, session 6, part W

def test_value_type_walk_passes_over_only_values_of_the_type_asked_for():
    """The walk calls ``conversion`` for every value but a plain mapping where an object is wanted
    and a list where a list is wanted: an intrinsic mapping where an object is wanted
    (``StageDescription: !Sub ...``) and an ``Fn::If`` where a list is wanted are still judged."""
    from cfnfix.fixers.value_type import _may_convert

    assert not _may_convert({"object"}, {"Description": "x"})
    assert _may_convert({"object"}, {"Fn::Sub": "x"})
    assert _may_convert({"object"}, "x")
    assert not _may_convert({"array"}, [{"Key": "a", "Value": "b"}])
    assert _may_convert({"array"}, {"Fn::If": ["C", {"Key": "a", "Value": "b"}, []]})
    assert not _may_convert({"string"}, 3)
    found = _find("value-type", "Parameters:\n  Env:\n    Type: String\nResources:\n  Api:\n"
                  "    Type: AWS::ApiGateway::RestApi\n    Properties:\n      Name: api\n  D:\n"
                  "    Type: AWS::ApiGateway::Deployment\n    Properties:\n      RestApiId: !Ref Api\n"
                  "      StageName: prod\n      StageDescription: !Sub 'for ${Env}'\n")
    assert [(f.path, f.detail) for f in found] == [(("Resources", "D", "Properties", "StageDescription"),
                                                     {"Description": {"Fn::Sub": "for ${Env}"}})]


def test_resource_shape_if_expressions_are_those_of_each_entry():
    """The Fn::If expressions an entry holds are kept per entry object (``memo.entrywise``): the
    same entry gives the same findings again, another entry under the same id its own."""
    from cfnfix.registry import all_fixers

    fixer = all_fixers()["resource-shape"]()
    text = ("Conditions:\n  A: !Equals [a, b]\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n"
            "      TopicName: !If [!Not [A], x, y]\n")
    doc = parse(text)
    first = [(f.path, f.detail) for f in fixer.find(doc)]
    assert first == [(("Resources", "T", "Properties", "TopicName", "Fn::If", 0),
                      ("condition", "TCondition", {"Fn::Not": [{"Condition": "A"}]}))]
    assert [(f.path, f.detail) for f in fixer.find(doc)] == first
    assert fixer.find(parse(text.replace("!If [!Not [A], x, y]", "!If [A, x, y]"))) == []


def test_resource_shape_walks_an_entry_without_if_in_its_text_when_it_may_hold_one():
    """resource-shape walks only the entries whose own text writes If (``text_checks.entry_check``),
    but an alias brings an Fn::If written at its anchor, in another entry's text, and an escape
    writes If without the word: both are still found."""
    text = ("Conditions:\n  A: !Equals [a, b]\nResources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n"
            "      TopicName: &name !If [!Not [A], x, y]\n  U:\n    Type: AWS::SNS::Topic\n    Properties:\n"
            "      TopicName: *name\n  V:\n    Type: AWS::SNS::Topic\n")
    found = _find("resource-shape", text)
    assert [f.path for f in found] == [("Resources", "T", "Properties", "TopicName", "Fn::If", 0),
                                       ("Resources", "U", "Properties", "TopicName", "Fn::If", 0)]
    escaped = ('{"Conditions": {"A": {"Fn::Equals": ["a", "b"]}}, "Resources": {"T": {"Type": "AWS::SNS::Topic", '
               '"Properties": {"TopicName": {"Fn::\\u0049f": [{"Fn::Not": [{"Condition": "A"}]}, "x", "y"]}}}}}')
    assert [f.path for f in _find("resource-shape", escaped)] == [
        ("Resources", "T", "Properties", "TopicName", "Fn::If", 0)]


def test_limits_above_the_maximum_are_compared_where_the_schema_has_a_maximum():
    """allowed-value compares numbers only in resources whose type's schema has a ``maximum``
    somewhere (``schemas.mentions``): an event source mapping's has, a bucket's not."""
    from cfnfix import schemas

    assert schemas.mentions("AWS::Lambda::EventSourceMapping", "maximum")
    assert not schemas.mentions("AWS::S3::Bucket", "maximum")
    found = _find("allowed-value", "Resources:\n  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
                  "      FunctionName: f\n      MaximumRetryAttempts: 20000\n")
    assert [(f.path, f.detail) for f in found] == [(("Resources", "Map", "Properties", "MaximumRetryAttempts"), 10000)]


def test_allowed_value_checks_of_a_resource_a_fix_left_alone_are_kept_and_a_touched_one_checked_again():
    """allowed-value's limits and repeated tag keys are kept per resource entry
    (``memo.entrywise``): after a fix re-parses only the resource it touched, the other keeps
    its findings and the touched one is checked again (here it gains a repeated tag key)."""
    from cfnfix.edits import Edit, edit_spans
    from cfnfix.registry import all_fixers
    from cfnfix.reparse import reparse

    fixer = all_fixers()["allowed-value"]()
    text = ("Resources:\n  Map:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n"
            "      FunctionName: f\n      MaximumRetryAttempts: 20000\n"
            "  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n        - Key: a\n          Value: b\n")
    old = parse(text)
    assert [(f.path, f.detail) for f in fixer.find(old)] == [
        (("Resources", "Map", "Properties", "MaximumRetryAttempts"), 10000)]
    at = text.index("Value: b") + len("Value: b")
    new_text = text[:at] + "\n        - Key: a\n          Value: b" + text[at:]
    new = reparse(old, new_text, edit_spans([Edit(at, at, "\n        - Key: a\n          Value: b")], "\n"))
    assert new.resources["Map"] is old.resources["Map"]
    expected = [(("Resources", "Map", "Properties", "MaximumRetryAttempts"), 10000),
                (("Resources", "Q", "Properties", "Tags", 1), ("drop",))]
    assert [(f.path, f.detail) for f in fixer.find(new)] == expected
    assert [(f.path, f.detail) for f in fixer.find(parse(new_text))] == expected


def test_resource_shape_passes_over_plain_resources_only():
    """resource-shape passes at once over a resource that is a mapping with an alphanumeric id,
    only attribute keys (SAM's too) and a Properties mapping or none; each way out of that still
    gives its finding."""
    found = _find("resource-shape", "Resources:\n  Plain:\n    Type: AWS::SNS::Topic\n    Connectors: {}\n"
                  "  Bare:\n    Type: AWS::SNS::Topic\n"
                  "  My-Topic:\n    Type: AWS::SNS::Topic\n"
                  "  Empty:\n    Type: AWS::SNS::Topic\n    Properties:\n"
                  "  Spelt:\n    Type: AWS::SNS::Topic\n    deletionPolicy: Retain\n"
                  "  Word: text\n")
    assert [(f.path, f.fixable) for f in found] == [
        (("Resources", "My-Topic"), True),
        (("Resources", "Empty", "Properties"), False),
        (("Resources", "Spelt", "deletionPolicy"), True),
        (("Resources", "Word"), False)]


def test_resource_schema_is_kept_per_region_and_type():
    """``schemas.resource_schema`` is kept per region and type: a type one region lacks is None
    there even after the run's region answered for it, and in either order; regions that ship
    the same file give the very same object (what CleanProperties keys by)."""
    from cfnfix import schemas

    name = "AWS::AppFabric::AppAuthorization"  # not in eu-central-1's schemas
    assert schemas.resource_schema(name, "us-east-1") is not None
    assert schemas.resource_schema(name, "eu-central-1") is None
    with schemas.regions(("eu-central-1",)):
        assert schemas.resource_schema(name) is None
    with schemas.regions(("us-east-1",)):
        assert schemas.resource_schema(name) is schemas.resource_schema(name, "us-east-1")
    same = "AWS::ACMPCA::Certificate"  # the same file in both regions
    assert schemas.resource_schema(same, "us-west-2") is schemas.resource_schema(same, "us-east-1")


def test_value_type_container_test_is_the_kinds_test():
    """value-type's walk asks ``_container`` where it asked whether the schema's kinds are
    exactly {object} or {array}: the same answer for a one-word type, a list of types (one kind
    repeated too) and no type."""
    from cfnfix.fixers.value_type import _CONTAINERS, _container, _kinds

    for kind in ("object", "array", "string", ["object"], ["array", "array"], ["object", "string"], [], None, 3):
        schema = {} if kind is None else {"type": kind}
        assert _container(schema) == (_kinds(schema) in _CONTAINERS), kind
