"""The registry's names, order and defaults, known without importing the fixer modules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cfnfix import registry
from cfnfix.registry import DEFAULT_ON, all_fixers

QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


def test_module_names_are_the_fixer_names_in_run_order():
    # fixer_names() and fixer_class() read a fixer's name off its module's file name
    assert registry._module_names() == tuple(all_fixers())
    for name, cls in all_fixers().items():
        assert cls.__module__ == f"cfnfix.fixers.{name.replace('-', '_')}"


def test_default_on_lists_the_fixers_whose_class_says_default():
    assert DEFAULT_ON == {name for name, cls in all_fixers().items() if cls.default}


def test_check_imports_only_the_fixers_it_runs(tmp_path: Path):
    (tmp_path / "t.yaml").write_text(QUEUE)
    code = ("import sys\nfrom cfnfix.cli import main\ntry:\n    main(['check', '-j', '1', 't.yaml'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('cfnfix.fixers.')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.stdout.splitlines()[-1] == str(sorted(f"cfnfix.fixers.{n.replace('-', '_')}" for n in DEFAULT_ON))
    assert not out.stderr
