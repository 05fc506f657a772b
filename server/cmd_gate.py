"""CLI: ``tactful gate eval|train|replay``, ``tactful feedback export``, ``tactful stats``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table
from tactful.server import extras
from tactful.server.config import load_settings
from tactful.server.feedback import FeedbackStore, FeedbackStoreError, feedback_path
from tactful.server.settings import data_dir

EXIT_OK, EXIT_ERROR = 0, 2


def register(subparsers: argparse._SubParsersAction) -> None:
    gate = subparsers.add_parser("gate", help="evaluate or train the display gate")
    gate_sub = gate.add_subparsers(dest="gate_command", metavar="ACTION", required=True)
    ev = gate_sub.add_parser("eval", help="ROC AUC, P/R/F1, calibration and a reliability diagram")
    ev.add_argument(
        "--data", required=True, type=Path, help="quality-estimation JSONL, or a feedback export"
    )
    ev.add_argument(
        "--out", type=Path, default=Path("."), help="folder for the reliability diagram PNG"
    )
    ev.add_argument(
        "--threshold",
        type=float,
        default=None,
        help="operating point (default: gate.targetPrecision)",
    )
    ev.add_argument(
        "--cv",
        action="store_true",
        help="cross-validate on the file instead of scoring the shipped prior",
    )
    ev.add_argument("--format", choices=("text", "json"), default="text")
    ev.add_argument("--folds", type=int, default=10)
    ev.add_argument("--repeats", type=int, default=3)
    ev.set_defaults(func=run_eval)
    tr = gate_sub.add_parser(
        "train", help="train the stage-1 prior, or rebuild learned state from the log"
    )
    tr.add_argument(
        "--data", type=Path, help="quality-estimation JSONL to train the stage-1 prior on"
    )
    tr.add_argument("--out", type=Path, help="where to write the prior (default: the data dir)")
    tr.add_argument("--db", type=Path, help="feedback log to replay into the learned gate state")
    tr.set_defaults(func=run_train)
    rp = gate_sub.add_parser(
        "replay", help="replay a feedback log through a fresh gate (predict, then learn)"
    )
    rp.add_argument("--events", type=Path, help="JSONL verdicts: time, user, repo, action, finding")
    rp.add_argument(
        "--db", type=Path, help="a feedback store to replay instead of (or besides) --events"
    )
    rp.add_argument("--format", choices=("text", "json"), default="text")
    rp.add_argument("--png", type=Path, help="write the learning curve here")
    rp.set_defaults(func=run_replay)
    feedback = subparsers.add_parser("feedback", help="the feedback log")
    fb_sub = feedback.add_subparsers(dest="feedback_command", metavar="ACTION", required=True)
    ex = fb_sub.add_parser("export", help="export events (jsonl) or preference pairs (dpo)")
    ex.add_argument("--format", choices=("jsonl", "dpo"), default="jsonl")
    ex.add_argument("--db", type=Path, help="feedback log (default: from settings)")
    ex.add_argument("--out", default="-", help="output file ('-' for stdout)")
    ex.set_defaults(func=run_export)
    st = subparsers.add_parser("stats", help="acceptance and hidden share over time and per rule")
    st.add_argument("--db", type=Path, help="feedback log (default: from settings)")
    st.add_argument("--png", type=Path, default=Path("tactful-stats.png"))
    st.add_argument("--days", type=float, default=None, help="only the last N days")
    st.set_defaults(func=run_stats)


def _console() -> Console:
    # Piped output gets a wide fixed width so rule names are not truncated.
    width = None if sys.stdout.isatty() else 160
    return Console(file=sys.stdout, highlight=False, soft_wrap=True, width=width)


def _error(message: str) -> int:
    sys.stderr.write(f"tactful: error: {message}\n")
    return EXIT_ERROR


def _open_store(db: Path | None) -> FeedbackStore:
    path = db or feedback_path(load_settings(Path.cwd()))
    if not path.exists():
        raise FeedbackStoreError(f"feedback log {path} does not exist")
    try:
        return FeedbackStore.open(path)
    except FeedbackStoreError:
        # A store this user cannot write (read-only file or folder) can still be exported and read.
        return FeedbackStore.open_read_only(path)


def run_eval(args: argparse.Namespace) -> int:
    extras.require("gate", "tactful gate eval")
    if args.format == "text":  # the text report draws a reliability diagram per table
        extras.require("plots", "tactful gate eval")
    from tactful.server.gate.evaluate import CODEREVIEWER, evaluate_file
    from tactful.server.gate.metrics import HEADER, reliability_diagram
    from tactful.server.gate.train import DataError

    threshold = (
        args.threshold
        if args.threshold is not None
        else load_settings(Path.cwd()).gate.target_precision
    )
    try:
        reports = evaluate_file(
            args.data, threshold, folds=args.folds, repeats=args.repeats, cv=args.cv
        )
    except (DataError, OSError) as exc:
        return _error(str(exc))
    if args.format == "json":
        import dataclasses
        import json

        body = {"threshold": threshold, "cross_validated": args.cv, "reports": [
            {"title": r.title, "rows": [{"name": name.strip(), **dataclasses.asdict(sc)} for name, sc in r.rows]}
            for r in reports]}  # fmt: skip
        # NaN (a figure undefined on this subset) is not JSON: null.
        text = json.dumps(body, indent=2).replace("NaN", "null")
        sys.stdout.write(text + "\n")
        return EXIT_OK
    console = _console()
    for number, report in enumerate(reports, 1):
        table = Table("", *HEADER, title=f"{report.title} (threshold {threshold:.2f})")
        for name, scores in report.rows:
            table.add_row(name, *scores.row())
        cr = CODEREVIEWER
        table.add_row("CodeReviewer (reported)", "", "", f"{cr['accuracy']}", f"{cr['precision']}",
                      f"{cr['recall']}", f"{cr['f1']}", "", "")  # fmt: skip
        console.print(table)
        png = reliability_diagram(
            report.labels, report.probs, args.out / f"gate-reliability-{number}.png", report.title
        )
        console.print(f"reliability diagram: {png}", markup=False)
    return EXIT_OK


def run_train(args: argparse.Namespace) -> int:
    if args.data is None and args.db is None:
        return _error("gate train needs --data (stage-1 records) or --db (feedback log to replay)")
    console = _console()
    try:
        if args.data is not None:  # fitting the prior needs scikit-learn; replaying a log does not
            extras.require("gate", "tactful gate train --data")
            from tactful.server.gate.train import build_prior, load_records, write_prior

            prior = build_prior(load_records(args.data))
            out = args.out or data_dir() / "gate_prior.json"
            write_prior(prior, out)
            console.print(
                f"stage-1 prior: {prior['stage1']['trained_on']} records, C={prior['stage1']['C']} -> {out}",
                markup=False,
            )
        if args.db is not None:
            replayed = _replay_log(args.db)
            console.print(f"gate state rebuilt from {replayed} verdicts in {args.db}", markup=False)
    except (ValueError, FeedbackStoreError, OSError) as exc:  # DataError is a ValueError
        return _error(str(exc))
    return EXIT_OK


def _replay_log(db: Path) -> int:
    from tactful.server.gate import Gate, GateHistory

    settings = load_settings(Path.cwd())
    with _open_store(db) as store:
        users = {e.user for e in store.iter_events(kinds=("accepted", "rejected"))} or {""}
        count = 0
        for user in users:
            gate = Gate.open(settings.gate, None, user=user)
            gate.store, gate.state_key, gate.history = store, f"gate:{user}", GateHistory(user=user)
            for event in store.iter_events(user=user or None):
                gate.observe(event)
                count += event.label is not None
            gate.save()
    return count


def run_replay(args: argparse.Namespace) -> int:
    import json

    extras.require("plots" if args.png is not None else "gate", "tactful gate replay")
    from tactful.server.gate.replay import (
        ReplayInputError,
        from_events,
        plot_curve,
        read_jsonl,
        replay,
    )

    if args.events is None and args.db is None:
        return _error("gate replay needs --events FILE or --db DB")
    try:
        verdicts = list(read_jsonl(args.events)) if args.events is not None else []
        if args.db is not None:
            with _open_store(args.db) as store:
                verdicts += list(from_events(store.iter_events()))
    except (ReplayInputError, FeedbackStoreError) as exc:
        return _error(str(exc))
    report = replay(verdicts, load_settings(Path.cwd()).gate)
    figures = report.figures()
    if args.png is not None:
        figures["png"] = str(plot_curve(report, args.png))
    if args.format == "json":
        sys.stdout.write(json.dumps(figures, indent=2) + "\n")
        return EXIT_OK
    console = _console()
    table = Table(
        "measure",
        "value",
        title=f"gate replay: {figures['events']} verdicts, {figures['users']} developer(s)",
    )
    for key in ("rejects_hidden", "accepts_kept", "hide_precision", "calibration_error"):
        table.add_row(key, "-" if figures[key] is None else f"{figures[key]:.3f}")
    console.print(table)
    if "png" in figures:
        console.print(f"learning curve: {figures['png']}", markup=False)
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    try:
        with _open_store(args.db) as store:
            out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")  # noqa: SIM115
            try:
                if args.format == "dpo":
                    from tactful.server.feedback.export import export_dpo

                    done = export_dpo(store, out)
                    summary = f"exported {done.pairs} preference pairs; {done.dropped_pairs} dropped for missing context"
                else:
                    summary = f"exported {store.export_jsonl(out)} events"
            finally:
                if out is not sys.stdout:
                    out.close()
    except (FeedbackStoreError, OSError) as exc:
        return _error(str(exc))
    sys.stderr.write(summary + "\n")
    return EXIT_OK


def run_stats(args: argparse.Namespace) -> int:
    import time

    from tactful.server.feedback.stats import collect, plot

    try:
        with _open_store(args.db) as store:
            stats = collect(store, since=time.time() - args.days * 86400 if args.days else None)
    except FeedbackStoreError as exc:
        return _error(str(exc))
    console = _console()
    for title, groups in (("per day", stats.by_day), ("per rule", stats.by_rule)):
        table = Table(
            title, "shown", "hidden", "acted", "declined", "acceptance", "hidden share", title=title
        )
        for key in sorted(groups):
            t = groups[key]
            table.add_row(key, str(t.shown), str(t.hidden), str(t.acted), str(t.declined),
                          _pct(t.acceptance), _pct(t.hidden_share))  # fmt: skip
        console.print(table)
    rejected_floor = {rule: t for rule, t in stats.floor_by_rule.items() if t.declined}
    if rejected_floor:
        table = Table("rule", "shown", "acted", "declined", "acceptance",
                      title="never silenced (error-severity security/correctness), yet declined")  # fmt: skip
        for rule in sorted(rejected_floor, key=lambda r: -rejected_floor[r].declined):
            t = rejected_floor[rule]
            table.add_row(rule, str(t.shown), str(t.acted), str(t.declined), _pct(t.acceptance))
        console.print(table)
    absent = extras.missing("plots")  # the tables need only the default install; the chart not
    if absent:
        sys.stderr.write(
            f"chart not drawn: it needs {', '.join(absent)}: pip install 'tactful[plots]'\n"
        )
        return EXIT_OK
    console.print(f"chart: {plot(stats, args.png)}", markup=False)
    return EXIT_OK


def _pct(value: float) -> str:
    return "-" if value != value else f"{100 * value:.0f}%"
