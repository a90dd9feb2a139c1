"""Render plain template data as text in a file's own style.

Values use the long-form data model of :mod:`cfnfix.document` (``{"Ref": X}``,
``{"Fn::GetAtt": [A, B]}``); in YAML files that prefer short forms they come out as
``!Ref X`` / ``!GetAtt A.B``. Output lines are joined with ``\\n``; the edit layer converts
line endings to the file's own.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import yaml

from .style import Style

_ANALYZER = yaml.emitter.Emitter(io.StringIO(), allow_unicode=True)
_RESOLVER = yaml.resolver.Resolver()
_STR_TAG = "tag:yaml.org,2002:str"
_FLOW_WIDTH = 80


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """(function name, argument) when ``value`` is an intrinsic function call, else None."""
    if isinstance(value, dict) and len(value) == 1:
        (name, arg), = value.items()
        if name in ("Ref", "Condition") or name.startswith("Fn::"):
            return name, arg
    return None


@dataclass(frozen=True)
class Verbatim:
    """A value that moves with its source text (comments, tags, quoting, layout) instead of being
    rendered from data: made by ``Editor.source``, placed anywhere a plain value can go. A
    dataclass, not the NamedTuple other records are: the JSON encoders would write a tuple as an
    array instead of handing it to their ``default``.

    Lines after the first keep their indentation relative to the value's owner (the key or dash
    it hangs under; in JSON the line it starts on), rebased onto the new owner.
    """

    text: str  # from the node's start to its end; YAML: a trailing comment on its last line included
    owner_col: int  # YAML: column of the key or dash the value hangs under
    owner_indent: str  # JSON: indentation of the line the value starts on
    col: int  # column the value starts at
    own_line: bool  # YAML: a block: the value starts on a line of its own, or is an untagged block collection
    flow_ok: bool  # YAML: can stand inside a flow collection as it is
    above: tuple = ()  # YAML: comment lines directly above its key, without their indentation
    comment: tuple[int, int] | None = None  # YAML: where the comment ending ``text`` stood in the source (start, end)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def _shift(lines: list[str], delta: int) -> list[str]:
    """Lines moved ``delta`` columns right (left when negative, never past their own text)."""
    out = []
    for line in lines:
        if not line.strip():
            out.append("")
        elif delta >= 0:
            out.append(" " * delta + line)
        else:
            lead = len(line) - len(line.lstrip(" "))
            out.append(line[min(lead, -delta):])
    return out


def _verbatim_block(v: Verbatim, owner_col: int) -> tuple[str, list[str]]:
    """(text after ``key:``, lines below) for ``v`` hanging under a key or dash at ``owner_col``."""
    lines = v.lines
    delta = owner_col - v.owner_col
    if v.own_line:
        return "", _shift([" " * v.col + lines[0]] + lines[1:], delta)
    return " " + lines[0], _shift(lines[1:], delta)


# ---------------------------------------------------------------- YAML


def yaml_scalar(value: Any, style: Style, flow: bool = False, prefer: str | None = None) -> str:
    """One scalar as YAML text: plain where that reads back as the same string, else quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if prefer not in ("'", '"') and _plain_ok(text, flow):
        return text
    quote = prefer if prefer in ("'", '"') else style.quote
    if quote == "'" and text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


@lru_cache(maxsize=4096)
def _plain_ok(text: str, flow: bool) -> bool:
    """Whether ``text`` can be written plain (unquoted) and reads back as the same string: the
    emitter's analysis (for printable ASCII, its indicator rules as two searches) and the
    resolver's implicit tags decide, as PyYAML's dumper does.

    Cached per (text, flow): both answers depend on nothing else, and new content repeats the
    same few keys and values (``Status``, ``Enabled``, ``Type``: about 430 distinct strings in
    4,600 calls over the aws-samples corpus), where the emitter's character-by-character
    analysis was most of the cost of rendering."""
    if not text or text != text.strip() or "\n" in text:
        return False
    if text.isascii() and text.isprintable():
        if (_FLOW_INDICATORS if flow else _BLOCK_INDICATORS).search(text):
            return False
    else:
        analysis = _ANALYZER.analyze_scalar(text)
        if not (analysis.allow_flow_plain if flow else analysis.allow_block_plain):
            return False
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG


# What ``Emitter.analyze_scalar`` calls flow and block indicators, for text of printable ASCII
# (no special characters, no line breaks; the only whitespace is the space) without leading or
# trailing spaces, where they alone decide whether plain is allowed. Its character-by-character
# loop was ~110 µs a string, ~47 ms for the 428 strings a ``check --all`` over aws-samples
# renders; a search is ~1 µs. Flow: a document marker (``---``, ``...``), a leading indicator
# (``#&*!|>'"%@` ``, a dash followed by a space or the end), anywhere ``,?[]{}:`` (at the start
# too), or `` #``. Block: the marker, a leading ``#,[]{}&*!|>'"%@` ``, a leading ``?`` or dash
# followed by a space or the end, anywhere a colon followed by a space or the end, or `` #``.
# tests/test_render.py compares both with the emitter over every string of a small alphabet.
_FLOW_INDICATORS = re.compile(r"\A(?:---|\.\.\.|[#&*!|>'\"%@`]|-(?: |\Z))|[,?\[\]{}:]| #")
_BLOCK_INDICATORS = re.compile(r"\A(?:---|\.\.\.|[#,\[\]{}&*!|>'\"%@`]|[?-](?: |\Z))|:(?: |\Z)| #")


def _yaml_key(key: str, style: Style) -> str:
    return yaml_scalar(key, style)


def _short_tag(name: str) -> str:
    return "!" + (name[4:] if name.startswith("Fn::") else name)


def yaml_inline(value: Any, style: Style, flow: bool = False) -> str | None:
    """``value`` written on one line, or None when it needs a block."""
    if isinstance(value, Verbatim):
        # a block collection (its text began on a line of its own) stays a block, even of one line
        if "\n" in value.text or value.own_line or (flow and not value.flow_ok):
            return None
        return value.text
    call = intrinsic(value)
    if call and style.short_form:
        name, arg = call
        tag = _short_tag(name)
        if name == "Fn::GetAtt" and isinstance(arg, list) and all(isinstance(a, str) for a in arg):
            return f"{tag} {'.'.join(arg)}"
        if intrinsic(arg):
            return None  # YAML allows one tag per node: the inner call needs its long form
        inner = yaml_inline(arg, style, flow=True) if isinstance(arg, (list, dict)) else yaml_inline(arg, style, flow)
        # a long flow collection reads better as a block; a long scalar stays on its line
        if inner is None or (isinstance(arg, (list, dict)) and len(inner) > _FLOW_WIDTH):
            return None
        return f"{tag} {inner}"
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not flow:
            return None
        parts = []
        for k, v in value.items():
            inner = yaml_inline(v, style, flow=True)
            if inner is None:
                return None
            parts.append(f"{yaml_scalar(k, style, flow=True)}: {inner}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if not flow:
            return None
        items = [yaml_inline(v, style, flow=True) for v in value]
        rendered = [item for item in items if item is not None]
        return "[" + ", ".join(rendered) + "]" if len(rendered) == len(items) else None
    if isinstance(value, str) and "\n" in value:
        return json.dumps(value, ensure_ascii=False) if flow else None
    return yaml_scalar(value, style, flow)


def _block_after(value: Any, col: int, style: Style, first_item: bool = False) -> tuple[str, list[str]]:
    """What follows ``key:`` (or a dash) for a value that needs a block: header text and the lines below.

    ``col`` is the column of the key (or of the item's content) the value belongs to.
    """
    unit = len(style.indent)
    if isinstance(value, Verbatim):
        return _verbatim_block(value, col)
    call = intrinsic(value)
    if call and style.short_form:
        name, arg = call
        if intrinsic(arg):
            ((inner_name, inner_arg),) = arg.items()
            return " " + _short_tag(name), entry_lines(inner_name, inner_arg, col + unit, style, long_form=True)
        header, lines = _block_after(arg, col, style)
        return " " + _short_tag(name) + header, lines
    if isinstance(value, str):
        chomp = "" if value.endswith("\n") else "-"
        body = value[:-1] if value.endswith("\n") else value
        pad = " " * (col + unit)
        return " |" + chomp, [pad + line if line else "" for line in body.split("\n")]
    if isinstance(value, dict):
        body_lines: list[str] = []
        for k, v in value.items():
            body_lines.extend(entry_lines(k, v, col + unit, style))
        return "", body_lines
    if isinstance(value, list):
        lines = []
        for item in value:
            lines.extend(item_lines(item, col + style.seq_offset, style))
        return "", lines
    raise TypeError(f"cannot render {type(value).__name__}")


def entry_lines(key: str, value: Any, col: int, style: Style, long_form: bool = False) -> list[str]:
    """``key: value`` as YAML lines, the key at column ``col`` (every line indented)."""
    pad = " " * col
    comments = [pad + c for c in value.above] if isinstance(value, Verbatim) else []
    inline = None if long_form and intrinsic(value) else yaml_inline(value, style)
    if inline is not None:
        return comments + [f"{pad}{_yaml_key(key, style)}: {inline}"]
    header, lines = _block_after(value, col, style)
    return comments + [f"{pad}{_yaml_key(key, style)}:{header}"] + lines


def item_lines(value: Any, dash_col: int, style: Style) -> list[str]:
    """One block-sequence item as YAML lines, its dash at column ``dash_col``."""
    pad = " " * dash_col
    dash = "-" + " " * (max(style.item_offset, 2) - 1)
    content_col = dash_col + len(dash)
    inline = yaml_inline(value, style)
    if inline is not None:
        return [f"{pad}{dash}{inline}"]
    if isinstance(value, Verbatim):
        if value.own_line:  # a block collection starts on the dash line, its content column kept
            shifted = _shift(value.lines, dash_col + len(dash) - value.col)
            return [pad + dash + shifted[0].lstrip(" ")] + shifted[1:]
        header, block = _verbatim_block(value, dash_col)
        return [f"{pad}-{header}"] + block
    # a mapping, or a list, starts on the dash's line (``- Key: v``, ``- - a``), the rest at the
    # content column: a list's items below the dash, at the file's offset for a key's list (0 in
    # many files), would be items of the outer list
    if isinstance(value, dict) and not (intrinsic(value) and style.short_form):
        parts = [entry_lines(k, v, content_col, style) for k, v in value.items()]
    elif isinstance(value, list) and value:
        parts = [item_lines(item, content_col, style) for item in value]
    else:
        header, lines = _block_after(value, content_col - len(style.indent), style)
        return [f"{pad}-{header}"] + lines
    lines = [line for part in parts for line in part]
    lines[0] = pad + dash + lines[0][content_col:]
    return lines


def is_block_sequence(value: Any) -> bool:
    """Whether ``value`` is written as a block sequence where a block is needed: a list, or the
    source of one (whose text starts at its first dash: "-" then a blank, where a plain scalar
    such as ``-5`` has none)."""
    return isinstance(value, list) or (isinstance(value, Verbatim) and value.text[:1] == "-"
                                       and value.text[1:2] in ("", " ", "\t", "\n"))


def yaml_value(value: Any, col: int, style: Style) -> str:
    """A value standing where a value node stood, its first line starting at column ``col``."""
    inline = yaml_inline(value, style)
    if inline is not None:
        return inline
    if isinstance(value, Verbatim):  # multi-line: the first line at ``col``, the rest moved alike
        first, rest = value.lines[0], _shift(value.lines[1:], col - value.col)
        return "\n".join([first] + rest)
    if isinstance(value, dict) and not (intrinsic(value) and style.short_form):
        lines: list[str] = []
        for k, v in value.items():
            lines.extend(entry_lines(k, v, col, style))
    elif isinstance(value, list):
        lines = []
        for item in value:
            lines.extend(item_lines(item, col, style))
    else:
        header, rest = _block_after(value, col, style)
        return header.lstrip() + "\n" + "\n".join(rest)
    return "\n".join(lines)[col:]


# ---------------------------------------------------------------- JSON


def json_value(value: Any, base_indent: str, style: Style) -> str:
    """A JSON value whose first line continues a line indented by ``base_indent``."""
    found: list[Verbatim] = []

    def stub(o: Any) -> str:
        """A marker string where the encoder meets a Verbatim (collected in ``found``, in the
        encoder's order): the encoder calls it for nothing else JSON can hold, so the value needs
        no copy with its Verbatims replaced first."""
        if not isinstance(o, Verbatim):
            raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")
        found.append(o)
        return _marker(len(found) - 1)

    text = _json_plain(value, base_indent, style, stub)
    for i, v in enumerate(found):
        token = json.dumps(_marker(i))
        at = text.index(token)
        line = text.rfind("\n", 0, at) + 1
        indent = base_indent if line == 0 else text[line : line + len(text[line:]) - len(text[line:].lstrip(" \t"))]
        rest = [indent + ln[len(v.owner_indent):] if ln.startswith(v.owner_indent) else ln for ln in v.lines[1:]]
        text = text[:at] + "\n".join([v.lines[0]] + rest) + text[at + len(token):]
    return text


def _marker(i: int) -> str:
    return f"\x00cfnfix-verbatim-{i}\x00"


def _json_plain(value: Any, base_indent: str, style: Style, default: Callable[[Any], Any]) -> str:
    if style.compact:
        return json.dumps(value, ensure_ascii=False, separators=("," + style.key_sep[1:], style.key_sep), default=default)
    out: list[str] = []
    _indented(value, "\n" + base_indent, style.indent, style.key_sep, default, out)
    return "".join(out)


_encode_string = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes a string with (C)


def _json_scalar(value: Any) -> str | None:
    """A scalar as ``json.dumps`` writes it, or None for a collection or anything else."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return None


def _indented(value: Any, newline: str, unit: str, key_sep: str, default: Callable[[Any], Any], out: list[str]) -> None:
    """Append ``value`` to ``out`` as ``json.dumps(value, ensure_ascii=False, indent=unit,
    separators=(",", key_sep), default=default)`` writes it, with ``newline`` (a line break and
    the indentation of the value's own line) starting each of its lines after the first.

    Why not ``json.dumps``: with an indent it takes the pure-Python encoder (the C one writes no
    line breaks), a generator per collection level re-yielding every piece; this writes one list
    per value, strings through the same C function, scalars and keys by the encoder's own rules
    in its order of checks (str first, so str subclasses are strings; ``True`` before ``int``;
    keys str, float, bool, None, int). tests/test_render.py compares it with ``json.dumps``."""
    if isinstance(value, str):
        out.append(_encode_string(value))
        return
    scalar = _json_scalar(value)
    if scalar is not None:
        out.append(scalar)
        return
    is_map = isinstance(value, dict)
    if is_map or isinstance(value, (list, tuple)):
        if not value:
            out.append("{}" if is_map else "[]")
            return
        inner = newline + unit
        out.append(("{" if is_map else "[") + inner)
        separator = "," + inner
        for i, (key, item) in enumerate(value.items() if is_map else ((None, item) for item in value)):
            if i:
                out.append(separator)
            if is_map:
                out.append(_encode_string(key if isinstance(key, str) else _json_key(key)) + key_sep)
            if isinstance(item, str):
                out.append(_encode_string(item))
            else:
                _indented(item, inner, unit, key_sep, default, out)
        out.append(newline + ("}" if is_map else "]"))
        return
    _indented(default(value), newline, unit, key_sep, default, out)


def _json_key(key: Any) -> str:
    """A non-string mapping key as the JSON encoder turns it into a string."""
    if isinstance(key, float) or key is True or key is False or key is None or isinstance(key, int):
        return _json_scalar(key)  # type: ignore[return-value]
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def json_member(key: str, value: Any, base_indent: str, style: Style) -> str:
    return json.dumps(key, ensure_ascii=False) + style.key_sep + json_value(value, base_indent, style)
