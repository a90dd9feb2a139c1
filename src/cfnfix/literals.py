"""Literal strings in a template: where they sit, and how to rewrite one through ``Fn::Sub``.

``Document.data`` spells every intrinsic in long form, but a YAML short form (``!Join [...]``)
is one node with a tag, not a mapping with an ``Fn::Join`` key: :func:`node_path` turns a
data path into the path the :class:`~cfnfix.edits.Editor` can edit. :func:`string_sites`
walks a value for the strings CloudFormation substitutes into (plain strings and ``Fn::Sub``
templates), leaving out the places where ``Fn::Sub`` is not allowed (condition names,
``Ref``/``GetAtt`` targets, ``Fn::FindInMap`` keys, delimiters, indexes).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from .document import Document
from .nodepath import node_path
from .edits import EditConflict, Editor

# intrinsic -> the argument positions that hold values substituted into the template
_VALUE_ARGS = {
    "Fn::Join": (1,),  # [delimiter, [parts]]
    "Fn::Select": (1,),  # [index, list]
    "Fn::Split": (1,),  # [delimiter, string]
    "Fn::If": (1, 2),  # [condition, then, else]
    "Fn::Base64": None,  # the whole argument
    "Fn::ImportValue": None,
    "Fn::ToJsonString": None,
}
_NOT_WALKED = ("Ref", "Condition", "Fn::GetAtt", "Fn::GetAZs", "Fn::FindInMap", "Fn::Cidr", "Fn::Equals",
               "Fn::And", "Fn::Or", "Fn::Not", "Fn::Transform", "Fn::Length", "Fn::ForEach")
_SUB_VAR = re.compile(r"\$\{(?!!)[^}]*\}")


class StringSite(NamedTuple):
    """One literal string: a plain string (``in_sub`` False) or the template of an ``Fn::Sub``.

    ``path`` is the data path of the plain string, or of the ``Fn::Sub`` call (its template is
    in ``text`` either way).
    """

    path: tuple
    text: str
    in_sub: bool


def intrinsic(value: Any) -> tuple[str, Any] | None:
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if isinstance(name, str) and (name in ("Ref", "Condition") or name.startswith("Fn::")):
            return name, arg
    return None


def string_sites(value: Any, path: tuple, skip_keys: tuple = (), containing: str = "") -> list[StringSite]:
    """Every literal string in ``value`` (at data path ``path``) that could become an ``Fn::Sub``
    and holds ``containing`` (any string when empty).

    Mapping keys named in ``skip_keys`` are not entered (``Description``, ``ZipFile``, ...). The
    walk fills one list and calls itself for mappings and lists only (no generator per node, no
    call per scalar): hardcoded-partition and unique-names run it over every resource. A caller
    after one word says so in ``containing``, and no site is made for the other strings (most).
    """
    found: list[StringSite] = []
    _site(value, path, skip_keys, containing, found)
    return found


def _string_sites(value: Any, path: tuple, skip_keys: tuple, containing: str, found: list[StringSite]) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                if containing in item:
                    found.append(StringSite(path + (i,), item, False))
            elif isinstance(item, (dict, list)):
                _string_sites(item, path + (i,), skip_keys, containing, found)
        return
    if not isinstance(value, dict):
        return
    call = intrinsic(value)
    if call is None:
        for key, item in value.items():
            if key in skip_keys:
                continue
            if isinstance(item, str):
                if containing in item:
                    found.append(StringSite(path + (key,), item, False))
            elif isinstance(item, (dict, list)):
                _string_sites(item, path + (key,), skip_keys, containing, found)
        return
    name, arg = call
    if name == "Fn::Sub":
        text, variables = (arg[0], arg[1]) if isinstance(arg, list) and len(arg) == 2 else (arg, None)
        if isinstance(text, str) and containing in text:
            found.append(StringSite(path, text, True))
        if isinstance(variables, dict):
            for key, item in variables.items():
                _site(item, path + (name, 1, key), skip_keys, containing, found)
        return
    if name in _NOT_WALKED or name not in _VALUE_ARGS:
        return
    positions = _VALUE_ARGS[name]
    if positions is None:
        if not isinstance(arg, str) or name != "Fn::ImportValue":  # an export name is not an ARN site
            _site(arg, path + (name,), skip_keys, containing, found)
        return
    if isinstance(arg, list):
        for i in positions:
            if i < len(arg):
                _site(arg[i], path + (name, i), skip_keys, containing, found)


def _site(value: Any, path: tuple, skip_keys: tuple, containing: str, found: list[StringSite]) -> None:
    """A string is a site of its own; anything else is walked."""
    if isinstance(value, str):
        if containing in value:
            found.append(StringSite(path, value, False))
    else:
        _string_sites(value, path, skip_keys, containing, found)


def escape(text: str) -> str:
    """A plain string as ``Fn::Sub`` template text: ``${`` literals become ``${!``."""
    return text.replace("${", "${!")


def sub_variables(text: str) -> list[str]:
    """The names an ``Fn::Sub`` template substitutes (``${X}``, ``${X.Attr}``; not ``${!X}``)."""
    return [m[2:-1].strip() for m in _SUB_VAR.findall(text)]


def rewrite(doc: Document, site: StringSite, template: str) -> tuple[tuple, Any] | None:
    """(Editor path, value) that makes ``site`` the ``Fn::Sub`` template ``template``; None when
    the site cannot be located in the text."""
    where = node_path(doc, site.path)
    if where is None:
        return None
    if not site.in_sub:
        return where, {"Fn::Sub": template}
    node = doc.node(where)
    if node is None:
        return None
    if node.tag:  # !Sub 'text' or !Sub ['text', {...}]
        return (where + (0,), template) if node.kind == "seq" else (where, {"Fn::Sub": template})
    arg = node.get("Fn::Sub")
    if arg is None:
        return None
    return (where + ("Fn::Sub", 0), template) if arg.kind == "seq" else (where + ("Fn::Sub",), template)


def template_of(site: StringSite) -> str:
    """The site's text as ``Fn::Sub`` template text (a plain string escaped)."""
    return site.text if site.in_sub else escape(site.text)


def value_of(site: StringSite) -> Any:
    """The site's value as the change log shows it."""
    return {"Fn::Sub": site.text} if site.in_sub else site.text


def set_sub(editor: Editor, site: StringSite, template: str) -> None:
    """Make ``site`` the ``Fn::Sub`` template ``template``; EditConflict when it cannot be located."""
    target = rewrite(editor.doc, site, template)
    if target is None:
        raise EditConflict("the string could not be located in the text")
    editor.set(*target)


def set_at(editor: Editor, path: tuple, value: Any) -> None:
    """``editor.set`` for a data path that may run through short-form intrinsics."""
    where = node_path(editor.doc, path)
    if where is None:
        raise EditConflict("the value could not be located in the text")
    editor.set(where, value)
