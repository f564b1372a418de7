"""The command line. Subcommands that need no screen never import Textual."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sdm_tui import __version__

ASCII_HELP = (
    "draw ASCII marks (> + - * x) for every symbol, for a console font without them "
    "(automatic when TERM=linux)"
)


def _common() -> argparse.ArgumentParser:
    """--records, --grids and --scenarios, accepted before or after the command."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--records",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="records folder (default: $SDM_TUI_RECORDS, else your user data folder)",
    )
    common.add_argument(
        "--grids",
        metavar="DIR",
        type=Path,
        default=argparse.SUPPRESS,
        help="folder of option grids (default: the shipped grids)",
    )
    common.add_argument(
        "--scenarios",
        metavar="DIR",
        type=Path,
        default=argparse.SUPPRESS,
        help="folder of role-play scenarios (default: the shipped ones)",
    )
    return common


COMMANDS = frozenset({"grids", "records", "review", "prepare", "serve", "scenarios"})


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line. Given `argv`, a command's own options and actions are added
    only when its name is among the words: argparse reads them only once that command
    is chosen, so the parser reads `argv` exactly as the whole one would, and opening
    the app skips building the others (a few ms of the start-up).
    """
    wanted = COMMANDS if argv is None else COMMANDS.intersection(argv)
    common = _common()
    parser = argparse.ArgumentParser(
        parents=[common],
        prog="sdm-tui",
        description="Shared decision making about antipsychotic medicine, on one shared screen. "
        "With no command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"sdm-tui {__version__}")
    parser.add_argument(
        "--ascii",
        action="store_true",
        default=argparse.SUPPRESS,
        help=ASCII_HELP,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    grids = sub.add_parser(
        "grids", parents=[common], help="list, show, validate, lint or diff option grids"
    )
    if "grids" in wanted:
        gsub = grids.add_subparsers(dest="action", metavar="ACTION", required=True)
        gsub.add_parser("list", parents=[common], help="the grids available")
        show = gsub.add_parser("show", parents=[common], help="a grid as plain text")
        show.add_argument("grid_id", metavar="ID")
        show.add_argument("--width", type=int, help="columns to use (default: the terminal's)")
        show.add_argument(
            "--linear",
            action="store_true",
            help="question by question in words, no table (for screen readers and magnifiers)",
        )
        validate = gsub.add_parser(
            "validate", parents=[common], help="check grid files (all shipped grids if none)"
        )
        validate.add_argument("paths", nargs="*", type=Path, metavar="PATH")
        validate.add_argument(
            "--strict",
            action="store_true",
            help="treat warnings (such as a passed review date) as errors",
        )
        lint = gsub.add_parser(
            "lint", parents=[common], help="check grids against decision-aid standards (IPDAS)"
        )
        lint.add_argument("paths", nargs="*", type=Path, metavar="PATH")
        diff = gsub.add_parser(
            "diff",
            parents=[common],
            help="what changed between two versions of a grid, cell by cell",
        )
        diff.add_argument("old", type=Path, metavar="OLD", help="the earlier grid file")
        diff.add_argument("new", type=Path, metavar="NEW", help="the later grid file")
        diff.add_argument(
            "--format",
            choices=["text", "json"],
            default="text",
            help="text: for people signing a change off; json: for tools",
        )

    records = sub.add_parser(
        "records", parents=[common], help="list, show, export or verify saved records"
    )
    if "records" in wanted:
        rsub = records.add_subparsers(dest="action", metavar="ACTION", required=True)
        rlist = rsub.add_parser("list", parents=[common], help="finished records, newest first")
        rlist.add_argument("--format", choices=["table", "json"], default="table")
        rlist.add_argument(
            "--mode",
            choices=["clinical", "training", "all"],
            default="clinical",
            help="which records (default: clinical only)",
        )
        rlist.add_argument("--limit", type=int, metavar="N", help="only the newest N records")
        rlist.add_argument("--reference", metavar="REF", help="only this service user's records")
        rshow = rsub.add_parser("show", parents=[common], help="a record's summary as text")
        rshow.add_argument("record_id", metavar="ID")
        export = rsub.add_parser(
            "export",
            parents=[common],
            help="write a record as Markdown, TOML, FHIR R4 JSON, a handout or a clinical note",
        )
        export.add_argument("record_id", metavar="ID")
        export.add_argument(
            "--format",
            choices=["md", "toml", "fhir", "debrief", "html", "text"],
            default="md",
            help="md: the summary; toml: the record itself; fhir: a FHIR R4 document Bundle "
            "(JSON); debrief: a role-play's debrief (Markdown); html: the take-home handout "
            "to print; text: the clinical note to paste into a record (html and text are "
            "written beside the record unless --output is given; --output - prints)",
        )
        export.add_argument(
            "--output", type=Path, metavar="PATH", help="file to write (default: print it)"
        )
        compare = rsub.add_parser(
            "compare", parents=[common], help="what changed between two records of one person"
        )
        compare.add_argument("record_ids", nargs=2, metavar="ID")
        verify = rsub.add_parser("verify", parents=[common], help="check every record's integrity")
        verify.add_argument(
            "--repair",
            action="store_true",
            help="first tidy what a killed save left: temp files, drafts of saved records, "
            "missing summaries",
        )
        synth = rsub.add_parser(
            "synth", parents=[common], help="write synthetic training records for tests and demos"
        )
        synth.add_argument("--count", type=int, required=True, metavar="N", help="how many records")
        synth.add_argument(
            "--seed", type=int, default=1, metavar="S", help="the same seed gives the same records"
        )

    review = sub.add_parser(
        "review",
        parents=[common],
        help="open the app on the review screen: past records, one person over time, the clinic",
    )
    if "review" in wanted:
        review.add_argument(
            "--ascii", action="store_true", default=argparse.SUPPRESS, help=ASCII_HELP
        )

    prepare = sub.add_parser(
        "prepare",
        parents=[common],
        help="open the app on 'Get ready for an appointment': the service user writes, in "
        "their own words, before the appointment",
    )
    if "prepare" in wanted:
        prepare.add_argument(
            "--ascii", action="store_true", default=argparse.SUPPRESS, help=ASCII_HELP
        )

    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="run the app in a browser on this computer (a one-time link, one consultation)",
    )
    if "serve" in wanted:
        from sdm_tui.serve.cli import add_arguments as add_serve_arguments

        add_serve_arguments(serve)

    scenarios = sub.add_parser(
        "scenarios", parents=[common], help="list or validate training role-play scenarios"
    )
    if "scenarios" in wanted:
        ssub = scenarios.add_subparsers(dest="action", metavar="ACTION", required=True)
        ssub.add_parser("list", parents=[common], help="the role-play scenarios available")
        svalidate = ssub.add_parser(
            "validate",
            parents=[common],
            help="check scenario files against the grids (all shipped scenarios if none)",
        )
        svalidate.add_argument("paths", nargs="*", type=Path, metavar="PATH")

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        # A console that cannot show a character (e.g. cp1252) gets "?" not a crash.
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="replace")  # type: ignore[union-attr]
    if argv is None:
        argv = sys.argv[1:]
    args = _parser(argv).parse_args(argv)
    args.records = getattr(args, "records", None)
    args.grids = getattr(args, "grids", None)
    args.scenarios = getattr(args, "scenarios", None)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "grids":
            return _grids(args, out, err)
        if args.command == "records" and args.action == "synth":
            from sdm_tui.cli.synth import run_synth

            return run_synth(args, out, err)
        if args.command == "records":
            from sdm_tui.cli.records import run_records

            return run_records(args, out, err)
        if args.command == "scenarios":
            return _scenarios(args, out)
        if args.command == "serve":
            from sdm_tui.serve.cli import run_serve

            return run_serve(args, out, err)
        from sdm_tui.ui.run import run_app

        return run_app(
            records=args.records,
            grids=args.grids,
            scenarios=args.scenarios,
            start=args.command if args.command in ("review", "prepare") else "",
            ascii_only=getattr(args, "ascii", False),
        )
    except KeyboardInterrupt:
        err.write("stopped\n")
        return 130
    except BrokenPipeError:
        return 0


def _scenarios(args: argparse.Namespace, out: TextIO) -> int:
    from sdm_tui.cli import scenarios

    if args.action == "list":
        return scenarios.cmd_list(args.scenarios, args.grids, out)
    return scenarios.cmd_validate(args.paths, args.scenarios, args.grids, out)


def _grids(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from sdm_tui.cli import grids

    if args.action == "list":
        return grids.cmd_list(args.grids, out)
    if args.action == "show":
        return grids.cmd_show(args.grid_id, args.grids, out, err, args.width, args.linear)
    if args.action == "validate":
        return grids.cmd_validate(args.paths, args.grids, args.strict, out)
    if args.action == "diff":
        return grids.cmd_diff(args.old, args.new, args.format, out, err)
    from sdm_tui.core.lint import lint_paths

    files = grids.expand(args.paths, args.grids)
    if not files:
        out.write("no grid files found (give a path to a .toml grid or a folder of them)\n")
        return 1
    return lint_paths(files, out)


if __name__ == "__main__":
    sys.exit(main())
