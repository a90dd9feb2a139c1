"""Finds the fixers in the ``cfnfix.fixers`` package and fixes the order they run in.

A run imports only the fixers it runs (issue 21, session 6): ``check`` runs the few fixers on
by default, and importing the other modules cost ~60 ms of its ~200 ms start-up. Each fixer
lives in the module named for it (``s3-lifecycle`` in ``s3_lifecycle``), so the names come from
the package's file names; which are on by default is :data:`DEFAULT_ON` (tests/test_registry.py
checks both against the classes).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

import cfnfix.fixers as package

from .fixer import Fixer

# Fixers run in this order, each on the output of the one before. Flattening comes first so
# that every other fixer sees the whole stack; schema repairs come before the fixers that
# reason about property values; s3-lifecycle follows s3-replication so a destination bucket
# it creates is covered in the same run; cycle breakers run after anything that adds references.
ORDER = (
    "flatten-nested-stacks",
    "stackset-to-stack",  # like flattening: every other fixer sees the whole stack
    "resource-type",  # a real type first: the schema fixers and s3-replication judge resources by it
    "logical-id-clash",  # issue 20 part E: one name, one thing, before anything follows references
    "property-name",
    "unsupported-property",
    "lookup-resource",  # issue 20 (session 5): before required-property could complete a lookup as a new resource
    "required-property",
    "engine-version",
    "allowed-value",
    "inline-lambda-handler",  # before lambda-runtime: it gives inline code under provided.* its language's runtime
    "lambda-runtime",
    "service-linked-role",
    "password-pattern",
    "s3-replication",
    "s3-lifecycle",
    "aurora-backtrack",
    "s3-notification-cycle",
    "security-group-cycle",
    "iam-policy-cycle",
    # cfn-lint errors generated templates keep after the fixers above (issue 20)
    "dangling-reference",
    "s3-acl-ownership",
    "value-type",
    "parameter-type",
    "resource-shape",
    "sub-needed",
    "reference-cycle",
    # issue 18 (qa, deploy, data-protection): names and literals first, then teardown and backups
    "hardcoded-partition",
    "hardcoded-az",
    "hardcoded-ami",
    "unique-names",
    "retain-policy",
    "dynamodb-pitr",
    "rds-backup-retention",
    # qa: make a generated template deploy into a shared test account (issue 18)
    "macro-split",
    "az-count",
    "nat-gateways",
    "config-singletons",
    # security group (issue 19): what Checkov reports, where the fix is knowable
    "s3-public-access-block",
    "s3-versioning",
    "s3-access-logging",
    "kms-key-rotation",
    "sqs-encryption",
    "sns-encryption",
    "log-group-retention",
    "log-group-encryption",
    "cloudtrail-log-validation",
    "security-group-open-ingress",  # before the descriptions: a rule is described as it ends up
    "security-group-descriptions",
    "imdsv2",
    "load-balancer-tls-policy",
    "rds-iam-auth",
    "rds-storage-encryption",
    "rds-enhanced-monitoring",
    # issue 16: a database password nobody can deploy without typing
    "db-password-secret",
    # issue 20 part B: top-level sections and outputs in the form CloudFormation reads
    "template-structure",
    # issue 20, part C: schema values cfn-lint still reports after the fixers above
    "lambda-reserved-variable",
    "backup-lifecycle",
    "guardduty-features",
    "duplicate-resource",
    # issue 20 part G: mapping keys a template cannot be read with (repeated keys run first, see engine.fix_source)
    "mapping-key",
    # issue 20 part D: names defined nowhere and near nothing become parameters
    "undeclared-parameter",
    # issue 20, part F: policy documents IAM rejects
    "policy-statement",
    # issue 20 part E: DependsOn entries that name nothing
    "depends-on",
    # issue 20 part E (session 4): a Ref where the property wants the resource's ARN, and the reverse
    "reference-format",
    # issue 20 part F (session 4): placeholders where the deployer's value is meant become parameters
    "placeholder-value",
)


# The fixers whose class says ``default = True``, so that knowing them imports no fixer module.
DEFAULT_ON = frozenset({
    "inline-lambda-handler",
    "lambda-runtime",
    "service-linked-role",
    "password-pattern",
    "s3-lifecycle",
    "s3-notification-cycle",
    "security-group-cycle",
    "iam-policy-cycle",
})

# Every fixer class imported so far, by name: in run order once all_fixers() has imported them all
# (tests register their own fixers in it). The engine asks for the classes of a template's fixers.
_classes: dict[str, type[Fixer]] = {}
_complete = False
_RANK = {name: i for i, name in enumerate(ORDER)}


def _rank(name: str) -> tuple[int, str]:
    """Run order: ORDER, then fixers missing from it, by name."""
    return (_RANK.get(name, len(ORDER)), name)


def _classes_in(module_name: str) -> list[type[Fixer]]:
    """The fixer classes a fixer module defines (not those it imports)."""
    module = importlib.import_module(f"{package.__name__}.{module_name}")
    return [cls for cls in vars(module).values()
            if isinstance(cls, type) and issubclass(cls, Fixer) and cls.__module__ == module.__name__ and hasattr(cls, "name")]


def all_fixers() -> dict[str, type[Fixer]]:
    """Every fixer class by name, in run order (fixers missing from ORDER run last, by name).

    It imports every fixer module; a run that needs only some asks :func:`fixer_class`."""
    global _complete
    if not _complete:
        found = {cls.name: cls for info in pkgutil.iter_modules(package.__path__) for cls in _classes_in(info.name)}
        _classes.clear()
        _classes.update(sorted(found.items(), key=lambda item: _rank(item[0])))
        _complete = True
    return _classes


@lru_cache(maxsize=1)
def _module_names() -> tuple[str, ...]:
    """Every fixer name in run order, read off the module file names."""
    return tuple(sorted((info.name.replace("_", "-") for info in pkgutil.iter_modules(package.__path__)), key=_rank))


def fixer_names() -> tuple[str, ...]:
    """Every fixer name in run order, importing no fixer module."""
    return tuple(_classes) if _complete else _module_names()


def fixer_class(name: str) -> type[Fixer]:
    """The class of fixer ``name`` (one of :func:`fixer_names`), importing its module alone."""
    try:
        return _classes[name]
    except KeyError:
        if _complete or name not in _module_names():
            raise
    _classes[name] = next(cls for cls in _classes_in(name.replace("-", "_")) if cls.name == name)
    return _classes[name]


def default_names() -> list[str]:
    """The fixers on by default, in run order."""
    if _complete:
        return [name for name, cls in _classes.items() if cls.default]
    return [name for name in _module_names() if name in DEFAULT_ON]
