"""The ``cfnfix`` command line (DESIGN.md, "Command line")."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from . import config as config_mod
from . import files as files_mod
from .changelog import changelog
from .fixer import OptionError
from .registry import all_fixers
from .report import FORMATS, SHOWS_FIXES
from .runner import Job, discover, run, template_free_directories

EXIT_OK, EXIT_PENDING, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 128 + 2  # SIGINT, as shells report it
_CHANGELOG_HEAD = re.compile(rb'\s*\{\s*"version"\s*:\s*\d+\s*,\s*"files"\s*:')


def _split_names(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n.strip() for v in values for n in v.split(",") if n.strip())


def _common(func):
    options = [
        click.argument("paths", nargs=-1, required=True),
        click.option("--all", "run_all", is_flag=True, help="Run every fixer, including those off by default."),
        click.option("--select", multiple=True, metavar="A,B", help="Run only these fixers."),
        click.option("--ignore", multiple=True, metavar="C", help="Do not run these fixers."),
        click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True),
        click.option("--changelog", "changelog_file", type=click.Path(), help="Also write the JSON change log here."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file (default: discovered)."),
        click.option("--option", "fixer_options", multiple=True, metavar="FIXER.KEY=VALUE", help="Set one fixer option."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: CPU count)."),
        click.option("-q", "--quiet", is_flag=True, help="Print only errors and the diff or report asked for."),
        click.option("-v", "--verbose", is_flag=True, help="Also list clean files."),
        click.option("--ignore-non-templates", is_flag=True,
                     help="Skip named files that are not CloudFormation templates (as in directories) instead of failing."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cfnfix")
def main() -> None:
    """Repair AWS CloudFormation templates, touching only the lines a fix needs."""


@main.command()
@_common
@click.option("--dry-run", is_flag=True, help="Write nothing; print the unified diff of every file that would change.")
@click.option("-o", "--output", type=click.Path(), help="Write the patched template here (one input).")
def apply(paths, dry_run, output, **common) -> None:
    """Fix templates (files, directories, or - for stdin to stdout)."""
    if output and (len(paths) != 1 or Path(paths[0]).is_dir()):
        raise click.UsageError("-o/--output takes exactly one input file")
    _exit(paths, check=False, dry_run=dry_run, output=output, **common)


@main.command()
@_common
def check(paths, **common) -> None:
    """Report pending fixes and write nothing; exit 1 when there are some."""
    _exit(paths, check=True, dry_run=True, output=None, **common)


def _exit(paths, **options) -> None:
    """Run and exit with its status; Ctrl-C exits 130 at once (click would say 1, "fixes pending")."""
    try:
        code = _run(paths, **options)
    except KeyboardInterrupt:
        click.echo("cfnfix: interrupted; files not written yet are left as they were", err=True)
        code = EXIT_INTERRUPTED
    sys.exit(code)


def _load_config(paths, config_file, run_all, select, ignore, fixer_options) -> config_mod.Config:
    if config_file:
        config = config_mod.load(Path(config_file))
    else:
        start = next((Path(p) for p in paths if p != "-"), Path.cwd())
        config = config_mod.load(config_mod.discover(start if start.exists() else Path.cwd()))
    if run_all:
        config.select = ("ALL",)
    if select:
        config.select = config_mod.from_table({"select": list(_split_names(select))}, "--select", config.root).select
        config.ignore = tuple(n for n in config.ignore if n not in config.select)  # naming a fixer beats the file's ignore
    if ignore:
        config.ignore = config_mod.from_table({"ignore": list(_split_names(ignore))}, "--ignore", config.root).ignore
    for item in fixer_options:
        name_key, sep, value = item.partition("=")
        name, dot, key = name_key.partition(".")
        if not sep or not dot:
            raise config_mod.ConfigError(f"--option {item}: expected FIXER.KEY=VALUE")
        config_mod.set_options(config, name, {key: value}, "--option")
    if not config.selected():
        raise config_mod.ConfigError("no fixer selected: every fixer chosen is also ignored (see --select, --ignore and the config file)")
    return config


def _run(paths, check, dry_run, output, run_all, select, ignore, fmt, changelog_file, config_file,
         fixer_options, jobs, quiet, verbose, ignore_non_templates) -> int:
    try:
        config = _load_config(paths, config_file, run_all, select, ignore, fixer_options)
    except (config_mod.ConfigError, OptionError) as exc:
        click.echo(f"cfnfix: {exc}", err=True)
        return EXIT_ERROR
    files, errors = discover(list(paths), config, explicit=not ignore_non_templates)
    inputs = [p for p in paths if p != "-"] + [p for p, _ in files if p != "-"]
    for target, what in ((changelog_file, "the change log"), (output, "the patched template")):
        cause = target and (files_mod.unsafe_target(target, inputs) or (target == changelog_file and _not_a_changelog(target)))
        if cause:
            click.echo(f"cfnfix: {target}: not writing {what} there: {cause}", err=True)
            return EXIT_ERROR
    stdin_bytes = sys.stdin.buffer.read() if any(p == "-" for p, _ in files) else None
    job = Job(config=config, check=check and fmt not in SHOWS_FIXES and not changelog_file, dry_run=dry_run or check, output=output)
    results = errors + run(files, job, jobs or os.cpu_count() or 1, stdin_bytes)
    results += template_free_directories(list(paths), results)
    for r in results:
        if r.status == "error":
            click.echo(f"cfnfix: {r.path}: {r.error}", err=True)
    to_stdout = any(p == "-" for p in paths) and not dry_run and not output
    if to_stdout:
        for r in results:
            if r.path == "-" and r.after is not None and r.status != "error":
                sys.stdout.write(r.after)
    if dry_run and not check and fmt == "text":
        for r in results:
            if r.diff:
                click.echo(r.diff, nl=False)
        sys.stdout.flush()  # the diff comes before the report that follows on stderr
    report = FORMATS[fmt](results, job.check)
    if verbose and fmt == "text":
        report = "".join(f"{r.path}: {r.status}\n" for r in results if r.status in ("clean", "skipped")) + report
    if not quiet or fmt != "text":
        click.echo(report, nl=False, err=to_stdout or (dry_run and not check and fmt == "text"))
    if changelog_file:
        try:
            files_mod.write_atomic(changelog_file, (json.dumps(changelog(results), indent=2, ensure_ascii=False) + "\n").encode())
        except (OSError, files_mod.FileError) as exc:
            click.echo(f"cfnfix: cannot write change log {changelog_file}: {getattr(exc, 'strerror', None) or exc}", err=True)
            return EXIT_ERROR
    if any(r.status == "error" for r in results):
        return EXIT_ERROR
    if any(r.status == "pending" for r in results):
        return EXIT_PENDING
    return EXIT_OK


def _not_a_changelog(path: str) -> str | None:
    """Why an existing file must not be replaced by the change log: only an older log may be.

    ``--changelog *.yaml`` expands to ``--changelog a.yaml b.yaml``; a.yaml is then no input,
    but it is a template, not a log.
    """
    if not os.path.lexists(path):
        return None
    try:
        head = files_mod.read(path, 4096).data
    except files_mod.FileError:
        return None  # writing it reports the cause
    if _CHANGELOG_HEAD.match(head):
        return None
    return "it exists and is not a cfnfix change log"


@main.command("fixers")
def list_fixers() -> None:
    """Table of fixers: name, safety, on by default, summary."""
    rows = [(name, cls.safety, "yes" if cls.default else "no", cls.summary) for name, cls in all_fixers().items()]
    widths = [max(len(r[i]) for r in rows + [("name", "safety", "default", "")]) for i in range(3)]
    click.echo(f"{'name':<{widths[0]}}  {'safety':<{widths[1]}}  {'default':<{widths[2]}}  summary")
    for row in rows:
        click.echo(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")


@main.command()
@click.argument("name")
def explain(name: str) -> None:
    """Print a fixer's full documentation."""
    from .docs import render_docs

    fixers = all_fixers()
    if name not in fixers:
        click.echo(f"cfnfix: unknown fixer '{name}' (see 'cfnfix fixers')", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(render_docs(fixers[name]), nl=False)
