"""A fixer's documentation page, from its docs text and its declared options."""

from __future__ import annotations

import inspect

from .fixer import Fixer


def render_docs(cls: type[Fixer]) -> str:
    default = "on" if cls.default else "off (enable with `--all` or `select`)"
    parts = [
        f"# {cls.name}",
        "",
        cls.summary,
        "",
        f"- Safety: `{cls.safety}`",
        f"- Default: {default}",
        "",
        inspect.cleandoc(cls.docs).strip(),
        "",
        "## Options",
        "",
    ]
    if cls.options:
        parts += ["| option | default | meaning |", "|---|---|---|"]
        for o in cls.options:
            choices = f" (one of: {', '.join(f'`{c}`' for c in o.choices)})" if o.choices else ""
            parts.append(f"| `{o.name}` | `{o.default!r}` | {o.help}{choices} |")
    else:
        parts.append("None.")
    return "\n".join(parts) + "\n"
