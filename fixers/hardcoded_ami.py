"""AMI IDs written into resources: regional, and deregistered sooner or later."""

from __future__ import annotations

import re
from typing import Any

from cfnfix.changelog import Safety
from cfnfix.document import Document
from cfnfix.edits import Editor
from cfnfix.fixer import Finding, Fix, Fixer, Option
from cfnfix.literals import intrinsic, set_at
from cfnfix.parameters import add_parameters
from cfnfix.text_checks import entry_check, may_match

AMI = re.compile(r"^ami-(?:[0-9a-f]{8}|[0-9a-f]{17})$")
# what every AMI id starts with, found in a template's text by a search that needs no walk:
# "ami-" alone is in every SSM path to an Amazon Linux image (ami-amazon-linux-latest)
AMI_HEAD = re.compile(r"ami-[0-9a-f]{8}")
DEFAULT_PATH = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
PARAMETER_TYPE = "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>"
# Graviton families: a1, and <letters><generation>g<extras> (t4g, m7g, c7gn, r6gd, im4gn, is4gen, g5g)
ARM_FAMILY = re.compile(r"^(?:a1|[a-z]+\d+g[a-z]*)\.", re.IGNORECASE)
AMAZON_LINUX_PATHS = "/aws/service/ami-amazon-linux-latest/"
AL2 = "Amazon Linux 2"
# user data for Amazon Linux 2 (amazon-linux-extras, which 2023 lacks) keeps its system's image
AL2_PATH = "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"
AL2_KEPT = ("; the user data runs amazon-linux-extras, which only Amazon Linux 2 has, so the image stays Amazon "
            "Linux 2 (its support ended on 2026-06-30: port the user data to Amazon Linux 2023)")
# What user data that an Amazon Linux 2023 image cannot run is written in, by the words that
# give it away: the image the instances run is another system's
OTHER_SYSTEMS = (
    (re.compile(r"<powershell>|\bcfn-(?:init|signal)\.exe\b|\.ps1\b|\b[A-Za-z]:\\", re.IGNORECASE), "Windows"),
    (re.compile(r"\bapt(?:-get)?\s+(?:-\S+\s+)*(?:install|update|upgrade)\b|\bdpkg\b"), "Debian or Ubuntu (apt)"),
    (re.compile(r"\bzypper\b"), "SUSE (zypper)"),
    (re.compile(r"\bsubscription-manager\b"), "Red Hat Enterprise Linux (subscription-manager)"),
    (re.compile(r"\bamazon-linux-extras\b"), AL2),
)


def is_arm(instance_type: Any) -> bool:
    if not isinstance(instance_type, str):
        return False  # a parameter or a computed type: the x86_64 image, as for most types
    return bool(ARM_FAMILY.match(instance_type)) or "graviton" in instance_type.lower()


def _image_ids(value: Any, path: tuple) -> list[tuple[tuple, str]]:
    """(data path, id) of each literal AMI id under an ``ImageId`` key, Fn::If branches included.
    The walk fills one list and calls itself for mappings and lists only (no generator per
    node, no call per scalar): it runs over every property of a template that writes ``ami-``."""
    found: list[tuple[tuple, str]] = []
    _walk_images(value, path, found)
    return found


def _walk_images(value: Any, path: tuple, found: list[tuple[tuple, str]]) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):
                _walk_images(item, path + (i,), found)
        return
    if not isinstance(value, dict) or intrinsic(value):
        return
    for key, item in value.items():
        if key == "ImageId":
            _literal_ids(item, path + (key,), found)
        elif isinstance(item, (dict, list)):
            _walk_images(item, path + (key,), found)


def _literal_ids(value: Any, path: tuple, found: list[tuple[tuple, str]]) -> None:
    if isinstance(value, str) and AMI.match(value):
        found.append((path, value))
    call = intrinsic(value)
    if call and call[0] == "Fn::If" and isinstance(call[1], list):
        for i in (1, 2):
            if i < len(call[1]):
                _literal_ids(call[1][i], path + ("Fn::If", i), found)


def _instance_type(props: dict, image_path: tuple) -> Any:
    """The instance type next to the image: a sibling ``InstanceType``, or the resource's own."""
    holder: Any = props
    found = props.get("InstanceType")
    for part in image_path[3:-1]:
        holder = holder.get(part) if isinstance(holder, dict) else holder[part] if isinstance(holder, list) and isinstance(part, int) and part < len(holder) else None
        if isinstance(holder, dict) and "InstanceType" in holder:
            found = holder["InstanceType"]
    return found


def _user_data_strings(value: Any, inside: bool = False) -> list[str]:
    """The strings written under the ``UserData`` keys of ``value`` (through Fn::Base64,
    Fn::Sub and Fn::Join), where an image's system shows."""
    if isinstance(value, str):
        return [value] if inside else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [text for key, item in items for text in _user_data_strings(item, inside or key == "UserData")]


def _other_system(props: Any) -> str | None:
    """The system, other than Amazon Linux 2023, that a resource's user data is written for."""
    texts = _user_data_strings(props)
    return next((name for pattern, name in OTHER_SYSTEMS if any(pattern.search(t) for t in texts)), None)


def _mapping_ids(value: Any) -> int:
    if isinstance(value, str):
        return 1 if AMI.match(value) else 0
    if isinstance(value, dict):
        return sum(_mapping_ids(v) for v in value.values())
    if isinstance(value, list):
        return sum(_mapping_ids(v) for v in value)
    return 0


class HardcodedAmi(Fixer):
    name = "hardcoded-ami"
    summary = "Replace literal AMI IDs with an SSM public parameter for the latest Amazon Linux 2023"
    group = "qa"
    safety = Safety.REVIEW
    default = False
    options = (
        Option("ssm-path", DEFAULT_PATH,
               "the public SSM parameter the new parameters default to; the `x86_64` in a path is switched "
               "to `arm64` for Graviton instance types"),
    )
    docs = """
    ## What it detects
    Literal AMI IDs (`ami-` and 8 or 17 hex digits) as the `ImageId` of resources: EC2
    instances, launch templates, launch configurations, spot fleets, and the branches of
    `Fn::If`. AMI IDs in `Mappings` (region maps) are reported, not changed: the map may be
    deliberate, and which image each entry stands for cannot be told from the ID.

    ## Why it matters
    An AMI ID exists in one region only, and public images are deregistered as new ones are
    released: the template stops deploying in other regions, and later everywhere. A parameter
    of type `AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>` that defaults to the public
    parameter for the latest Amazon Linux 2023 image resolves in every region, at every
    deployment.

    ## What it adds
    One parameter per distinct AMI ID (`LatestAmiId`, `LatestAmiId2`, ...; `LatestArm64AmiId`
    for Graviton instance types such as `t4g`, `m7g`, `c7g`), defaulting to `ssm-path`
    (`/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64`, or its `-arm64`
    twin), and every `ImageId` that used the ID refers to it with `!Ref`.

    The user data of the resources using an ID tells which system the image runs. With the
    default (Amazon Linux) `ssm-path`: user data for Windows (`<powershell>`, `cfn-init.exe`,
    `C:\\`), Debian or Ubuntu (`apt-get install`, `dpkg`), SUSE (`zypper`) or Red Hat
    (`subscription-manager`) is reported, not changed, as Amazon Linux 2023 would not run it;
    user data that runs `amazon-linux-extras` (Amazon Linux 2 only) gets the latest Amazon Linux
    2 image (`amzn2-ami-hvm-x86_64-gp2`), as a person correcting the template does, and the
    change log says its support has ended.

    ## Example
    ```yaml
    # before
    Instance:
      Type: AWS::EC2::Instance
      Properties:
        InstanceType: t3.micro
        ImageId: ami-0abcdef1234567890
    # after
    Parameters:
      LatestAmiId:
        Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
        Default: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
        Description: Image for the instances (replaces ami-0abcdef1234567890, which exists in one region only)
    Resources:
      Instance:
        Type: AWS::EC2::Instance
        Properties:
          InstanceType: t3.micro
          ImageId: !Ref LatestAmiId
    ```

    ## Fix safety
    Review: the old image may not have been Amazon Linux 2023 (check what the user data and
    software expect), and a new image ID replaces instances on the next update, as later
    images will whenever the public parameter moves on.
    """

    @staticmethod
    def _path_for(path: str, arm: bool) -> str:
        """``path``, for Graviton instance types the arm64 image's."""
        if arm and "x86_64" in path:
            return path.replace("x86_64", "arm64")
        return path

    def find(self, doc: Document) -> list[Finding]:
        findings: list[Finding] = []
        if not may_match(doc.text, AMI_HEAD):
            return findings  # no string can be an AMI id
        may_hold = entry_check(doc, "ami-")
        systems: dict[str, str | None] = {}  # AMI id -> the other system a resource using it runs, if any
        for rid, res in doc.resources.items():
            if not isinstance(res, dict) or not isinstance(res.get("Properties"), dict):
                continue
            if not may_hold(("Resources", rid)):
                continue  # every AMI id starts so: no walk of a resource whose text does not write it
            props = res["Properties"]
            for path, ami in _image_ids(props, ("Resources", rid, "Properties")):
                arm = is_arm(_instance_type(props, path))
                findings.append(Finding(rid, path, f"AMI ID {ami} written out: it exists in one region and is deregistered in time",
                                        detail=(ami, arm, self.config["ssm-path"], "")))
                if self.config["ssm-path"].startswith(AMAZON_LINUX_PATHS) and systems.get(ami) is None:
                    systems[ami] = _other_system(props)
        for f in findings:
            system = systems.get(f.detail[0]) if f.detail else None
            if system == AL2:  # its latest image, from its own public parameter
                f.detail = (f.detail[0], f.detail[1], AL2_PATH, AL2_KEPT)
            elif system is not None:  # the image is another system's, wherever it is used
                f.fixable = False
                f.message += (f"; the user data of an instance using it is written for {system}, which the Amazon Linux "
                              "image this fixer picks cannot run: make it a parameter of type "
                              f"{PARAMETER_TYPE} with the public SSM path of that system's image, or set option ssm-path")
        mappings = doc.data.get("Mappings") if isinstance(doc.data, dict) else None
        if isinstance(mappings, dict):
            for name, body in mappings.items():
                count = _mapping_ids(body)
                if count:
                    findings.append(Finding(None, ("Mappings", name), f"mapping {name} holds {count} AMI ID"
                                            f"{'s' if count > 1 else ''}; they expire: consider a parameter of type "
                                            f"{PARAMETER_TYPE} with a public SSM path", fixable=False))
        return findings

    def fix(self, doc: Document, findings: list[Finding]) -> Fix:
        editor = Editor(doc)
        changes = []
        names: dict[tuple, str] = {}  # (AMI id, arm) -> parameter
        new: dict[str, dict] = {}
        for f in findings:
            if f.detail in names:
                continue
            ami, arm, path, _ = f.detail
            name = editor.unique_id("LatestArm64AmiId" if arm else "LatestAmiId")
            body = {
                "Type": PARAMETER_TYPE,
                "Default": self._path_for(path, arm),
                "Description": f"Image for the instances (replaces {ami}, which exists in one region only)",
            }
            new[name] = body
            changes.append(self.change(None, "add", None, body, f"parameter {name}: the latest image from a public SSM "
                                       f"parameter, in every region", path=("Parameters", name)))
            names[f.detail] = name
        add_parameters(editor, new)
        for f in findings:
            ami, arm, path, note = f.detail
            value = {"Ref": names[f.detail]}
            with editor.finding(f):
                set_at(editor, f.path, value)
                changes.append(self.change(f, "replace", ami, value, f"image from parameter {value['Ref']} "
                                           f"({self._path_for(path, arm)}); check that the software on {ami} runs on it, "
                                           f"and expect instances to be replaced{note}"))
        return Fix.of(editor, changes)

