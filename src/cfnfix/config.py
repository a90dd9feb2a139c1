"""The config file: which fixers run, their options, and which files or resources they skip."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from . import files, ignore
from .fixer import GROUPS, OptionError
from .registry import all_fixers, default_names, fixer_class, fixer_names

CONFIG_NAME = ".cfnfix.toml"
MAX_CONFIG_BYTES = 1024 * 1024
_KEYS = {"select", "ignore", "exclude", "per-file-ignores", "fixers", "unsafe-fixes", "as-of", "regions"}


class ConfigError(Exception):
    """The config (file or command line) names an unknown key, fixer, option or value."""


@dataclass
class Config:
    """The settings of one config file (or the defaults): which fixers run on which files, and how."""

    source: str | None = None  # the file it came from, for messages
    root: Path = field(default_factory=Path.cwd)  # globs are relative to this directory
    select: tuple[str, ...] | None = None  # None: fixers on by default; ("ALL",): every fixer
    ignore: tuple[str, ...] = ()  # fixer or group names, like select
    exclude: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    fixer_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    unsafe_fixes: bool = False  # also write review fixes
    as_of: date | None = None  # the day deprecations are judged at; None: today
    regions: tuple[str, ...] = ()  # whose resource schemas the schema fixers use; (): us-east-1

    def fixers_for(self, path: str) -> list[str]:
        """Names of the fixers that run on ``path``, in run order."""
        chosen = self.selected()
        for pattern, names in self.per_file_ignores.items():
            if self.matches(pattern, path):
                chosen -= expand(names)
        return [name for name in fixer_names() if name in chosen]

    def selected(self) -> set[str]:
        """Fixers chosen by select and ignore, before per-file ignores: none means a run would do nothing."""
        if self.select is None:
            chosen = set(default_names())
        elif "ALL" in self.select:
            chosen = set(fixer_names())
        else:
            chosen = expand(self.select)
        return chosen - expand(self.ignore)

    def is_excluded(self, path: str) -> bool:
        return any(self.matches(pattern, path) for pattern in self.exclude)

    def matches(self, pattern: str, path: str) -> bool:
        """Whether ``path`` matches a gitwildmatch ``pattern`` written relative to the config's folder."""
        candidates = {Path(path).as_posix()}
        try:
            candidates.add(Path(path).resolve().relative_to(self.root.resolve()).as_posix())
        except ValueError:
            pass
        return any(ignore.matches((pattern,), c) for c in candidates)


def expand(names: tuple[str, ...] | list[str]) -> set[str]:
    """Fixer names, with each group name standing for the fixers of that group (a group name
    imports every fixer module, to read their groups)."""
    out: set[str] = set()
    for name in names:
        if name in GROUPS:
            out.update(n for n, cls in all_fixers().items() if cls.group == name)
        elif name == "ALL":
            out.update(fixer_names())
        else:
            out.add(name)
    return out


def discover(start: Path, known: dict[tuple[str, Path], Path | None] | None = None) -> Path | None:
    """The nearest ``.cfnfix.toml``, else the nearest ``pyproject.toml`` with a [tool.cfnfix] table.

    ``known`` keeps what the search found at each folder, for a caller that asks about many
    folders (a run asks about every folder holding a template): folders share their ancestors,
    whose answer is the same whichever folder below asked, so each ancestor is looked at once
    per run instead of once per folder below it (aws-samples: 982 -> 174 ``is_file`` calls).
    A folder's answer is recorded only once the search through it ended, so one that failed
    (an unreadable pyproject.toml) fails again when asked again."""
    start = start.resolve()
    if not start.is_dir():
        start = start.parent
    known = {} if known is None else known
    return _nearest(start, CONFIG_NAME, known) or _nearest(start, "pyproject.toml", known)


def _nearest(folder: Path, name: str, known: dict[tuple[str, Path], Path | None]) -> Path | None:
    """The file ``name`` that configures cfnfix in ``folder`` or the nearest folder above it."""
    passed: list[Path] = []
    found = None
    while (name, folder) not in known:
        passed.append(folder)
        candidate = folder / name
        if candidate.is_file() and (name == CONFIG_NAME or "cfnfix" in _tool_table(candidate, _read_toml(candidate))):
            found = candidate
            break
        if folder.parent == folder:
            break
        folder = folder.parent
    else:
        found = known[name, folder]
    for folder in passed:
        known[name, folder] = found
    return found


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
    # imported when a config file is read only: most runs find none
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
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
    unsafe = table.get("unsafe-fixes", False)
    if not isinstance(unsafe, bool):
        raise ConfigError(f"{source}: 'unsafe-fixes' must be true or false")
    config.unsafe_fixes = unsafe
    if "regions" in table:
        config.regions = parse_regions(_strings(table["regions"], source, "regions"), f"{source}: 'regions'", ConfigError)
    if "as-of" in table:
        config.as_of = parse_day(table["as-of"], f"{source}: 'as-of'", ConfigError)
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
    if name not in fixer_names():
        raise ConfigError(f"{source}: unknown fixer '{name}' in 'fixers.{name}'")
    merged = {**config.fixer_options.get(name, {}), **options}
    try:
        fixer_class(name)(merged)
    except OptionError as exc:
        raise ConfigError(f"{source}: fixers.{name}: {exc}") from None
    config.fixer_options[name] = merged


def _strings(value: Any, source: str, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: '{key}' must be a list of strings")
    return value


def parse_regions(names: list[str], what: str, error: type[Exception]) -> tuple[str, ...]:
    from .schemas import known_regions

    known = known_regions()
    for name in names:
        if name not in known:
            raise error(f"{what}: unknown region '{name}'")
    return tuple(names)


def parse_day(value: Any, what: str, error: type[Exception]) -> date:
    """A YYYY-MM-DD day from TOML (a date, or a string) or the command line."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise error(f"{what} must be a day as YYYY-MM-DD, not {value!r}") from None


def _names(value: Any, source: str, key: str, allow_all: bool = False) -> tuple[str, ...]:
    names = _strings(value, source, key)
    known = fixer_names()
    for name in names:
        if name not in known and name not in GROUPS and not (allow_all and name == "ALL"):
            raise ConfigError(f"{source}: unknown fixer '{name}' in '{key}'")
    return tuple(names)


class Overrides(NamedTuple):
    """What the command line says; it is laid over each file's own config."""

    run_all: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    as_of: date | None = None
    regions: tuple[str, ...] = ()
    fixer_options: tuple[tuple[str, str, Any], ...] = ()  # (fixer, option, raw value)

    def apply(self, config: Config) -> Config:
        config = replace(config, fixer_options={k: dict(v) for k, v in config.fixer_options.items()})
        if self.run_all:
            config.select = ("ALL",)
        if self.run_all or self.unsafe_fixes:
            config.unsafe_fixes = True
        if self.as_of:
            config.as_of = self.as_of
        if self.regions:
            config.regions = self.regions
        if self.select:
            config.select = from_table({"select": list(self.select)}, "--select", config.root).select
            chosen = config.select or ()
            config.ignore = tuple(n for n in config.ignore if n not in chosen)  # naming a fixer beats the file's ignore
        if self.ignore:
            config.ignore = from_table({"ignore": list(self.ignore)}, "--ignore", config.root).ignore
        for name, key, value in self.fixer_options:
            set_options(config, name, {key: value}, "--option")
        return config


class Resolver:
    """The config of each file: the nearest `.cfnfix.toml` or `[tool.cfnfix]` above it (as ruff
    resolves it), or the one file ``--config`` names, with the command line laid over it. Configs
    are read once per file and found once per directory."""

    def __init__(self, overrides: Overrides, config_file: Path | None = None, fixed: Config | None = None) -> None:
        self.overrides = overrides
        self.config_file = config_file
        self.fixed = fixed  # one config for every file, as a library caller gives it
        self._by_source: dict[Path | None, Config] = {}
        self._by_folder: dict[Path, Path | None] = {}
        self._by_written: dict[str, Path | None] = {}
        self._searched: dict[tuple[str, Path], Path | None] = {}  # see discover

    @classmethod
    def always(cls, config: Config) -> "Resolver":
        return cls(Overrides(), fixed=config)

    def for_path(self, path: str) -> Config:
        """Raises ConfigError (or OptionError) for a config that cannot be used."""
        if self.fixed is not None:
            return self.fixed
        if self.config_file is not None:
            source: Path | None = self.config_file
        else:
            # keyed by the folder as written: resolving it is most of the cost, and a run asks
            # for every file's config several times (the working directory does not change)
            written = "-" if path == "-" else os.path.dirname(path)
            if written in self._by_written:
                source = self._by_written[written]
            else:
                folder = Path.cwd() if path == "-" else Path(path).parent.resolve()
                if folder not in self._by_folder:
                    self._by_folder[folder] = discover(folder if folder.exists() else Path.cwd(), self._searched)
                source = self._by_written[written] = self._by_folder[folder]
        if source not in self._by_source:
            self._by_source[source] = self.overrides.apply(load(source))
        return self._by_source[source]

    def __getstate__(self) -> dict:  # workers find configs again rather than receive every one
        return {**self.__dict__, "_by_source": {}, "_by_folder": {}, "_by_written": {}, "_searched": {}}
