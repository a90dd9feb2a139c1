"""Lambda code written in the template (``ZipFile``, SAM ``InlineCode``) as text fixers can read."""

from __future__ import annotations

import re
from typing import Any

PLACEHOLDER = "cfn_value"
_SUB_VAR = re.compile(r"\$\{(?!!)[^}]*\}")


def literal_code(code: Any) -> tuple[str | None, bool]:
    """The code text, with non-literal parts of ``Fn::Sub``/``Fn::Join`` replaced by a placeholder.

    Returns (text, exact): ``exact`` is False when parts had to be replaced.
    """
    if isinstance(code, str):
        return code, True
    if isinstance(code, dict) and len(code) == 1:
        (fn, arg), = code.items()
        if fn == "Fn::Sub":
            text = arg[0] if isinstance(arg, list) and arg else arg
            if isinstance(text, str):
                return _SUB_VAR.sub(PLACEHOLDER, text), False
        if fn == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str):
            parts = arg[1] if isinstance(arg[1], list) else []
            return arg[0].join(p if isinstance(p, str) else PLACEHOLDER for p in parts), False
    return None, False
