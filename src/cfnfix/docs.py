"""A fixer's documentation page, from its docs text and its declared options."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

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
    ]
    if cls.scanner_checks:
        checks = ", ".join(f"`{c}`" for c in cls.scanner_checks)
        parts.append(f"- Kept out of a resource whose Metadata (or a `checkov:skip=` comment) suppresses: {checks}")
    parts += [
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


def write_docs(folder: Path) -> list[Path]:
    """Write docs/fixers/<name>.md for every fixer; the stale-docs test compares against these."""
    from .registry import all_fixers

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, cls in all_fixers().items():
        target = folder / f"{name}.md"
        target.write_text(render_docs(cls), encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/fixers")):
        print(path)
