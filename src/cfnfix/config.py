"""The config file: which fixers run, their options, and which files or resources they skip."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import files
from .fixer import OptionError
from .registry import all_fixers, default_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CONFIG_NAME = ".cfnfix.toml"
MAX_CONFIG_BYTES = 1024 * 1024
_KEYS = {"select", "ignore", "exclude", "per-file-ignores", "fixers"}


class ConfigError(Exception):
    """The config (file or command line) names an unknown key, fixer, option or value."""


@dataclass
class Config:
    source: str | None = None  # the file it came from, for messages
    root: Path = field(default_factory=Path.cwd)  # globs are relative to this directory
    select: tuple[str, ...] | None = None  # None: fixers on by default; ("ALL",): every fixer
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fixer_options: dict[str, dict[str, Any]] = field(default_factory=dict)

    def fixers_for(self, path: str) -> list[str]:
        """Names of the fixers that run on ``path``, in run order."""
        chosen = set(self.selected())
        for pattern, names in self.per_file_ignores.items():
            if self.matches(pattern, path):
                chosen -= set(names)
        return [name for name in all_fixers() if name in chosen]

    def selected(self) -> list[str]:
        """Fixers chosen and not ignored, before per-file ignores: none means a run would do nothing."""
        chosen = set(self._selected()) - set(self.ignore)
        return [name for name in all_fixers() if name in chosen]

    def _selected(self) -> list[str]:
        if self.select is None:
            return default_names()
        if "ALL" in self.select:
            return list(all_fixers())
        return list(self.select)

    def is_excluded(self, path: str) -> bool:
        return any(self.matches(pattern, path) for pattern in self.exclude)

    def matches(self, pattern: str, path: str) -> bool:
        candidates = {Path(path).as_posix()}
        try:
            candidates.add(Path(path).resolve().relative_to(self.root.resolve()).as_posix())
        except ValueError:
            pass
        regex = _glob_regex(pattern)
        return any(regex.fullmatch(c) for c in candidates)


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def discover(start: Path) -> Path | None:
    """The nearest ``.cfnfix.toml``, else the nearest ``pyproject.toml`` with a [tool.cfnfix] table."""
    start = start.resolve()
    folders = [start, *start.parents] if start.is_dir() else list(start.parents)
    for folder in folders:
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
    for folder in folders:
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and "cfnfix" in _tool_table(pyproject, _read_toml(pyproject)):
            return pyproject
    return None


def project_root(start: Path) -> Path:
    """The directory of the project ``start`` belongs to: the nearest one above it holding
    ``.git``, ``.cfnfix.toml`` or a pyproject.toml with [tool.cfnfix], else the working directory.

    Fixers that read files beyond their input (nested stacks) read only inside it, so a
    template cannot pull a file from elsewhere on the machine into a report.
    """
    start = start.resolve()
    for folder in [start, *start.parents] if start.is_dir() else list(start.parents):
        if (folder / ".git").exists() or (folder / CONFIG_NAME).is_file():
            return folder
        pyproject = folder / "pyproject.toml"
        try:
            if pyproject.is_file() and "cfnfix" in _tool_table(pyproject, _read_toml(pyproject)):
                return folder
        except ConfigError:
            continue  # not this project's config; loading it reports the problem
    return Path.cwd().resolve()


def _tool_table(path: Path, table: dict) -> dict:
    tool = table.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    return tool


def _read_toml(path: Path) -> dict:
    try:
        raw = files.read(str(path), MAX_CONFIG_BYTES).data
    except files.FileError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB; not a config file")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); TOML files are UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load(path: Path | None) -> Config:
    """Read and validate a config file (None: the built-in defaults)."""
    if path is None:
        return Config()
    table = _read_toml(path)
    if path.name == "pyproject.toml":
        table = _tool_table(path, table).get("cfnfix", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: 'tool.cfnfix' must be a table")
    return from_table(table, str(path), path.parent)


def from_table(table: dict, source: str, root: Path) -> Config:
    for key in table:
        if key not in _KEYS:
            raise ConfigError(f"{source}: unknown key '{key}'")
    config = Config(source=source, root=root)
    if "select" in table:
        config.select = _names(table["select"], source, "select", allow_all=True)
    config.ignore = _names(table.get("ignore", []), source, "ignore")
    config.exclude = tuple(_strings(table.get("exclude", []), source, "exclude"))
    per_file = table.get("per-file-ignores", {})
    if not isinstance(per_file, dict):
        raise ConfigError(f"{source}: 'per-file-ignores' must be a table of glob = [fixer names]")
    config.per_file_ignores = {
        glob: _names(names, source, f"per-file-ignores.{glob}") for glob, names in per_file.items()
    }
    fixers = table.get("fixers", {})
    if not isinstance(fixers, dict):
        raise ConfigError(f"{source}: 'fixers' must be a table of [fixers.NAME] tables")
    for name, options in fixers.items():
        if not isinstance(options, dict):
            raise ConfigError(f"{source}: 'fixers.{name}' must be a table of options")
        set_options(config, name, options, source)
    return config


def set_options(config: Config, name: str, options: dict[str, Any], source: str) -> None:
    """Merge options for one fixer into ``config``, validating them against the fixer."""
    fixers = all_fixers()
    if name not in fixers:
        raise ConfigError(f"{source}: unknown fixer '{name}' in 'fixers.{name}'")
    merged = {**config.fixer_options.get(name, {}), **options}
    try:
        fixers[name](merged)
    except OptionError as exc:
        raise ConfigError(f"{source}: fixers.{name}: {exc}") from None
    config.fixer_options[name] = merged


def _strings(value: Any, source: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: '{key}' must be a list of strings")
    return value


def _names(value: Any, source: str, key: str, allow_all: bool = False) -> tuple[str, ...]:
    names = _strings(value, source, key)
    known = all_fixers()
    for name in names:
        if name not in known and not (allow_all and name == "ALL"):
            raise ConfigError(f"{source}: unknown fixer '{name}' in '{key}'")
    return tuple(names)
