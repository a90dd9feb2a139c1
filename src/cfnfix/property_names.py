"""Which name a schema object accepts for a property name it does not: the matching the schema
fixers share (``property-name`` renames near misses; ``unsupported-property`` also finds names
with the same words in another order or form)."""

from __future__ import annotations

import re


from . import schemas
from .document import Document

MAX_DISTANCE = 2

# Names that circulate for a property under another name, where the value means the same thing.
# Applied only where the holding object accepts the target name and does not have it yet.
ALIASES = {
    "KeyRotationStatus": "EnableKeyRotation",  # KMS: the API's GetKeyRotationStatus vs the property
    "ReservedConcurrencyLimit": "ReservedConcurrentExecutions",  # Lambda
    "VisibilityTimeoutSeconds": "VisibilityTimeout",  # SQS: the API attribute is VisibilityTimeout
    "SourceSecurityGroupId": "DestinationSecurityGroupId",  # egress rules name a destination
    "DestinationSecurityGroupId": "SourceSecurityGroupId",  # ingress rules name a source
    "MaximumEventAge": "MaximumEventAgeInSeconds",  # EventBridge target RetryPolicy
    "Tags": ("HostedZoneTags", "HealthCheckTags"),  # Route 53 names its tag lists after the resource
    "DefaultCooldown": "Cooldown",  # Auto Scaling: the API's DefaultCooldown is the group's Cooldown
    "CacheClusterId": "ClusterName",  # ElastiCache: the API's CacheClusterId is the cluster's ClusterName
    "LambdaFunctionConfigurations": "LambdaConfigurations",  # S3: the API's name of a bucket's Lambda notifications
}


def distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: one typo (insert, delete, replace, swap) costs 1."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1]


def candidate(name: str, allowed: list[str], present: set[str]) -> tuple[str | None, str]:
    """The single allowed name ``name`` was meant to be, and how it was matched; None when unsure."""
    free = [a for a in allowed if a not in present]
    same_case = [a for a in free if a.lower() == name.lower()]
    if len(same_case) == 1:
        return same_case[0], "differs only in case"
    aliases = ALIASES.get(name, ())
    for alias in (aliases,) if isinstance(aliases, str) else aliases:
        if alias in free:
            return alias, "is the name AWS documents for this setting"
    scored = sorted((distance(name.lower(), a.lower()), a) for a in free)
    close = [(d, a) for d, a in scored if d <= MAX_DISTANCE and d < len(name) // 2]
    if close and (len(close) == 1 or close[0][0] < close[1][0]):
        return close[0][1], f"is {close[0][0]} edit{'s' if close[0][0] > 1 else ''} away"
    return None, ""


def rename_target(doc: Document, violation: schemas.Violation) -> tuple[str | None, str]:
    """(new name, why) for an unknown property, judged against its holding object's keys."""
    holder = doc.data
    for part in violation.path[:-1]:
        holder = holder[part]
    target, why = candidate(violation.name, violation.allowed_names(), set(holder))
    if target and not schemas.shape_fits(violation.root, violation.property_schema(target), violation.value):
        return None, ""
    return target, why



# Words that change a name's form, not what it names: `KeyRotationEnabled` is `EnableKeyRotation`.
FORM_WORDS = frozenset({"enable", "enabled", "is"})
# Words a longer name may add to one that means the same (`HealthCheckInterval` is
# `HealthCheckIntervalSeconds`, `IncludeGlobalResources` is `IncludeGlobalResourceTypes`).
FILLER_WORDS = frozenset({"second", "in", "day", "minute", "hour", "type", "specification", "configuration", "setting"})

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z]|\d|\b|_)|[A-Z]?[a-z]+|\d+")


def words(name: str, form: bool = True) -> list[str]:
    """The words of a CamelCase name, lower case, singular; without form words unless ``form``."""
    out = []
    for raw in _WORD.findall(name):
        w = raw.lower()
        if raw.isupper():  # an acronym (KMS, ARN) stays as it is
            pass
        elif w.endswith("ies") and len(w) > 4:
            w = w[:-3] + "y"
        elif w.endswith("s") and not w.endswith("ss") and len(w) > 2:
            w = w[:-1]
        if form or w not in FORM_WORDS:
            out.append(w)
    return out


def word_match(name: str, allowed: list[str], context: set[str]) -> tuple[str | None, str]:
    """The single allowed name made of the same words as ``name`` (in any order or form), or of
    those words plus words the context supplies (the holding property's and the resource type's
    names: `Rules` in a `BackupPlan` is `BackupPlanRule`) or filler words; None when not unique."""
    mine = sorted(words(name, form=False))
    if not mine:
        return None, ""
    same, close = [], []
    for a in allowed:
        theirs = sorted(words(a, form=False))
        if theirs == mine:
            same.append(a)
            continue
        extra, missing = minus(theirs, mine), minus(mine, theirs)
        if theirs and not missing and extra and set(extra) <= context | FILLER_WORDS:
            close.append(a)
        elif theirs and not extra and missing and set(missing) <= context:
            close.append(a)
    if len(same) == 1:
        return same[0], "has the same words"
    if not same and len(close) == 1:
        return close[0], "names the same setting"
    return None, ""


def minus(a: list[str], b: list[str]) -> list[str]:
    rest = list(a)
    for w in b:
        if w in rest:
            rest.remove(w)
    return rest


def context_words(violation: schemas.Violation) -> set[str]:
    """Words of the names around an unknown property: the key of the object (or list) holding it
    and the resource type's own name."""
    found = set(words(violation.type_name.rsplit("::", 1)[-1]))
    for part in reversed(violation.path[3:-1]):
        if isinstance(part, str):
            found.update(words(part))
            break
    return found
