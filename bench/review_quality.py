"""Review quality of the offline reviewer on real open-source code: recall, noise and crashes.

The corpus (``bench/corpus/``) holds only specs; the code comes from pinned archives of
real packages (PyPI sdists, npm tarballs, Debian source packages), downloaded on first use
into ``~/.cache/tactful/bench-corpus/`` (``TACTFUL_BENCH_CORPUS`` overrides) and checked
against their sha256. Three kinds of case:

* ``planted``: one realistic defect inserted into a real function (exact ``find`` ->
  ``replace`` text). A hit is any finding in the same file within two lines of the
  defect's new-side line range, which is computed from where the replacement lands.
* ``clean``: a behaviour-preserving refactor or doc change; any finding is noise.
* ``real``: two released versions of one package; the newer one is laid over the older
  one in the working tree and every shown finding is counted per 1,000 changed lines and
  matched against the hand-labelled verdicts in ``bench/corpus/real_verdicts.md``.
* ``known``: a real regression (``[[known_defect]]`` in ``real.toml``): the commit or release
  that shipped a bug a later fix names, laid over its parent like a real diff; a hit is a
  finding within two lines of the recorded defect lines.

Each case is reviewed exactly as ``tactful review --all --no-llm`` reviews a working tree
(the same in-process engine: no display gate, no LLM, call graph on), in a real git
repository holding the whole archive. Engine coverage errors count as crashes.

    python bench/review_quality.py [--only planted|clean|real|known] [--case ID] [--verbose]
                                   [--json FILE] [--no-call-graph]

With ``--llm`` the corpus is reviewed with a real model too (see ``bench/review_llm.py``):

    tactful llm serve --model "$(bash scripts/fetch_eval_model.sh path)" &   # prints the endpoint
    python bench/review_quality.py --llm --base-url http://127.0.0.1:8089/v1 \
        [--prompt review.v1|review.v2|both] [--context on|off|both] [--categories LIST]
        [--limit N] [--real PROJECTS] [--sample N] [--seed S] [--max-prompt-tokens N]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from quality_archives import cache_dir
from quality_corpus import CORPUS, BenchError, load_corpus
from quality_report import summarise
from quality_run import run_cases, run_known, run_real


def main(argv: list[str] | None = None) -> int:
    import review_llm  # beside this file; it shares the quality_* helpers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("planted", "clean", "real", "known"))
    parser.add_argument(
        "--case", action="append", help="run only this case id or real-diff project (repeatable)"
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="list missed cases and every real finding"
    )
    parser.add_argument("--json", metavar="FILE", help="also write machine-readable results")
    parser.add_argument("--no-call-graph", action="store_true")
    parser.add_argument("--corpus", default=str(CORPUS), help=argparse.SUPPRESS)
    review_llm.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        corpus = load_corpus(Path(args.corpus))
    except BenchError as exc:
        print(f"review_quality: {exc}", file=sys.stderr)
        return 2
    cases = [
        c
        for c in corpus.cases
        if args.only in (None, c.kind) and (not args.case or c.id in args.case)
    ]
    reals = [
        d
        for d in corpus.real
        if args.only in (None, "real") and (not args.case or d.project in args.case)
    ]
    known = [
        k
        for k in corpus.known
        if args.only in (None, "known")
        and (not args.case or k.id in args.case or k.project in args.case)
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tactful-quality-") as tmp:
        work = Path(tmp)
        # The index cache lives beside the corpus cache (warm on reruns, as for a user);
        # the feedback log stays in the scratch folder. Neither touches the user's own.
        os.environ["TACTFUL_CACHE_DIR"] = str(cache_dir() / "tactful-cache")
        os.environ["TACTFUL_DATA_DIR"] = str(work / "data")
        if args.llm:
            try:
                _, llm_data = review_llm.main_llm(args, corpus, work)
            except BenchError as exc:
                print(f"review_quality: {exc}", file=sys.stderr)
                return 2
            print(f"({time.perf_counter() - started:.1f}s)")
            if args.json:
                Path(args.json).write_text(json.dumps(llm_data, indent=2) + "\n", "utf-8")
            return 0
        case_results = list(run_cases(corpus, cases, work, not args.no_call_graph))
        real_results = [run_real(corpus, d, work, not args.no_call_graph) for d in reals]
        known_results = [run_known(corpus, k, work, not args.no_call_graph) for k in known]
    download_errors = [r.error for r in case_results if "unavailable" in r.error]
    download_errors += [r.error for r in real_results if "unavailable" in r.error]
    download_errors += [r.error for r in known_results if "unavailable" in r.error]
    if download_errors:
        print(f"review_quality: {download_errors[0]}", file=sys.stderr)
        return 2
    text, data = summarise(case_results, real_results, args.verbose, known_results)
    print(text)
    print(f"({time.perf_counter() - started:.1f}s)")
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
