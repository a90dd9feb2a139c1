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
    assert pick("PublicSubnetA", ["PublicSubnetB"])[0] is None  # so do closing letters
    assert pick("PublicSubnetA", ["PublicSubentA"])[0] == "PublicSubentA"  # a typo before it
    assert pick("MyVPCs", ["MyVPC"])[0] == "MyVPC"  # the C of VPC is no letter of a series
    assert pick("EnvironmentName", ["Environment"])[0] is None  # not close enough to be a typo
    assert pick("Topic", ["Topics", "Topicz"])[0] is None  # two equally close
    assert pick("SchemaSyncLambda", ["SchemaSync Lambda"])[0] is None  # not a valid name to point at


def test_pick_answers_are_kept_by_name_and_pool():
    pool = ["DataBucket", "Queue"]
    assert pick("DataBuckt", pool) == ("DataBucket", "is the only name this close")
    # the same name asked of another pool is answered for that pool, not from the first answer
    assert pick("DataBuckt", ["DataBucket", "DataBuckat"])[0] is None  # two equally close
    assert pick("DataBuckt", ["Queue"]) == (None, "")
    pool.append("DataBuckt")  # a pool changed after a pick: its new names count
    assert pick("DataBuckt", pool) == ("DataBuckt", "differs only in case")


def test_close_and_misspelt_answers_are_kept_by_name_and_pool_and_handed_out_afresh():
    from cfnfix.reference_names import close, misspelt

    assert close("Bucketz", ["Bucket", "Queue"]) == ["Bucket"]
    assert close("Bucketz", ["Queue"]) == []
    shown = close("Bucketz", ["Bucket", "Queue"])
    shown.append("changed by a caller")
    assert close("Bucketz", ["Bucket", "Queue"]) == ["Bucket"]
    assert misspelt("DBSecurityGrp", ["DBSecurityGroup", "Vpc"]) == ["DBSecurityGroup"]
    assert misspelt("DBSecurityGrp", ["Vpc"]) == []
    slips = misspelt("DBSecurityGrp", ["DBSecurityGroup", "Vpc"])
    slips.clear()
    assert misspelt("DBSecurityGrp", ["DBSecurityGroup", "Vpc"]) == ["DBSecurityGroup"]


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


# --- mapping-key: repeated keys and null keys (issue 20 part G) ------------------------------

_TWO_BLOCKS = (
    "AWSTemplateFormatVersion: '2010-09-09'\n"
    "Resources:\n"
    "  Bucket:\n"
    "    Type: AWS::S3::Bucket\n"
    "Outputs:\n"
    "  BucketName:\n"
    "    Value: !Ref Bucket\n"
    "Resources:\n"
    "  Queue:\n"
    "    Type: AWS::SQS::Queue\n"
)


def _cli(tmp_path, text, *args):
    from click.testing import CliRunner

    from cfnfix.cli import main

    path = tmp_path / "t.yaml"
    path.write_text(text)
    result = CliRunner().invoke(main, [*args, str(path)])
    return result, path.read_text()


def test_duplicate_sections_refused_unless_mapping_key_is_selected(tmp_path):
    result, after = _cli(tmp_path, _TWO_BLOCKS, "apply")
    assert result.exit_code == 2 and after == _TWO_BLOCKS
    assert "t.yaml: line 8: duplicate key 'Resources' in the top level" in result.output
    # selected, but the merge is a review fix: same error, with the way out, nothing written
    result, after = _cli(tmp_path, _TWO_BLOCKS, "apply", "--select", "mapping-key")
    assert result.exit_code == 2 and after == _TWO_BLOCKS
    assert "(mapping-key merges it with --unsafe-fixes)" in result.output
    result, after = _cli(tmp_path, _TWO_BLOCKS, "apply", "--select", "mapping-key", "--unsafe-fixes")
    assert result.exit_code == 0
    assert after == ("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
                     "  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  BucketName:\n    Value: !Ref Bucket\n")


def test_conflicting_duplicates_stay_one_line_errors_naming_both_lines(tmp_path):
    conflict = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Type: AWS::SQS::Queue\n"
    result, after = _cli(tmp_path, conflict, "apply", "--all")
    assert result.exit_code == 2 and after == conflict
    assert ("line 4: duplicate key 'Type' in Resources/Bucket (first at line 3) with a different value; keep one "
            "of them (CloudFormation reads the last)") in result.output
    two = "AWSTemplateFormatVersion: '2010-09-09'\nDescription: a\nResources: {}\n" \
          "AWSTemplateFormatVersion: '2010-09-09'\nDescription: b\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n"
    result, after = _cli(tmp_path, two, "apply", "--all")
    assert result.exit_code == 2 and after == two
    assert "line 4: a second template starts here" in result.output


def test_json_duplicate_keys_merge_and_same_values_drop():
    text = ('{"Resources": {"A": {"Type": "AWS::SQS::Queue"}},\n'
            ' "Resources": {"B": {"Type": "AWS::SNS::Topic"}},\n'
            ' "AWSTemplateFormatVersion": "2010-09-09", "AWSTemplateFormatVersion": "2010-09-09"}\n')
    result = run_fixers(text, ["mapping-key"])
    assert result.after == ('{"Resources": {"A": {"Type": "AWS::SQS::Queue"},"B": {"Type": "AWS::SNS::Topic"}},\n'
                            ' "AWSTemplateFormatVersion": "2010-09-09"}\n')
    assert [c.safety.value for c in result.changes] == ["review", "safe"]
    assert parse(result.after).data["Resources"] == {"A": {"Type": "AWS::SQS::Queue"}, "B": {"Type": "AWS::SNS::Topic"}}


def test_null_key_outside_a_policy_condition_is_reported():
    text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n      Null: x\n"
    result = run_fixers(text, ["mapping-key"])
    assert result.after == text and not result.changes
    assert [u.message for u in result.unfixed] == [
        "E0000 key 'Null' in Resources/B/Metadata is read as null by YAML; quote it if the word is meant, or remove it"]


def test_each_null_word_key_passes_the_text_pre_check():
    """The substring pre-check must let through every word YAML reads as a null key, with blanks
    before the colon and at the end of the text; a text with none of them is not walked."""
    for word in ("Null", "null", "NULL", "~"):
        for tail in (": x\n", " \t:\n", ":"):
            text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n      " + word + tail
            assert [u.path for u in run_fixers(text, ["mapping-key"]).unfixed] == [
                ("Resources", "B", "Metadata", word)], (word, tail)
    text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Metadata:\n      Full: x\n      Nil: y\n"
    assert not run_fixers(text, ["mapping-key"]).unfixed

def test_a_template_opting_out_of_mapping_key_keeps_the_duplicate_error():
    import pytest

    from cfnfix.document import DuplicateKeyError

    text = "Metadata:\n  cfnfix:\n    ignore: [mapping-key]\n" + _TWO_BLOCKS
    with pytest.raises(DuplicateKeyError, match="line 11: duplicate key 'Resources' in the top level$"):
        run_fixers(text, ["mapping-key"])


def test_many_repeats_are_dropped_in_one_run():
    entry = "  Queue:\n    Type: AWS::SQS::Queue\n"
    text = "Resources:\n" + entry * 2000
    result = run_fixers(text, ["mapping-key"])
    assert result.after == "Resources:\n" + entry
    assert len(result.changes) == 1999

WEB = "Resources:\n  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n      ImageId: ami-12345678\n"


def test_undeclared_parameter_messages_and_description():
    text = (
        WEB +
        "      SubnetId: !Ref AppSubnet\n"
        "      IamInstanceProfile: !GetAtt Profile.Arn\n"
        "Outputs:\n"
        "  Where:\n"
        "    Value: !Ref AppSubnet\n"
    )
    result = run_fixers(text, ["undeclared-parameter"])
    messages = [(c.action, c.path, c.message, str(c.safety)) for c in result.changes]
    assert messages == [
        ("add", ("Parameters", "AppSubnet"),
         "E1020 Ref to 'AppSubnet' names nothing in the template; declared parameter 'AppSubnet' "
         "(AWS::EC2::Subnet::Id) for the deployer to supply, read by Web, Outputs.Where", "review"),
        ("add", ("Parameters", "ProfileArn"),
         "E1010 Fn::GetAtt 'Profile.Arn' names nothing in the template; declared parameter 'ProfileArn' "
         "(String) for the deployer to supply, read by Web", "review"),
        ("replace", ("Resources", "Web", "Properties", "IamInstanceProfile"),
         "E1010 Fn::GetAtt 'Profile.Arn' becomes a reference to parameter 'ProfileArn'", "review"),
    ]
    assert result.after.startswith(
        "Parameters:\n"
        "  AppSubnet:\n"
        "    Type: AWS::EC2::Subnet::Id\n"
        "    Description: 'AppSubnet: referenced by Web, Outputs.Where, defined nowhere in the template; "
        "supply an existing one or define the resource'\n"
    )
    assert "IamInstanceProfile: !Ref ProfileArn\n" in result.after
    assert_fix_guarantees(text, result.after, result.changes, ["undeclared-parameter"])
    assert {"E1020", "E1010"} <= lint_codes(text) and not {"E1020", "E1010", "E6101"} & lint_codes(result.after)


def test_undeclared_parameter_leaves_near_names_and_reports_conflicting_types():
    text = (
        "Resources:\n"
        "  Queue:\n"
        "    Type: AWS::SQS::Queue\n"
        "  Topic:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Properties:\n"
        "      DisplayName: !Ref QueueUrls\n"  # near 'Queue': dangling-reference's
        "  Balancer:\n"
        "    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n"
        "    Properties:\n"
        "      Subnets: !Ref Net\n"
        "  Web:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      ImageId: ami-12345678\n"
        "      SubnetId: !Ref Net\n"
        "Outputs:\n"
        "  A: {Value: !Ref Queue}\n"
        "  B: {Value: !Ref Web}\n"
        "  C: {Value: !Ref Balancer}\n"
        "  D: {Value: !GetAtt Queue.Arn}\n"
    )
    findings = all_fixers()["undeclared-parameter"]().find(parse(text))
    assert [(f.fixable, f.message) for f in findings] == [
        (False, "E1020 Ref to 'Net' names nothing in the template and is read where different types are wanted: "
                "AWS::EC2::Subnet::Id (Web), List<AWS::EC2::Subnet::Id> (Balancer); declare it or define the resource"),
    ]
    (dangling,) = all_fixers()["dangling-reference"]().find(parse(text))
    assert "closest: 'Queue'" in dangling.message


def test_parameter_types_from_schemas():
    from cfnfix.parameter_types import combined, place_type

    doc = parse(
        "Resources:\n"
        "  Web:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      SecurityGroupIds: [!Ref A]\n"
        "      SubnetId: !Select [0, !Ref B]\n"
        "      UserData: !Base64 {'Fn::Join': ['', [!Ref C]]}\n"
        "  Group:\n"
        "    Type: AWS::AutoScaling::AutoScalingGroup\n"
        "    Properties:\n"
        "      MinSize: '1'\n"
        "      MaxSize: '1'\n"
        "      VPCZoneIdentifier: !Ref D\n"
        "  Custom:\n"
        "    Type: Custom::Thing\n"
        "    Properties:\n"
        "      ServiceToken: !Ref E\n"
    )
    web = ("Resources", "Web", "Properties")
    assert place_type(doc, web + ("SecurityGroupIds", 0)) == "AWS::EC2::SecurityGroup::Id"
    assert place_type(doc, web + ("SubnetId", "Fn::Select", 1)) == "List<AWS::EC2::Subnet::Id>"
    assert place_type(doc, web + ("UserData", "Fn::Base64", "Fn::Join", 1, 0)) == "String"
    assert place_type(doc, ("Resources", "Group", "Properties", "VPCZoneIdentifier")) == "CommaDelimitedList"
    assert place_type(doc, ("Resources", "Custom", "Properties", "ServiceToken")) == "String"
    assert combined(["String", "AWS::EC2::Subnet::Id"]) == "AWS::EC2::Subnet::Id"
    assert combined(["Number", "String"]) == "String"
    assert combined(["String", "CommaDelimitedList"]) is None


def test_script_variables_are_escaped():
    text = (
        WEB +
        "      UserData:\n"
        "        Fn::Base64: !Sub |\n"
        "          #!/bin/bash\n"
        "          port=8080\n"
        "          echo \"${port}\"\n"
    )
    result = run_fixers(text, ["dangling-reference"])
    assert [c.message for c in result.changes] == [
        "E1019 '${port}' in an Fn::Sub string names nothing in the template but a variable the script sets "
        "itself; escaped as '${!port}', which Fn::Sub writes out as '${port}' for the script"]
    assert 'echo "${!port}"' in result.after
    assert "E1021" in lint_codes(text) and "E1021" not in lint_codes(result.after)


def test_undeclared_parameter_reports_a_cut_off_template():
    text = (
        "Resources:\n"
        "  PublicSubnet1:\n"
        "    Type: AWS::EC2::Subnet\n"
        "    Properties:\n"
        "      VpcId: !Ref VpcId\n"
        "      CidrBlock: 10.0.1.0/24\n"
        "  Association:\n"
        "    Type: AWS::EC2::SubnetRouteTableAssociation\n"
        "    Properties:\n"
        "      SubnetId: !Ref PublicSubnet2\n"  # near 'PublicSubnet1': only a person can place it
        "      RouteTableId: !Ref PublicRouteTable\n"
    )
    findings = all_fixers()["undeclared-parameter"]().find(parse(text))
    assert [(f.fixable, f.message) for f in findings] == [
        (False, f"E1020 Ref to '{name}' names nothing in the template, as do 3 of its 3 references, some of them near "
                "defined names: it looks cut off or half-renamed; parameters would hide that. Restore the missing "
                "definitions") for name in ("VpcId", "PublicRouteTable")
    ]


def test_undeclared_parameter_names_near_a_resource_that_cannot_be_meant():
    # a subnet's CidrBlock wants a CIDR, which no Ref to the subnet (itself) gives; a subnet id
    # place cannot take a VPC's id; a number place takes no resource's Ref
    text = (
        "Resources:\n"
        "  Vpc:\n"
        "    Type: AWS::EC2::VPC\n"
        "    Properties:\n"
        "      CidrBlock: !Ref VpcCidr\n"
        "  PublicSubnet1:\n"
        "    Type: AWS::EC2::Subnet\n"
        "    Properties:\n"
        "      VpcId: !Ref Vpc\n"
        "      CidrBlock: !Ref PublicSubnet1CIDR\n"
        "  Web:\n"
        "    Type: AWS::EC2::Instance\n"
        "    Properties:\n"
        "      ImageId: ami-12345678\n"
        "      SubnetId: !Ref VpcSubnet\n"
        "  Queue:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      DelaySeconds: !Ref QueueDelay\n"
    )
    findings = all_fixers()["undeclared-parameter"]().find(parse(text))
    assert [(f.fixable, f.message.split(";")[1].strip()) for f in findings] == [
        (True, "declared parameter 'VpcCidr' (String) for the deployer to supply, read by Vpc"),
        (True, "declared parameter 'PublicSubnet1CIDR' (String) for the deployer to supply, read by PublicSubnet1"),
        (True, "declared parameter 'VpcSubnet' (AWS::EC2::Subnet::Id) for the deployer to supply, read by Web"),
        (True, "declared parameter 'QueueDelay' (Number) for the deployer to supply, read by Queue"),
    ]
    result = run_fixers(text, ["undeclared-parameter"])
    assert_fix_guarantees(text, result.after, result.changes, ["undeclared-parameter"])


def test_undeclared_parameter_leaves_a_malformed_parameters_section():
    text = "Parameters:\n  - Env\n" + WEB + "      SubnetId: !Ref AppSubnet\n"
    (finding,) = all_fixers()["undeclared-parameter"]().find(parse(text))
    assert not finding.fixable
    assert finding.message == ("E1020 Ref to 'AppSubnet' names nothing in the template; the Parameters section is no "
                               "mapping: define it or correct the name")


def test_undeclared_parameters_fill_an_empty_parameters_key():
    text = "Parameters:\n" + WEB + "      SubnetId: !Ref A\n      KeyName: !Ref B\n"
    result = run_fixers(text, ["undeclared-parameter"])
    assert result.after.startswith("Parameters:\n  A:\n    Type: AWS::EC2::Subnet::Id\n")
    assert "  B:\n    Type: AWS::EC2::KeyPair::KeyName\n" in result.after
    assert not result.unfixed
    assert_fix_guarantees(text, result.after, result.changes, ["undeclared-parameter"])

def test_depends_on_names_the_resource_plainly_meant():
    from cfnfix.fixers.depends_on import meant

    pool = ["VPCGatewayAttachment", "InternetGateway", "PublicRouteTable"]
    assert meant("InternetGatewayAttachment", pool)[0] == "VPCGatewayAttachment"  # same trailing words
    assert meant("vpcGatewayAttachment", pool) == ("VPCGatewayAttachment", "differs only in case")
    assert meant("PublicRouteTable2", pool)[0] is None  # digits differ: another table
    assert meant("PublicSubnetA", ["PublicSubnetB", "PrivateSubnetA"])[0] is None  # closing letters too
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


CONDITIONAL = (
    "Conditions:\n"
    "  WithKey: !Equals [!Ref AWS::Region, us-east-1]\n"
    "  Other: !Equals [!Ref AWS::Region, eu-west-1]\n"
    "Resources:\n"
    "  Key:\n"
    "    Type: AWS::KMS::Key\n"
    "    Condition: WithKey\n"
    "  Queue:\n"
    "    Type: AWS::SQS::Queue\n"
    "    DependsOn: Key\n"
)


def test_depends_on_a_conditional_resource_goes_through_a_wait_condition_handle():
    (f,) = all_fixers()["depends-on"]().find(parse(CONDITIONAL))
    assert f.message == (
        "E3005 Queue depends on 'Key', which exists only when condition 'WithKey' is true; DependsOn cannot be "
        "conditional: it depends instead on 'KeyDependency', a new wait condition handle (no cost) whose Metadata "
        "refers to 'Key' inside Fn::If [WithKey, ...], so it still waits for 'Key' when 'WithKey' is true")
    result = run_fixers(CONDITIONAL, ["depends-on"])
    assert result.after == CONDITIONAL.replace("DependsOn: Key\n", "DependsOn: KeyDependency\n") + (
        "  KeyDependency:\n"
        "    Type: AWS::CloudFormation::WaitConditionHandle\n"
        "    Metadata:\n"
        "      WaitsFor: !If [WithKey, !Ref Key, !Ref 'AWS::NoValue']\n")
    assert {c.safety.value for c in result.changes} == {"safe"}
    assert not all_fixers()["depends-on"]().find(parse(result.after))
    # a later dependent reuses the handle the template has
    more = result.after + "  Topic:\n    Type: AWS::SNS::Topic\n    DependsOn: [Key]\n"
    (g,) = all_fixers()["depends-on"]().find(parse(more))
    assert "'KeyDependency', the template's wait condition handle" in g.message
    assert run_fixers(more, ["depends-on"]).after == result.after + (
        "  Topic:\n    Type: AWS::SNS::Topic\n    DependsOn: [KeyDependency]\n")


def test_depends_on_a_conditional_resource_already_referenced_or_implied():
    fixer = all_fixers()["depends-on"]()
    same = CONDITIONAL.replace("    DependsOn: Key\n", "    Condition: WithKey\n    DependsOn: Key\n")
    assert not fixer.find(parse(same))
    implied = same.replace("    Condition: WithKey\n    DependsOn", "    Condition: Both\n    DependsOn").replace(
        "Resources:\n", "  Both: !And [!Condition WithKey, !Condition Other]\nResources:\n")
    assert not fixer.find(parse(implied))
    referenced = CONDITIONAL + "    Properties:\n      KmsMasterKeyId: !If [WithKey, !Ref Key, alias/aws/sqs]\n"
    (f,) = fixer.find(parse(referenced))
    assert f.message.endswith("the Ref to 'Key' at Properties/KmsMasterKeyId/Fn::If/1 already orders 'Queue' after "
                              "it whenever it exists: the entry goes")
    # a reference under another condition does not hold whenever Key exists: the handle it is
    other = CONDITIONAL + "    Properties:\n      KmsMasterKeyId: !If [Other, !Ref Key, alias/aws/sqs]\n"
    (g,) = fixer.find(parse(other))
    assert "'KeyDependency', a new wait condition handle" in g.message
def test_mapping_tokens_in_sub_become_variables():
    text = (
        "Parameters:\n"
        "  Environment:\n"
        "    Type: String\n"
        "    AllowedValues: [dev, prod]\n"
        "    Default: dev\n"
        "  Other:\n"
        "    Type: String\n"
        "    AllowedValues: [dev, prod]\n"
        "    Default: test\n"  # a default no top-level key answers: not a match
        "  Path:\n"
        "    Type: String\n"
        "Mappings:\n"
        "  Secrets:\n"
        "    dev: {Path: /dev/db}\n"
        "    prod: {Path: /prod/db}\n"
        "Resources:\n"
        "  Queue:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      QueueName: !Sub '${Secrets.Path}-${Path}'\n"
    )
    result = run_fixers(text, ["dangling-reference"])
    assert [c.message for c in result.changes] == [
        "E1019 '${Secrets.Path}' in an Fn::Sub string reads mapping 'Secrets', which Fn::Sub cannot; it becomes "
        "'${SecretsPath}', a variable of the Sub given by !FindInMap [Secrets, !Ref Environment, Path] "
        "(parameter 'Environment' allows exactly its top-level keys ('dev', 'prod'))"]
    assert result.after.endswith(
        "      QueueName: !Sub\n"
        "      - ${SecretsPath}-${Path}\n"
        "      - SecretsPath: !FindInMap [Secrets, !Ref Environment, Path]\n")
    assert_fix_guarantees(text, result.after, result.changes, ["dangling-reference"])
    assert "E1019" in lint_codes(text) and "E1019" not in lint_codes(result.after)


def test_type_short_names_read_the_one_resource_of_the_type():
    text = (
        "Parameters:\n"
        "  VpcCidr: {Type: String}\n"
        "Resources:\n"
        "  MainVPC:\n"
        "    Type: AWS::EC2::VPC\n"
        "    Properties:\n"
        "      CidrBlock: !Ref VpcCidr\n"
        "  Gateway:\n"
        "    Type: AWS::EC2::InternetGateway\n"
        "Outputs:\n"
        "  VpcOut: {Value: !Ref VPC}\n"  # 'VpcCidr' is a slip candidate too: reported
        "  GatewayOut: {Value: !Ref InternetGateway}\n"
    )
    findings = all_fixers()["dangling-reference"]().find(parse(text))
    assert [(f.fixable, f.message) for f in findings] == [
        (False, "E1020 Ref to 'VPC' names no parameter or resource; 'VPC' is the short name of AWS::EC2::VPC "
                "('MainVPC') but may also be a slip of 'VpcCidr'; correct the name to the one meant"),
        (True, "E1020 Ref to 'InternetGateway' names no parameter or resource; 'Gateway' is the template's only "
               "AWS::EC2::InternetGateway, the type 'InternetGateway' names"),
    ]
    assert not all_fixers()["undeclared-parameter"]().find(parse(text))  # dangling-reference's names


def test_placeholder_words_and_ids():
    from cfnfix.fixers.placeholder_value import placeholder

    assert placeholder("YOUR_HOSTED_ZONE_ID", [], False) == "the word 'YOUR'"
    assert placeholder("REPLACE_WITH_ZONE", [], False) == "the word 'REPLACE WITH'"
    assert placeholder("ChangeMe", [], False) == "the word 'CHANGEME'"
    assert placeholder("<vpc-id>", [], False) == "text in <...>"
    assert placeholder("sg-67890", ["sg-"], True) == "an id too short to be one: 5 characters after sg-"
    assert placeholder("vpc-xxxxxxxx", ["vpc-"], True) == "x's standing for a value"
    assert placeholder("subnet-123456789", ["subnet-"], True) == "an id of counted digits"
    assert placeholder("MyHostedZone", [], True) == "the word 'MY'"  # an existing zone's id is read there
    # names authors choose, ids that are wrong for another reason, structured text: not placeholders
    for text, existing in [("todo-app-bucket", False), ("TodoAppBucket", False), ("My_Bucket", False),
                           ("Data_Change_Bucket", False), ("sg-web", True), ("sg-0a1b2c3d4e", True),
                           ("arn:aws:iam::YOUR_ACCOUNT:role/app", False)]:
        assert placeholder(text, ["sg-"], existing) is None, text


PLACEHOLDER_TEMPLATE = (
    "Resources:\n"
    "  Web:\n"
    "    Type: AWS::EC2::Instance\n"
    "    Properties:\n"
    "      ImageId: '{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}}'\n"
    "      SecurityGroupIds: [sg-67890]\n"
    "  Ssh:\n"
    "    Type: AWS::EC2::SecurityGroupIngress\n"
    "    Properties:\n"
    "      GroupId: sg-67890\n"
    "      IpProtocol: tcp\n"
    "      FromPort: 22\n"
    "      ToPort: 22\n"
    "      CidrIp: 10.0.0.0/8\n"
)


def test_placeholder_value_messages_and_lint():
    result = run_fixers(PLACEHOLDER_TEMPLATE, ["placeholder-value"])
    assert [c.message for c in result.changes] == [
        "declared parameter 'SshGroupId' (AWS::EC2::SecurityGroup::Id) with no Default for the placeholder "
        "'sg-67890' read at Ssh GroupId, Web SecurityGroupIds/0: the deployer supplies the real value; its "
        "Description keeps the placeholder",
        "placeholder 'sg-67890' at Ssh GroupId (an id too short to be one: 5 characters after sg-; E1150: the "
        "AWS::EC2::SecurityGroup.Id format (^sg-([a-fA-F0-9]{8}|[a-fA-F0-9]{17})$) rejects it) becomes a Ref to "
        "parameter 'SshGroupId'",
        "placeholder 'sg-67890' at Web SecurityGroupIds/0 (the same placeholder, read as "
        "AWS::EC2::SecurityGroup::Id) becomes a Ref to parameter 'SshGroupId'",
    ]
    assert all(c.safety == "review" for c in result.changes)
    assert "SecurityGroupIds: [!Ref SshGroupId]" in result.after
    assert "Description: 'GroupId of Ssh: the template held the placeholder ''sg-67890''; supply the real value'" in result.after
    assert "E1150" in lint_codes(PLACEHOLDER_TEMPLATE) and "E1150" not in lint_codes(result.after)
    assert_fix_guarantees(PLACEHOLDER_TEMPLATE, result.after, result.changes, ["placeholder-value"])


def test_placeholder_value_leaves_intrinsics_and_takes_a_free_name():
    text = (
        "Parameters:\n  SshGroupId: {Type: String}\n"
        "Conditions:\n  Yes: !Equals [a, a]\n"
        "Resources:\n"
        "  Ssh:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n"
        "      GroupId: sg-67890\n      IpProtocol: tcp\n      CidrIp: 10.0.0.0/8\n"
        "  Other:\n    Type: AWS::EC2::SecurityGroupIngress\n    Properties:\n"
        "      GroupId: !If [Yes, sg-12345, !Ref SshGroupId]\n      IpProtocol: tcp\n      CidrIp: 10.0.0.0/8\n"
        "  Zone:\n    Type: AWS::Route53::DNSSEC\n    Properties:\n"
        "      HostedZoneId: !Sub 'YOUR_ZONE_${AWS::Region}'\n"
    )
    findings = all_fixers()["placeholder-value"]().find(parse(text))
    assert [(f.path, f.detail[0]) for f in findings] == [(("Resources", "Ssh", "Properties", "GroupId"), "SshGroupId2")]


def test_placeholder_value_keeps_a_list_item_read_alone_elsewhere_as_one_parameter():
    text = (
        "Resources:\n"
        "  Lb:\n    Type: AWS::ElasticLoadBalancingV2::LoadBalancer\n    Properties:\n"
        "      Subnets: [subnet-123, subnet-456]\n"
        "  Web:\n    Type: AWS::EC2::Instance\n    Properties:\n"
        "      ImageId: ami-0abcdef1234567890\n      SubnetId: subnet-123\n"
    )
    findings = all_fixers()["placeholder-value"]().find(parse(text))
    assert sorted((f.detail[0], f.detail[1]["Type"]) for f in findings) == [
        ("LbSubnet", "AWS::EC2::Subnet::Id"), ("LbSubnet2", "AWS::EC2::Subnet::Id")]
    shared = next(f for f in findings if f.detail[0] == "LbSubnet")
    assert [s.where for s in shared.detail[2]] == ["Lb Subnets/0", "Web SubnetId"]


_GROUP = (
    "Resources:\n"
    "  Group:\n"
    "    Type: AWS::AutoScaling::AutoScalingGroup\n"
    "    Properties:\n"
    "      MinSize: '1'\n"
    "      MaxSize: '2'\n"
    "      AvailabilityZones: [us-east-1a]\n"
    "      LaunchConfigurationName: lc\n"
)


def _tg(name: str, targets: str, extra: str = "") -> str:
    return (f"  {name}:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n{extra}    Properties:\n"
            f"      Port: 80\n      Protocol: HTTP\n      VpcId: vpc-12345678\n      Targets:\n{targets}")


def test_group_target_change_log_messages():
    text = _GROUP + _tg("Web", "        - Id: !GetAtt Group.Outputs.InstanceId\n")
    result = run_fixers(text, ["dangling-reference"])
    assert [(c.action, c.path, c.safety.value, c.message) for c in result.changes] == [
        ("remove", ("Resources", "Web", "Properties", "Targets"), "review",
         "Targets of Web removed: its only item, Fn::GetAtt Group.Outputs.InstanceId, names Auto Scaling group Group, "
         "not an instance; the group registers its instances itself through its TargetGroupARNs"),
        ("add", ("Resources", "Group", "Properties", "TargetGroupARNs"), "review",
         "TargetGroupARNs added: Auto Scaling group Group registers its instances with target group Web (Elastic Load "
         "Balancing adds each instance as it launches and removes it as it terminates)"),
    ]
    assert "      TargetGroupARNs:\n        - !Ref Web\n" in result.after and "Targets" not in result.after
    assert_fix_guarantees(text, result.after, result.changes, ["dangling-reference"])
    unsafe_off = run_fixers(text, ["dangling-reference"], unsafe_fixes=False)
    assert unsafe_off.after == text  # a review fix: written only with --unsafe-fixes


def test_two_groups_emptying_one_list_is_one_fix():
    text = (_GROUP + _GROUP.replace("Resources:\n", "").replace("  Group:", "  Other:")
            + _tg("Web", "        - Id: !Ref Group\n        - Id: !GetAtt Other.AutoScalingGroupName\n"))
    result = run_fixers(text, ["dangling-reference"])
    assert "Targets" not in result.after
    assert result.after.count("TargetGroupARNs:\n        - !Ref Web\n") == 2
    assert len(result.changes) == 3 and not result.unfixed
    assert_fix_guarantees(text, result.after, result.changes, ["dangling-reference"])


def test_group_target_reported_when_the_group_list_is_an_intrinsic():
    text = (_GROUP + "      TargetGroupARNs: !Split [',', !ImportValue arns]\n"
            + _tg("Web", "        - Id: !Ref Group\n"))
    (finding,) = all_fixers()["dangling-reference"]().find(parse(text))
    assert not finding.fixable
    assert "the TargetGroupARNs of Group is not a list" in finding.message
    assert run_fixers(text, ["dangling-reference"]).after == text


def test_group_target_left_alone_on_odd_input():
    odd = [
        _GROUP + _tg("Web", "        - i-0123456789abcdef0\n        - Id: [Group]\n        - {Id: !Ref Missing}\n"),
        _GROUP + "  Web:\n    Type: AWS::ElasticLoadBalancingV2::TargetGroup\n    Properties:\n      Targets: !Ref AWS::NoValue\n",
        _GROUP + "  Web:\n    Type: [AWS::ElasticLoadBalancingV2::TargetGroup]\n    Properties:\n      Targets: [{Id: !Ref Group}]\n",
        _GROUP.replace("AWS::AutoScaling::AutoScalingGroup", "AWS::EC2::Instance") + _tg("Web", "        - Id: !Ref Group\n"),
    ]
    fixer = all_fixers()["dangling-reference"]()
    for text in odd:
        assert not [f for f in fixer.find(parse(text)) if "Auto Scaling" in f.message], text


def test_group_that_already_names_the_target_group_is_not_repeated():
    text = (_GROUP + "      TargetGroupARNs:\n        - !GetAtt Web.TargetGroupArn\n"
            + _tg("Web", "        - Id: !GetAtt Group.Outputs.InstanceId\n"))
    result = run_fixers(text, ["dangling-reference"])
    assert result.after.count("Web.TargetGroupArn") == 1 and "!Ref Web" not in result.after
    assert [c.action for c in result.changes] == ["remove"]


# issue 20 part E (session 5): a resource written as a lookup of an existing one
_LOOKUP = (
    "Parameters:\n  VpcId: {Type: 'AWS::EC2::VPC::Id'}\n"
    "Resources:\n"
    "  # Get VPC subnets for Lambda deployment\n"
    "  VpcInfo:\n    Type: AWS::EC2::VPC\n    Properties:\n      VpcId: !Ref VpcId\n"
    "  Group:\n    Type: AWS::EC2::SecurityGroup\n@DEPENDS    Properties:\n"
    "      GroupDescription: app\n      VpcId: @VALUE\n"
)


def _lookup(value: str, depends: str = "") -> str:
    return _LOOKUP.replace("@DEPENDS", depends).replace("@VALUE", value)


def _lookup_findings(text: str):
    return all_fixers()["lookup-resource"]().find(parse(text))


def test_lookup_resource_messages_and_lint():
    text = _lookup("!Ref VpcInfo", "")
    result = run_fixers(text, ["lookup-resource"])
    assert [(c.action, c.message) for c in result.changes] == [
        ("remove", "VpcInfo (AWS::EC2::VPC) sets only its id (VpcId): a lookup of an existing resource, which "
                   "CloudFormation cannot do; removed, nothing lost (CloudFormation has no lookup); every reference "
                   "to it reads the id directly"),
        ("replace", "VpcInfo is removed (CloudFormation has no lookup): the reference reads the id directly"),
    ]
    assert all(c.safety == "review" for c in result.changes)
    assert "VpcInfo" not in result.after and "# Get VPC subnets" not in result.after
    assert "      VpcId: !Ref VpcId\n" in result.after
    assert "E3014" in lint_codes(text) and not lint_codes(result.after)
    assert_fix_guarantees(text, result.after, result.changes, ["lookup-resource"])


def test_lookup_resource_other_attributes_and_orderings_are_reported():
    cidr = _lookup_findings(_lookup("!GetAtt VpcInfo.CidrBlock", ""))
    assert [f.fixable for f in cidr] == [False]
    assert cidr[0].message.endswith("not removed: Fn::GetAtt in Resources/Group: the attribute CidrBlock of the "
                                    "existing resource cannot be read from CloudFormation: pass it as a parameter "
                                    "and refer to that")
    ordered = _lookup("!Ref VpcInfo", "    DependsOn: VpcInfo\n").replace(
        "      VpcId: !Ref VpcId\n", "      VpcId: !Ref VpcId\n    DependsOn: Group2\n", 1)
    ordered += "  Group2:\n    Type: AWS::SQS::Queue\n"
    found = _lookup_findings(ordered)
    assert not found[0].fixable
    assert "Group's DependsOn on it carries its own DependsOn ordering, which would be lost" in found[0].message
    only = "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      VpcId: vpc-0123456789abcdef0\n"
    assert "the template's only resource" in _lookup_findings(only)[0].message


def test_lookup_resource_sub_tokens():
    text = _lookup("!Ref VpcInfo", "") + (
        "      Tags:\n"
        "        - {Key: a, Value: !Sub '${VpcInfo}/${ VpcInfo.VpcId }'}\n"
        "        - {Key: b, Value: !Sub ['${VpcInfo}-${VpcId}', {VpcId: x}]}\n"
    )
    found = _lookup_findings(text)
    assert not found[0].fixable  # ${VpcId} in the second Sub is a local variable, not the parameter
    assert "its id (Ref) cannot be written into the Fn::Sub text" in found[0].message
    result = run_fixers(text.replace("{VpcId: x}", "{Other: x}"), ["lookup-resource"])
    assert "!Sub '${VpcId}/${VpcId}'" in result.after and "!Sub ['${VpcId}-${VpcId}', {Other: x}]" in result.after


def test_lookup_resource_is_only_an_id_with_nothing_else():
    text = _lookup("!Ref VpcInfo", "")
    for other in ("      CidrBlock: 10.0.0.0/16\n", "      Tags: []\n"):
        assert not _lookup_findings(text.replace("      VpcId: !Ref VpcId\n", "      VpcId: !Ref VpcId\n" + other, 1))
    assert not _lookup_findings(text.replace("      VpcId: !Ref VpcId\n", "      VpcId:\n", 1))  # cut off: no id
    macro = "Transform: MyMacro\n" + text
    assert not _lookup_findings(macro)
    # a bucket's name is settable: a bucket that sets only its name is created, not looked up
    assert not _lookup_findings("Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      BucketName: x\n"
                                "  C:\n    Type: AWS::SQS::Queue\n")


def test_lookup_resource_naming_itself_or_another_lookup():
    text = _lookup("!Ref VpcInfo").replace("      VpcId: !Ref VpcId\n", "      VpcId: !Ref VpcId\n"
                                           "    Metadata:\n      Self: !Ref VpcInfo\n", 1)
    result = run_fixers(text, ["lookup-resource"])
    assert "VpcInfo" not in result.after
    assert_fix_guarantees(text, result.after, result.changes, ["lookup-resource"])
    chained = _lookup("!Ref VpcInfo") + "  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupId: !Ref VpcInfo\n"
    found = {f.resource: f.fixable for f in _lookup_findings(chained)}
    assert found == {"VpcInfo": False, "Sg": False}


def test_dangling_reference_passes_over_only_refs_to_defined_names():
    # Refs to a parameter, a resource and a pseudo parameter are passed over before _check; a Ref
    # to a slip of a defined name is still found, and the sites left to undeclared-parameter
    # (looked up only when a name nothing defines is met) are still left to it
    text = (
        "Parameters:\n"
        "  BucketName: {Type: String}\n"
        "Resources:\n"
        "  Queue:\n"
        "    Type: AWS::SQS::Queue\n"
        "    Properties:\n"
        "      QueueName: !Ref BucketName\n"
        "  Topic:\n"
        "    Type: AWS::SNS::Topic\n"
        "    Properties:\n"
        "      DisplayName: !Ref AWS::StackName\n"
        "      TopicName: !Ref BuckettName\n"
        "      KmsMasterKeyId: !Ref EncryptionKeyAlias\n"
        "Outputs:\n"
        "  QueueOut: {Value: !Ref Queue}\n"
    )
    findings = all_fixers()["dangling-reference"]().find(parse(text))
    assert [(f.path, f.fixable, f.message) for f in findings] == [
        (("Resources", "Topic", "Properties", "TopicName"), True,
         "E1020 Ref to 'BuckettName' names no parameter or resource; 'BucketName' is the only name this close"),
    ]
    (site,) = all_fixers()["undeclared-parameter"]().find(parse(text))
    assert "EncryptionKeyAlias" in site.message


def test_placeholder_value_reports_a_placeholder_only_where_the_schema_rejects_it():
    """The schema is asked last (its pattern needs the ``regex`` module), but still asked: 'YOUR'
    is a placeholder word the hosted zone id pattern accepts, so it is left alone."""
    template = (
        "Resources:\n"
        "  Accepted:\n"
        "    Type: AWS::Route53::KeySigningKey\n"
        "    Properties: {HostedZoneId: YOUR, KeyManagementServiceArn: arn:aws:kms:us-east-1:111122223333:key/k, Name: a, Status: ACTIVE}\n"
        "  Rejected:\n"
        "    Type: AWS::Route53::KeySigningKey\n"
        "    Properties: {HostedZoneId: YOUR_HOSTED_ZONE_ID, KeyManagementServiceArn: arn:aws:kms:us-east-1:111122223333:key/k, Name: b, Status: ACTIVE}\n"
    )
    result = run_fixers(template, ["placeholder-value"])
    assert [c.path[:2] for c in result.changes if c.action != "add"] == [("Resources", "Rejected")]
    assert "HostedZoneId: YOUR," in result.after
