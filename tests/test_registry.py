"""The registry's names, order and defaults, known without importing the fixer modules."""

from __future__ import annotations

from cfnfix import registry
from cfnfix.registry import DEFAULT_ON, all_fixers


def test_module_names_are_the_fixer_names_in_run_order():
    # fixer_names() and fixer_class() read a fixer's name off its module's file name
    assert registry._module_names() == tuple(all_fixers())
    for name, cls in all_fixers().items():
        assert cls.__module__ == f"cfnfix.fixers.{name.replace('-', '_')}"


def test_default_on_lists_the_fixers_whose_class_says_default():
    assert DEFAULT_ON == {name for name, cls in all_fixers().items() if cls.default}
