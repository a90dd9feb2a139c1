"""Finds the fixers in the ``cfnfix.fixers`` package and fixes the order they run in."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache

from .fixer import Fixer

# Fixers run in this order, each on the output of the one before. Flattening comes first so
# that every other fixer sees the whole stack; schema repairs come before the fixers that
# reason about property values; s3-lifecycle follows s3-replication so a destination bucket
# it creates is covered in the same run; cycle breakers run after anything that adds references.
ORDER = (
    "flatten-nested-stacks",
    "property-name",
    "unsupported-property",
    "required-property",
    "engine-version",
    "allowed-value",
    "lambda-runtime",
    "inline-lambda-handler",
    "service-linked-role",
    "password-pattern",
    "s3-replication",
    "s3-lifecycle",
    "aurora-backtrack",
    "s3-notification-cycle",
    "security-group-cycle",
    "iam-policy-cycle",
    # issue 16: a database password nobody can deploy without typing
    "db-password-secret",
)


@lru_cache(maxsize=1)
def all_fixers() -> dict[str, type[Fixer]]:
    """Every fixer class by name, in run order (fixers missing from ORDER run last, by name)."""
    import cfnfix.fixers as package

    found: dict[str, type[Fixer]] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Fixer) and cls.__module__ == module.__name__ and hasattr(cls, "name"):
                found[cls.name] = cls
    rank = {name: i for i, name in enumerate(ORDER)}
    return dict(sorted(found.items(), key=lambda item: (rank.get(item[0], len(ORDER)), item[0])))


def default_names() -> list[str]:
    return [name for name, cls in all_fixers().items() if cls.default]
