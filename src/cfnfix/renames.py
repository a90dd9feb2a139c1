"""A name of the template (a logical id, a parameter) renamed in the Ref, Fn::GetAtt and Fn::Sub
calls that name it, each edited in place (tags, quoting and the rest of a Sub text kept)."""

from __future__ import annotations

import re
from typing import Any

from .document import Document
from .edits import EditConflict, Editor
from .graph import references
from .nodepath import node_path


def renamed_references(doc: Document, editor: Editor, body: Any, where: tuple, old: str,
                       new: str) -> list[tuple[tuple, Any, Any]]:
    """Point every call in ``body`` (at path ``where``) that names ``old`` at ``new``; returns
    (path, call before, call after) of each, in the order of the body."""
    out = []
    done: set[tuple] = set()
    for name, path in references(body, where):
        if name != old or path in done:
            continue
        done.add(path)
        call = doc.value(path)
        out.append((path, call, retarget(doc, editor, path, call, old, new)))
    return out


def retarget(doc: Document, editor: Editor, path: tuple, call: Any, old: str, new: str) -> Any:
    """Rename ``old`` to ``new`` in the call at ``path``; returns the call as it becomes."""
    (fn, arg), = call.items()
    where = node_path(doc, path + (fn,)) or path + (fn,)
    node = doc.node(where)
    if node is None:
        raise EditConflict(f"no node at {'/'.join(map(str, path))}")
    if fn == "Ref":
        editor.replace_text(where, old, new)
        return {fn: new}
    if fn == "Fn::GetAtt":
        if node.kind == "scalar":
            # "Name.Attribute" as written; a GetAtt written without its attribute (an error
            # of its own, left to the author) still names the resource, and follows it
            rest = "".join(f".{a}" for a in arg[1:]) if isinstance(arg, list) else arg[len(old):]
            editor.replace_text(where, old + rest, new + rest)
        else:
            editor.replace_text(where + (0,), old, new)
        return {fn: [new] + list(arg[1:])} if isinstance(arg, list) else {fn: new + arg[len(old):]}
    text_path = where + (0,) if isinstance(arg, list) else where
    text = arg[0] if isinstance(arg, list) else arg
    for token in sorted({m for m in re.findall(r"\$\{(" + re.escape(old) + r")(\.[^}]*)?\}", text)}):
        editor.replace_text(text_path, "${" + token[0] + token[1] + "}", "${" + new + token[1] + "}")
    renamed = re.sub(r"\$\{" + re.escape(old) + r"(\.[^}]*)?\}", lambda m: "${" + new + (m.group(1) or "") + "}", text)
    return {fn: [renamed] + list(arg[1:])} if isinstance(arg, list) else {fn: renamed}
