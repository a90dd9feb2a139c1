"""Lambda runtimes as cfn-lint's lifecycle table knows them (deprecation days, successors), and what
makes inline code unable to run on one: the source of truth ``lambda-runtime`` and
``inline-lambda-handler`` share, so the runtime one picks is one the other accepts."""

from __future__ import annotations

import json
import re
from datetime import date
from functools import lru_cache
from typing import Any

from cfnfix import python_code, schemas

# Standard-library modules Python removed (PEP 594, PEP 632, imp): inline code importing them
# stops working on the successor even though it still parses.
REMOVED_MODULES = {
    **dict.fromkeys(("distutils", "imp", "asynchat", "asyncore", "smtpd"), (3, 12)),
    **dict.fromkeys(("aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "mailcap", "msilib", "nis",
                     "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau", "telnetlib", "uu", "xdrlib",
                     "lib2to3"), (3, 13)),
}
# Code in which no removed module's name is a word imports none of them: told without libcst.
_REMOVED_NAMES = re.compile(r"\b(?:" + "|".join(REMOVED_MODULES) + r")\b")
AWS_SDK_V2 = re.compile(r"""(?:require\s*\(\s*|from\s+|import\s+)['"]aws-sdk(?:/[^'"]*)?['"]""")


@lru_cache(maxsize=1)
def lifecycle() -> dict[str, dict[str, Any]] | None:
    """cfn-lint's runtime lifecycle table (the data behind W2531/E2531/E2533), None without cfn-lint."""
    try:
        path = schemas.cfnlint_data() / "AdditionalSpecs" / "LmbdRuntimeLifecycle.json"
        return json.loads(path.read_text(encoding="utf-8"))
    except (RuntimeError, OSError, ValueError):
        return None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def deprecated(runtime: str, table: dict, today: date) -> bool:
    entry = table.get(runtime)
    day = _day(entry.get("deprecated")) if entry else None
    return day is not None and day <= today


def successor(runtime: str, table: dict, today: date) -> str | None:
    """The first runtime down the table's successor chain that is not deprecated today."""
    seen = {runtime}
    current = runtime
    while deprecated(current, table, today):
        following = (table.get(current) or {}).get("successor")
        if not isinstance(following, str) or following in seen:
            return None
        current = following
        seen.add(current)
    return current if current != runtime else None


def nearest(runtime: str, table: dict, today: date) -> str | None:
    """The closest newer version of ``runtime``'s own family that is not deprecated ``today``
    (python3.9 -> python3.10 while 3.10 is supported, not the newest): the smallest step for
    code nobody can check. None when the family has no supported newer version."""
    old = version(runtime)
    newer = [r for r in table if family(r) == family(runtime) and version(r) > old and not deprecated(r, table, today)]
    return min(newer, key=version) if newer else None


def newest(kind: str, table: dict, today: date) -> str | None:
    """The newest runtime of family ``kind`` (``python``, ``nodejs``) that is not deprecated ``today``."""
    found = [r for r in table if family(r) == kind and version(r) and not deprecated(r, table, today)]
    return max(found, key=version) if found else None


def family(runtime: str) -> str:
    name = re.match(r"[a-z]+", runtime)
    return (name.group() if name else runtime).replace("dotnetcore", "dotnet")


def version(runtime: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", runtime))


def python_problem(text: str, exact: bool, function: str, new: str) -> str | None:
    """Why inline Python ``text`` of ``function`` would not run on ``new``, or None."""
    if not _REMOVED_NAMES.search(text) and python_code.parses(text):
        return None  # it parses, and no removed module is named: nothing for libcst to find
    module = python_code.parse(text)
    if module is None:
        return f"the inline code of {function} does not parse as Python 3" + ("" if exact else " (checked with its substitutions blanked)")
    imported = {name.split(".")[0] for node in python_code.imports(module) for name in node}
    removed = sorted(m for m in imported if m in REMOVED_MODULES and version(new) >= REMOVED_MODULES[m])
    if removed:
        return f"the inline code of {function} imports {', '.join(removed)}, which {new} no longer has"
    return None


def node_problem(text: str, function: str, new: str, handler: str | None) -> str | None:
    """Why inline Node.js ``text`` of ``function`` would not run on ``new`` with ``handler``'s
    function (its last dotted part), or None."""
    if AWS_SDK_V2.search(text) and version(new) >= (18,):
        return f"the inline code of {function} loads the AWS SDK v2 ('aws-sdk'), which {new} does not include; port it to SDK v3 first"
    if isinstance(handler, str) and version(new) >= (24,) and callback_handler(text, handler.rsplit(".", 1)[-1]):
        return f"the inline handler of {function} takes a callback, which {new} no longer calls; make it async first"
    return None


def callback_handler(code: str, name: str) -> bool:
    """Whether the exported ``name`` is a non-async function of three parameters (event, context, callback)."""
    n = re.escape(name)
    patterns = (
        rf"(?:exports\.|module\.exports\.|export\s+(?:const|let|var)\s+|(?:const|let|var)\s+){n}\s*=\s*(async\s+)?(?:function\s*\w*\s*)?\(([^)]*)\)",
        rf"(?:export\s+)?(async\s+)?function\s+{n}\s*\(([^)]*)\)",
    )
    for pattern in patterns:
        for is_async, params in re.findall(pattern, code):
            if not is_async and len([p for p in params.split(",") if p.strip()]) >= 3:
                return True
    return False
