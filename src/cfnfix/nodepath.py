"""From a path in a template's plain data to the path of the node that holds it in the text.

The plain data writes every intrinsic in long form (``{"Fn::If": [...]}``); in a YAML file the
call may be a short form (``!If [...]``), one tagged node with no ``Fn::If`` key. The node path
skips such keys, so ``Document.node`` finds the node a data path names.
"""

from __future__ import annotations

from .document import Document

_SHORT = {"Ref": "!Ref", "Condition": "!Condition"}


def node_path(doc: Document, path: tuple) -> tuple | None:
    """The node path of data ``path``; None where the text has no node for it."""
    node, out = doc.root, []
    for part in path:
        if node is None:
            return None
        if node.tag is not None and isinstance(part, str) and node.tag == _SHORT.get(part, "!" + part[4:] if part.startswith("Fn::") else None):
            continue  # the tagged node is the call: its argument is the node itself
        if isinstance(part, int):
            if node.kind != "seq" or not -len(node.value) <= part < len(node.value):
                return None
            node = node.value[part]
        else:
            node = node.get(part)
        out.append(part)
    return tuple(out) if node is not None else None
