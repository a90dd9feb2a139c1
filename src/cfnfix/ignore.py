"""Which paths a run leaves alone: config globs, .gitignore files, and tool directories.

Globs are gitwildmatch patterns (pathspec), as in ruff and .gitignore: `cdk.out` excludes that
directory wherever it is, `legacy/*.yaml` the templates directly in `legacy/`. One extension
keeps the form the config docs have always shown: a `**` glued to a name (`legacy/**.yaml`)
means any depth (`legacy/**/*.yaml`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

# Directories no template in them is the user's own: VCS data, dependencies, build output.
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "node_modules", "cdk.out", ".aws-sam", ".venv", "venv",
                                 "__pycache__", ".tox", ".terraform"})


@lru_cache(maxsize=512)
def globs(patterns: tuple[str, ...]) -> pathspec.GitIgnoreSpec:
    import pathspec  # imported by the runs that match a glob only: most name no glob and meet no .gitignore

    fixed = [re.sub(r"\*\*(?=[^/])", "**/*", re.sub(r"(?<=[^/])\*\*", "*/**", p)) for p in patterns]
    return pathspec.GitIgnoreSpec.from_lines(fixed)


def matches(patterns: Iterable[str], relative: str) -> bool:
    """Whether ``relative`` (a POSIX path relative to where the patterns were written) matches."""
    return globs(tuple(patterns)).match_file(relative)


def _gitignore(folder: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = (folder / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    import pathspec

    return pathspec.GitIgnoreSpec.from_lines(lines)


def walk(root: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files under ``root`` in sorted order (named as ``root`` names them), leaving out hidden and
    tool directories, virtual environments, and what the .gitignore files of the repository
    around ``root`` and below it ignore; and (directory, cause) for each directory that could
    not be listed: a directory skipped silently would pass a check it was never part of."""
    top = Path(os.path.abspath(root))
    specs = [(folder, spec) for folder in _repository_folders(top) if (spec := _gitignore(folder)) is not None]
    found: list[Path] = []
    errors: list[tuple[str, str]] = []

    def ignored(path: Path, is_dir: bool) -> bool:
        if not specs:  # no .gitignore met so far (most runs): no path to build
            return False
        absolute = Path(os.path.abspath(path))
        for base, spec in specs:
            if base in absolute.parents:
                relative = absolute.relative_to(base).as_posix() + ("/" if is_dir else "")
                if spec.match_file(relative):
                    return True
        return False

    def failed(exc: OSError) -> None:
        errors.append((str(Path(exc.filename or root)), f"cannot read directory: {exc.strerror or exc}"))

    for folder, dirs, names in os.walk(root, onerror=failed):
        here = Path(folder)
        if here != root and (spec := _gitignore(here)) is not None:
            specs.append((Path(os.path.abspath(here)), spec))
        dirs[:] = sorted(
            d for d in dirs
            if not d.startswith(".") and d not in SKIPPED_DIRECTORIES
            and not (here / d / "pyvenv.cfg").exists() and not ignored(here / d, True)
        )
        found.extend(here / name for name in names if not ignored(here / name, False))
    return sorted(found), errors


def _repository_folders(root: Path) -> list[Path]:
    """``root``'s ancestors up to the repository's top (the folder holding .git), top first, and
    ``root`` itself: their .gitignore files apply below them."""
    chain = [root]
    if (root / ".git").exists():
        return chain
    for folder in root.parents:
        chain.append(folder)
        if (folder / ".git").exists():
            return list(reversed(chain))
    return [root]
