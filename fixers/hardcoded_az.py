"""Availability zones written out by name, which exist in one region only."""

from __future__ import annotations

import re
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer
from cfnfix.literals import intrinsic, set_at
from cfnfix.text_checks import may_match, may_write

# us-east-1a, eu-central-1b, us-gov-west-1a, cn-north-1a (not local zones such as us-west-2-lax-1a)
AZ = re.compile(r"^(?P<region>[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d)(?P<letter>[a-z])$")
# what every AZ name ends with (its region's last two parts and the letter), found in a
# template's text by a search that needs no walk: most templates that name an
# AvailabilityZone key pick zones with Fn::GetAZs and write no zone name at all
AZ_TAIL = re.compile(r"-[a-z]+-\d[a-z]")
USUAL_AZS = 3  # every commercial region has at least three zones; a template cannot count on more


def _is_az_key(key: Any) -> bool:
    return isinstance(key, str) and key.endswith(("AvailabilityZone", "AvailabilityZones"))


def az_literals(value: Any, path: tuple) -> list[tuple[tuple, str]]:
    """(data path, name) of each literal AZ name under an ``...AvailabilityZone(s)`` key in ``value``.
    The walk fills one list and calls itself for mappings and lists only (no generator per
    node, no call per scalar): it runs over every property of most VPC templates."""
    found: list[tuple[tuple, str]] = []
    _az_literals(value, path, False, found)
    return found


def _az_literals(value: Any, path: tuple, under_az_key: bool, found: list[tuple[tuple, str]]) -> None:
    if isinstance(value, str):
        if under_az_key and AZ.match(value):
            found.append((path, value))
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (list, dict)) or (under_az_key and isinstance(item, str)):
                _az_literals(item, path + (i,), under_az_key, found)
        return
    if not isinstance(value, dict):
        return
    call = intrinsic(value)
    if call:
        name, arg = call
        if name == "Fn::If" and isinstance(arg, list):
            for i in (1, 2):
                if i < len(arg):
                    _az_literals(arg[i], path + (name, i), under_az_key, found)
        return
    for key, item in value.items():
        if isinstance(item, (list, dict)) or (isinstance(item, str) and (under_az_key or _is_az_key(key))):
            _az_literals(item, path + (key,), under_az_key or _is_az_key(key), found)


def indexes(names: set[str]) -> dict[str, int]:
    """The ``Fn::GetAZs`` index of each AZ name: its letter's position (a->0, b->1, c->2). When
    that would not do (a letter past the third, which many regions lack, or two names from
    different regions sharing a letter) the distinct names are numbered in order instead, so
    that different zones stay different zones and the same zone always gets the same index. A name
    that is not an AZ name gets none."""
    letters = {n: ord(m.group("letter")) - ord("a") for n in names if (m := AZ.match(n))}
    if max(letters.values(), default=0) < USUAL_AZS and len(set(letters.values())) == len(letters):
        return letters
    ordered = sorted(letters, key=lambda n: (letters[n], n))
    return {n: i for i, n in enumerate(ordered)}


class HardcodedAz(Fixer):
    name = "hardcoded-az"
    summary = "Pick availability zones with !Select [i, !GetAZs ''] instead of literal zone names"
    group = "deploy"
    safety = Safety.REVIEW
    default = False
    docs = """
    ## What it detects
    Literal availability zone names (`us-east-1a`) under resource properties named
    `AvailabilityZone` or `AvailabilityZones` (and `...AvailabilityZone(s)` such as
    `PreferredAvailabilityZones`): subnets, instances, volumes, DB instances, Auto Scaling
    groups, launch template placements, and the branches of `Fn::If`. Parameters typed
    `AWS::EC2::AvailabilityZone::Name` are left alone: their value is chosen at deployment.

    ## Why it matters
    A zone name exists in one region only, so the template cannot deploy anywhere else, and the
    zones an account can use differ between accounts. `Fn::GetAZs ''` lists the zones of the
    region the stack is in.

    ## Example
    ```yaml
    # before
    SubnetA:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: !Ref Vpc
        CidrBlock: 10.0.0.0/24
        AvailabilityZone: us-east-1a
    SubnetB:
      Type: AWS::EC2::Subnet
      Properties:
        VpcId: !Ref Vpc
        CidrBlock: 10.0.1.0/24
        AvailabilityZone: us-east-1b
    # after
        AvailabilityZone: !Select [0, !GetAZs '']
        ...
        AvailabilityZone: !Select [1, !GetAZs '']
    ```

    ## How it numbers zones
    The index is the letter's position (`a` → 0, `b` → 1, `c` → 2), the same for every use of
    one zone, so resources that shared a zone still do and those in different zones still are.
    When a template names a zone past the third letter (many regions have three zones) or the
    same letter in two regions, the distinct names are numbered in order instead
    (`us-east-1a, us-east-1d, us-east-1f` → 0, 1, 2), which keeps them distinct.

    ## Fix safety
    Review: `AvailabilityZone` of a subnet, instance, volume or DB instance cannot change in
    place. Deployed in the region the names came from, `!Select [0, !GetAZs '']` is usually the
    same zone and nothing is replaced, but `Fn::GetAZs` lists only the zones the account can use,
    so the first entry is not always `a`: a resource that lands in another zone is replaced.
    """

    def find(self, doc: Document) -> list[Finding]:
        if not may_write(doc.text, "AvailabilityZone") or not may_match(doc.text, AZ_TAIL):
            return []  # no key can name a zone, or no string is a zone's name
        sites = []
        for rid, res in doc.resources.items():
            if isinstance(res, dict) and isinstance(res.get("Properties"), dict):
                for path, name in az_literals(res["Properties"], ("Resources", rid, "Properties")):
                    sites.append((rid, path, name))
        numbers = indexes({name for _, _, name in sites})
        findings = []
        for rid, path, name in sites:
            index = numbers[name]
            note = "" if index == ord(name[-1]) - ord("a") else " (zones numbered in order)"
            if index >= USUAL_AZS:
                note += f"; the region needs at least {index + 1} zones"
            findings.append(Finding(rid, path, f"availability zone {name} written out; becomes zone {index} of the region{note}",
                                    detail=(name, index)))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        for f in findings:
            name, index = f.detail
            value = {"Fn::Select": [index, {"Fn::GetAZs": ""}]}
            with editor.finding(f):
                set_at(editor, f.path, value)
                changes.append(self.change(f, "replace", name, value,
                                           f"zone {index} of the stack's region instead of {name}; "
                                           "a resource whose zone changes is replaced"))
        return Fix.of(editor, changes)
