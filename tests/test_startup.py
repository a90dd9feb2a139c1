"""What a plain ``cfnfix check`` imports: start-up is a fifth of its CPU over a corpus (issue 21)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from cfnfix.registry import DEFAULT_ON

QUEUE = "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n"
# what a check of one template needs no module of: no config file, glob, .gitignore or write
NOT_IMPORTED = ("pathspec", "tomllib", "tempfile", "traceback", "difflib")


def _imported_by_check(folder: Path) -> set[str]:
    code = ("import sys\nfrom cfnfix.cli import main\ntry:\n    main(['check', 't.yaml'])\n"
            "except SystemExit:\n    pass\nimport json\nprint(json.dumps(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, timeout=120)
    assert not out.stderr
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_check_imports_only_the_fixers_it_runs_and_no_module_it_does_not_use(tmp_path: Path):
    (tmp_path / "t.yaml").write_text(QUEUE)
    imported = _imported_by_check(tmp_path)
    assert {m for m in imported if m.startswith("cfnfix.fixers.")} == {f"cfnfix.fixers.{n.replace('-', '_')}" for n in DEFAULT_ON}
    assert imported.isdisjoint(NOT_IMPORTED)


def test_a_config_file_and_a_gitignore_are_still_read(tmp_path: Path):
    (tmp_path / "t.yaml").write_text(QUEUE)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "skipped.yaml").write_text("Resources: [")  # would be an error if not ignored
    (tmp_path / ".gitignore").write_text("skipped.yaml\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".cfnfix.toml").write_text('exclude = ["t.yaml"]\n')
    out = subprocess.run([sys.executable, "-m", "cfnfix", "check", "."], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 2 and "no CloudFormation templates found" in out.stderr, out


def test_version_is_the_installed_distributions():
    from importlib.metadata import version

    from click.testing import CliRunner

    from cfnfix import __version__
    from cfnfix.cli import main

    assert __version__ == version("cfnfix")
    assert CliRunner().invoke(main, ["--version"], prog_name="cfnfix").output == f"cfnfix, version {__version__}\n"


def _cfnfix_classes() -> list[type]:
    """Every class cfnfix and its fixers define, every module imported."""
    import importlib
    import pkgutil

    import cfnfix
    from cfnfix.registry import all_fixers

    all_fixers()
    for info in pkgutil.iter_modules(cfnfix.__path__):
        if info.name != "__main__":  # runs the command line
            importlib.import_module(f"cfnfix.{info.name}")
    return [cls for name, module in sys.modules.items() if name.startswith("cfnfix.")
            for cls in vars(module).values() if isinstance(cls, type) and cls.__module__ == name]


def test_every_dataclass_has_a_docstring():
    """A dataclass without one gets a docstring made with ``inspect.signature``: 11 of them cost
    ~1M instructions of the start-up of ``check --all`` (issue 21, session 7)."""
    import dataclasses

    made = [f"{cls.__module__}.{cls.__qualname__}" for cls in _cfnfix_classes()
            if dataclasses.is_dataclass(cls) and (cls.__doc__ or "").startswith(f"{cls.__name__}(")]
    assert made == []


# records a NamedTuple cannot be: the JSON encoders would write a tuple as an array
NOT_TUPLES = {"cfnfix.render.Verbatim"}


def test_immutable_records_are_named_tuples():
    """Making a frozen dataclass runs six generated methods through ``exec`` (~1 ms each class);
    a NamedTuple is made in ~0.15 ms. With 35 of them, start-up took 93M more instructions
    (649M against 556M to import everything; issue 21, session 9). A frozen dataclass is kept
    where a field needs ``field()`` (left out of comparisons) or a tuple would be misread."""
    import dataclasses

    frozen = [f"{cls.__module__}.{cls.__qualname__}" for cls in _cfnfix_classes()
              if dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]
              and all(f.compare and f.repr and f.default_factory is dataclasses.MISSING for f in dataclasses.fields(cls))]
    assert sorted(frozen) == sorted(NOT_TUPLES)
