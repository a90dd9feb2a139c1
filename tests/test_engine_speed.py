"""Issue 21: what makes cfnfix fast must not change what it answers."""

import subprocess
import sys

from cfnfix import schemas


def test_getatt_attributes_match_cfn_lint_for_every_resource_type():
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    types = schemas.resource_types()
    assert len(types) > 1000
    for type_name in types:
        try:
            expected = list(PROVIDER_SCHEMA_MANAGER.get_type_getatts(type_name, schemas.REGION))
        except Exception:  # noqa: BLE001
            expected = None
        if type_name.startswith(schemas._OPEN_TYPES):
            continue
        assert schemas.attributes(type_name) == expected, type_name


def test_a_run_imports_neither_cfn_lint_nor_a_process_pool(tmp_path):
    template = tmp_path / "t.yaml"
    template.write_text("Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n"
                        "      Role: !GetAtt Role.Nope\n  Role:\n    Type: AWS::IAM::Role\n")
    code = ("import sys\nfrom cfnfix.cli import main\n"
            "try:\n    main(['check', '--all', '-q', '-j', '1', sys.argv[1]])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cfnlint' or m == 'concurrent.futures.process'))")
    out = subprocess.run([sys.executable, "-c", code, str(template)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _bucket_template(padding: int, topics: int = 0) -> str:
    head = "AWSTemplateFormatVersion: '2010-09-09'\nMetadata:\n  Note: " + "x" * padding + "\nResources:\n"
    body = "  Bucket:\n    Type: AWS::S3::Bucket\n"
    body += "".join(f"  Topic{i}:\n    Type: AWS::SNS::Topic\n" for i in range(topics))
    return head + body


def test_apply_warns_once_when_a_fix_pushes_a_template_past_the_s3_body_quota(tmp_path):
    from click.testing import CliRunner

    from cfnfix.cli import main
    from cfnfix.quotas import BODY_BYTES

    near = tmp_path / "near.yaml"
    text = _bucket_template(0)
    near.write_text(_bucket_template(BODY_BYTES - len(text) - 5))
    small = tmp_path / "small.yaml"
    small.write_text(_bucket_template(10))
    result = CliRunner().invoke(main, ["apply", "--select", "s3-lifecycle", str(near), str(small)])
    assert result.exit_code == 0, result.output
    assert near.stat().st_size > BODY_BYTES  # written all the same
    warnings = [line for line in result.stderr.splitlines() if "quotas" in line]
    assert warnings == [f"cfnfix: {near}: warning: the fixed template passes CloudFormation's quotas: "
                        f"{near.stat().st_size:,} bytes (CloudFormation's limit: 1,000,000 for a template in S3); "
                        "split it (nested stacks) before deploying"]


def test_resource_quota_counts_only_what_the_fix_crossed():
    from cfnfix.document import parse
    from cfnfix.quotas import crossed

    before = parse(_bucket_template(10, topics=499))
    after = parse(_bucket_template(10, topics=500))
    assert crossed(before, after) == ("the fixed template passes CloudFormation's quotas: 501 resources "
                                      "(CloudFormation's limit: 500); split it (nested stacks) before deploying")
    assert crossed(after, after) is None  # over before the fix: not the fix's doing


def test_fixers_declaring_resource_types_are_not_asked_about_templates_without_them(monkeypatch):
    """The engine skips find() of a fixer whose resource types the template lacks, and of a fixer
    that meets the very document it already ran on (a later round with nothing changed since)."""
    from cfnfix.api import fix_text
    from cfnfix.registry import all_fixers

    calls: list[str] = []
    for name in ("s3-lifecycle", "sns-encryption", "depends-on"):
        cls = all_fixers()[name]
        original = cls.find

        def spy(self, doc, original=original):
            calls.append(self.name)
            return original(self, doc)

        monkeypatch.setattr(cls, "find", spy)
    template = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"
    fix_text(template, select=["s3-lifecycle", "sns-encryption"], unsafe_fixes=True)
    # no bucket: s3-lifecycle never asked; the topic is fixed in round 1, and round 2 meets
    # a document sns-encryption has not seen, so it is asked twice
    assert calls == ["sns-encryption", "sns-encryption"]
    calls.clear()
    fix_text(template, select=["sns-encryption", "depends-on"], unsafe_fixes=True)
    # depends-on (after sns-encryption; it reads every resource type) ran on round 1's final
    # document: round 2 does not ask it again
    assert calls == ["sns-encryption", "depends-on", "sns-encryption"]
