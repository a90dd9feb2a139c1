"""From a path in a template's plain data to the path of the node that holds it in the text.

The plain data writes every intrinsic in long form (``{"Fn::If": [...]}``); in a YAML file the
call may be a short form (``!If [...]``), one tagged node with no ``Fn::If`` key. The node path
skips such keys, so ``Document.node`` finds the node a data path names.
"""

from __future__ import annotations

from .document import Document, Node

_SHORT = {"Ref": "!Ref", "Condition": "!Condition"}


def editor_path(doc: Document, path: tuple) -> tuple:
    """The node path of data ``path``, as far as nodes exist; the rest of ``path`` as it is (the
    keys ``Editor.set`` will create)."""
    node: Node | None = doc.root
    out: list = []
    for part in path:
        if node is not None and node.tag is not None and isinstance(part, str) \
                and node.tag == _SHORT.get(part, "!" + part[4:] if part.startswith("Fn::") else None):
            continue  # the tagged node is the call: its argument is the node itself
        out.append(part)
        if node is None:
            continue
        if isinstance(part, int):
            node = node.value[part] if node.kind == "seq" and -len(node.value) <= part < len(node.value) else None
        else:
            node = node.get(part)
    return tuple(out)


def node_path(doc: Document, path: tuple) -> tuple | None:
    """The node path of data ``path``; None where the text has no node for it."""
    out = editor_path(doc, path)
    return out if doc.node(out) is not None else None
