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
