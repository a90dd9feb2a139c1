"""Issue-20 part C (session 5): a Lambda function without Role (required-property) and inline code
under a provided.* runtime (inline-lambda-handler), over the tap models and the aws-samples.

    python bench/lambda_role_runtime.py [--no-lint] [--jobs N]

First the counts and cfn-lint before/after of ``bench/qa_fixers.py`` for the three fixers that
touch a Lambda function's Role, Runtime and Handler (on the tap models). Then every change and
report of the two new behaviours, on both corpora, one line each, to be read by eye: a Role
set from the template's one role Lambda may assume (or why not), a provided.* runtime replaced
by the language of its inline code (or why not).
"""

from __future__ import annotations

import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from qa_fixers import CONFIG, ROOT, main  # noqa: E402

from cfnfix.document import TemplateError, parse  # noqa: E402
from cfnfix.engine import fix_document  # noqa: E402

FIXERS = ["required-property", "inline-lambda-handler", "lambda-runtime"]
CORPORA = (ROOT.parent / "shared" / "corpus" / "tap", ROOT.parent / "shared" / "corpus" / "aws-samples")


def _lines(path: str) -> list[tuple[str, str]]:
    """(kind, line) of each new-behaviour change or report in one template."""
    try:
        doc = parse(Path(path).read_bytes().decode("utf-8"))
    except (TemplateError, UnicodeDecodeError):
        return []
    out = []
    result = fix_document(doc, FIXERS, CONFIG)
    for c in result.changes:
        if c.fixer == "required-property" and c.path[-1:] == ("Role",) and "lambda.amazonaws.com" in c.message:
            out.append(("role fixed", f"{c.resource}: Role -> {c.after}"))
        elif c.fixer == "inline-lambda-handler" and c.path[-1:] == ("Runtime",):
            out.append(("runtime fixed", f"{c.resource}: {c.before} -> {c.after}"))
    for u in result.unfixed:
        if u.fixer == "required-property" and "'Role' is missing" in u.message:
            out.append(("role reported", f"{u.resource}: {u.message.split('; ', 1)[1]}"))
        elif u.fixer == "inline-lambda-handler" and "cannot run inline code" in u.message:
            out.append(("runtime reported", f"{u.resource}: {u.message}"))
    return out


def listing(jobs: int) -> None:
    for corpus in CORPORA:
        files = sorted(str(p) for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".json", ".template")
                       and p.is_file() and not p.name.startswith(("ideal.", "labels.")))
        with ProcessPoolExecutor(jobs) as pool:
            found = list(pool.map(_lines, files, chunksize=8))
        kinds: Counter = Counter()
        print(f"\n## {corpus.name}: {len(files)} templates")
        for path, lines in zip(files, found):
            for kind, line in lines:
                kinds[kind] += 1
                print(f"- {kind}: {Path(path).relative_to(corpus)}: {line}")
        print(f"totals: {dict(kinds) or 'none'}")


if __name__ == "__main__":
    args = sys.argv[1:]
    jobs = int(args[args.index("--jobs") + 1]) if "--jobs" in args else 2
    main(FIXERS)
    listing(jobs)
