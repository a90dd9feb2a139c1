"""The ``cfnfix`` command line (README.md, "Commands")."""

from __future__ import annotations

import gc
import os
import re
import sys
from pathlib import Path

import click

from . import __version__
from . import config as config_mod
from . import files as files_mod
from .fixer import OptionError
from .progress import Progress
from .registry import all_fixers, fixer_class
from .report import FORMATS, SHOW_TEXTS, Context
from .runner import TEMPLATE_SUFFIXES, Job, discover, run, template_free_directories

EXIT_OK, EXIT_PENDING, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 128 + 2  # SIGINT, as shells report it
_CHANGELOG_HEAD = re.compile(rb'\s*\{\s*"version"\s*:\s*\d+\s*,\s*"files"\s*:')
_SARIF_HEAD = re.compile(rb'\s*\{\s*"\$schema"\s*:\s*"[^"]*sarif')


def _split_names(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(n.strip() for v in values for n in v.split(",") if n.strip())


def _common(func):
    options = [
        click.argument("paths", nargs=-1, required=True),
        click.option("--all", "run_all", is_flag=True,
                     help="Run every fixer, including those off by default, and write every fix (implies --unsafe-fixes)."),
        click.option("--select", multiple=True, metavar="A,B", help="Run only these fixers or groups."),
        click.option("--ignore", multiple=True, metavar="C", help="Do not run these fixers or groups."),
        click.option("--unsafe-fixes", is_flag=True,
                     help="Also write review fixes (they change behaviour, cost or identity of deployed resources); "
                          "without it they are listed, not written. Config: unsafe-fixes = true."),
        click.option("--as-of", metavar="YYYY-MM-DD", help="Judge runtime and engine deprecations at this day (default: today)."),
        click.option("--regions", metavar="R1,R2", multiple=True,
                     help="Regions whose resource schemas the schema fixers use: valid in any is valid (default: us-east-1)."),
        click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True),
        click.option("--changelog", "changelog_file", type=click.Path(), help="Also write the JSON change log here."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file (default: discovered)."),
        click.option("--option", "fixer_options", multiple=True, metavar="FIXER.KEY=VALUE", help="Set one fixer option."),
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Processes that work on files at once (default: CPU count)."),
        click.option("-q", "--quiet", is_flag=True, help="Print only errors and the diff or report asked for."),
        click.option("-v", "--verbose", is_flag=True, help="Also list clean files."),
        click.option("--ignore-non-templates", is_flag=True,
                     help="Skip named files that are not CloudFormation templates (as in directories) instead of failing."),
        click.option("--diff", "show_diff", is_flag=True, help="Write nothing; print the unified diff of every file that would change."),
        click.option("--statistics", is_flag=True, help="Print a count per fixer instead of one line per fix."),
        click.option("--show-fixes", is_flag=True, help="apply: also list the fixes written, not only their count."),
        click.option("--exit-zero", is_flag=True, help="Exit 0 even when fixes are pending (errors still exit 2)."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
                     help="Colour the diff (auto: on a terminal, unless NO_COLOR is set)."),
        click.option("--report", "reports", multiple=True, metavar="FORMAT=FILE",
                     help="Also write the report in FORMAT to FILE (repeatable), from the same run."),
        click.option("--comment-id", default="", metavar="ID",
                     help="markdown: tell this comment apart from another cfnfix comment on the same pull request."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
# the version the package declares (tests/test_startup.py checks it is the installed one):
# reading the installed distribution's metadata cost --version ~20 ms CPU
@click.version_option(__version__, package_name="cfnfix")
def main() -> None:
    """Repair AWS CloudFormation templates, touching only the lines a fix needs."""


@main.command()
@_common
@click.option("--dry-run", is_flag=True, help="Write nothing; print the unified diff of every file that would change.")
@click.option("-o", "--output", type=click.Path(), help="Write the patched template here (one input).")
def apply(paths, dry_run, output, **common) -> None:
    """Fix templates (files, directories, or - for stdin to stdout).

    Writes the safe fixes of the selected fixers; review fixes are listed and written only with
    --unsafe-fixes (or unsafe-fixes = true in the config). --all runs every fixer and writes
    every fix.
    """
    if output and (len(paths) != 1 or Path(paths[0]).is_dir()):
        raise click.UsageError("-o/--output takes exactly one input file")
    _exit(paths, check=False, dry_run=dry_run or common["show_diff"], output=output, **common)


@main.command()
@_common
def check(paths, **common) -> None:
    """Report pending fixes and write nothing; exit 1 exactly when apply (same options) would write."""
    _exit(paths, check=True, dry_run=True, output=None, **common)


def _exit(paths, **options) -> None:
    """Run and exit with its status; Ctrl-C exits 130 at once (click would say 1, "fixes pending")."""
    try:
        code = _run(paths, **options)
    except KeyboardInterrupt:
        click.echo("cfnfix: interrupted; files not written yet are left as they were", err=True)
        code = EXIT_INTERRUPTED
    sys.exit(code)


def _resolver(o: dict) -> config_mod.Resolver:
    """The command line's config choices; raises ConfigError for a malformed one."""
    fixer_options = []
    for item in o["fixer_options"]:
        name_key, sep, value = item.partition("=")
        name, dot, key = name_key.partition(".")
        if not sep or not dot:
            raise config_mod.ConfigError(f"--option {item}: expected FIXER.KEY=VALUE")
        fixer_options.append((name, key, value))
    overrides = config_mod.Overrides(
        run_all=o["run_all"], select=_split_names(o["select"]), ignore=_split_names(o["ignore"]),
        unsafe_fixes=o["unsafe_fixes"],
        as_of=config_mod.parse_day(o["as_of"], "--as-of", config_mod.ConfigError) if o["as_of"] else None,
        regions=config_mod.parse_regions(list(_split_names(o["regions"])), "--regions", config_mod.ConfigError),
        fixer_options=tuple(fixer_options))
    return config_mod.Resolver(overrides, Path(o["config_file"]) if o["config_file"] else None)


def _rerun_options(o: dict) -> tuple[str, ...]:
    """The command-line options that decide what is fixed, for the commands a report suggests."""
    out: list[str] = []
    if o["run_all"]:
        out.append("--all")
    for flag, values in (("--select", o["select"]), ("--ignore", o["ignore"])):
        if values:
            out += [flag, ",".join(_split_names(values))]
    if o["unsafe_fixes"] and not o["run_all"]:
        out.append("--unsafe-fixes")
    if o["as_of"]:
        out += ["--as-of", o["as_of"]]
    if o["regions"]:
        out += ["--regions", ",".join(_split_names(o["regions"]))]
    if o["config_file"]:
        out += ["--config", o["config_file"]]
    for item in o["fixer_options"]:
        out += ["--option", item]
    return tuple(out)


def _report_targets(reports: tuple[str, ...]) -> list[tuple[str, str]]:
    targets = []
    for item in reports:
        fmt, sep, target = item.partition("=")
        if not sep or not target or fmt not in FORMATS:
            raise click.UsageError(f"--report {item}: expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}")
        targets.append((fmt, target))
    return targets


def _run(paths, check, dry_run, output, **o) -> int:
    reports = _report_targets(o["reports"])
    try:
        resolver = _resolver(o)
        files, errors = discover(list(paths), resolver.for_path, explicit=not o["ignore_non_templates"])
        configs = [resolver.for_path(p) for p, _ in files] or [resolver.for_path("-")]
    except (config_mod.ConfigError, OptionError) as exc:
        click.echo(f"cfnfix: {exc}", err=True)
        return EXIT_ERROR
    if not any(c.selected() for c in configs):
        click.echo("cfnfix: no fixer selected: every fixer chosen is also ignored (see --select, --ignore and the "
                   "config file)", err=True)
        return EXIT_ERROR
    fmt, verbose = o["fmt"], o["verbose"]
    inputs = [p for p in paths if p != "-"] + [p for p, _ in files if p != "-"]
    targets = [(o["changelog_file"], "the change log"), (output, "the patched template")]
    for target, what in targets + [(t, f"the {f} report") for f, t in reports]:
        cause = target and (files_mod.unsafe_target(target, inputs) or (what != "the patched template" and _not_a_report(target, what)))
        if cause:
            click.echo(f"cfnfix: {target}: not writing {what} there: {cause}", err=True)
            return EXIT_ERROR
    stdin_bytes = sys.stdin.buffer.read() if any(p == "-" for p, _ in files) else None
    for name in set().union(*(c.selected() for c in {id(c): c for c in configs}.values())):
        fixer_class(name)  # imported once here, not again in every forked process
    # Modules, fixers and schemas loaded so far live as long as the process: the collector need
    # not scan them again after every file (nor copy them into forked processes' memory)
    gc.freeze()
    prints_report = not o["quiet"] or fmt != "text"  # -q prints no text report
    locate = prints_report or bool(reports) or bool(o["changelog_file"])
    to_stdout = any(p == "-" for p in paths) and not dry_run and not output
    shows_diff = fmt == "text" and (o["show_diff"] or (dry_run and not check))
    shows_texts = not SHOW_TEXTS.isdisjoint({f for f, _ in reports} | ({fmt} if prints_report else set()))
    job = Job(resolver=resolver, dry_run=dry_run or check, output=output, locate=locate,
              details=locate or to_stdout or shows_diff, texts=to_stdout or shows_diff or shows_texts)
    progress = Progress(sys.stderr)
    try:
        results = errors + run(files, job, o["jobs"] or os.cpu_count() or 1, stdin_bytes,
                               None if o["quiet"] else progress)
    finally:
        progress.close()
    results += template_free_directories(list(paths), results)
    for r in results:
        if r.status == "error":
            click.echo(f"cfnfix: {r.path}: {r.error}", err=True)
        if r.warning and r.status in ("fixed", "pending"):
            click.echo(f"cfnfix: {r.path}: warning: {r.warning}", err=True)
        for e in r.fixer_errors:
            click.echo(f"cfnfix: {r.path}: {e.message}", err=True)
            if verbose and e.trace:
                click.echo(e.trace.rstrip("\n"), err=True)
    if to_stdout:
        for r in results:
            if r.path == "-" and r.after is not None and r.status != "error":
                sys.stdout.write(r.after)
    if shows_diff:
        color = o["color"] == "always" or (o["color"] == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
        for r in results:
            diff = r.diff  # computed on each read
            if diff:
                click.echo(colored_diff(diff) if color else diff, nl=False, color=color)
        sys.stdout.flush()  # the diff comes before the report that follows on stderr
    context = Context(check=check or dry_run, options=_rerun_options(o), paths=tuple(paths), comment_id=o["comment_id"],
                      show_fixes=o["show_fixes"], statistics=o["statistics"])
    if prints_report:
        report = FORMATS[fmt](results, context)
        if verbose and fmt == "text":
            report = "".join(f"{r.path}: {r.status}\n" for r in results if r.status in ("clean", "skipped")) + report
        click.echo(report, nl=False, err=to_stdout or shows_diff)
    extra = [("json", o["changelog_file"], "change log")] if o["changelog_file"] else []
    for extra_fmt, target, noun in extra + [(f, t, f"{f} report") for f, t in reports]:
        try:
            files_mod.write_atomic(target, FORMATS[extra_fmt](results, context).encode())
        except (OSError, files_mod.FileError) as exc:
            click.echo(f"cfnfix: cannot write {noun} {target}: {getattr(exc, 'strerror', None) or exc}", err=True)
            return EXIT_ERROR
    if any(r.status == "error" or r.fixer_errors for r in results):
        return EXIT_ERROR
    if any(r.status == "pending" for r in results) and not o["exit_zero"]:
        return EXIT_PENDING
    return EXIT_OK


def colored_diff(diff: str) -> str:
    """The diff with added lines green, removed lines red and hunk headers cyan."""
    out = []
    for line in diff.splitlines(keepends=True):
        if line.startswith(("+++", "---")):
            out.append(click.style(line, bold=True))
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        elif line.startswith("-"):
            out.append(click.style(line, fg="red"))
        elif line.startswith("@@"):
            out.append(click.style(line, fg="cyan"))
        else:
            out.append(line)
    return "".join(out)


def _not_a_report(path: str, what: str) -> str | None:
    """Why an existing file must not be replaced by a report: it may hold a template.

    ``--changelog *.yaml`` expands to ``--changelog a.yaml b.yaml``; a.yaml is then no input,
    but it is a template. An earlier change log or SARIF report may be replaced, and so may a
    file that cannot be a template (say, `report.xml`).
    """
    if not os.path.lexists(path):
        return None
    try:
        head = files_mod.read(path, 4096).data
    except files_mod.FileError:
        return None  # writing it reports the cause
    if _CHANGELOG_HEAD.match(head):
        return None
    if what == "the change log":
        return "it exists and is not a cfnfix change log"
    if not _SARIF_HEAD.match(head) and Path(path).suffix in TEMPLATE_SUFFIXES:
        return "it exists and is not a cfnfix report"
    return None


@main.command("fixers")
def list_fixers() -> None:
    """Table of fixers: name, group, safety, on by default, summary."""
    head = ("name", "group", "safety", "default", "summary")
    rows = [(name, cls.group, str(cls.safety), "yes" if cls.default else "no", cls.summary)
            for name, cls in all_fixers().items()]
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    for row in [head, *rows]:
        click.echo("  ".join(f"{cell:<{w}}" for cell, w in zip(row, widths)) + "  " + row[4])


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
