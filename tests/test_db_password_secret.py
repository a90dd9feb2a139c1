"""db-password-secret: behaviour the golden fixtures do not show."""

from cfnfix.document import parse
from cfnfix.registry import all_fixers


def _find(text: str):
    return all_fixers()["db-password-secret"]().find(parse(text))


def test_password_with_a_default_or_written_otherwise_is_left_alone():
    text = ("Parameters:\n  P:\n    Type: String\n    NoEcho: true\n    Default: x\n  Q:\n    Type: String\n"
            "Resources:\n  D:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: !Ref P\n"
            "  E:\n    Type: AWS::RDS::DBInstance\n    Properties:\n      MasterUserPassword: !Ref Q\n")
    assert _find(text) == []


def test_serverless_v1_gets_a_generated_secret():
    text = ("Parameters:\n  DbPassword:\n    Type: String\nResources:\n  C:\n    Type: AWS::RDS::DBCluster\n"
            "    Properties:\n      Engine: aurora-mysql\n      EngineMode: serverless\n      MasterUsername: admin\n"
            "      MasterUserPassword: !Ref DbPassword\n")
    (finding,) = _find(text)
    assert finding.detail[0] == "secret" and "Serverless v1" in finding.message
