"""Run every benchmark and write the results table into BENCHMARKS.md: python -m benchmarks."""

from __future__ import annotations

import importlib
import sys
from datetime import UTC, datetime

from .common import ROOT, Result, compile_package, machine

#: The benchmark modules, in order; each has ``measure()``. A module not present is skipped.
MODULES = (
    "cow_import",
    "cow_members_on",
    "init_start",
    "members_cli",
    "read_commands",
    "members_on",
    "check_time",
    "sql_interrupt",
    "dyads",
)
BEGIN, END = "<!-- BEGIN RESULTS -->", "<!-- END RESULTS -->"


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def rows_of(name: str, results) -> list[str]:
    """Table lines for one module's results: ours are ``Result``; another module's may be
    dicts, shown by their keys."""
    lines = []
    for result in results if isinstance(results, list) else [results]:
        if isinstance(result, Result):
            if result.unit == "":
                lines.append(f"| {result.benchmark} | {result.measure} | | | | | {result.note} |")
                continue
            met = "" if result.met is None else ("met" if result.met else "**missed**")
            lines.append(
                f"| {result.benchmark} | {result.measure} | {_number(result.figure)} "
                f"{result.unit} | {_number(result.baseline)} {result.unit} | "
                f"{result.ratio:.2f}× | {result.target} {met} | {result.note} |"
            )
        else:
            items = result.items() if isinstance(result, dict) else [("result", result)]
            lines.append(f"| {name} | " + "; ".join(f"{k}: {v}" for k, v in items) + " | | | | | |")
    return lines


def main(selected: list[str]) -> None:
    compile_package()
    table = [
        "| benchmark | measure | csto-db | baseline | ratio | target | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in selected or MODULES:
        try:
            module = importlib.import_module(f"benchmarks.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"benchmarks.{name}":
                continue
            raise
        print(f"running {name} ...", file=sys.stderr, flush=True)
        lines = rows_of(name, module.measure())
        table += lines
        print("\n".join(lines), file=sys.stderr, flush=True)
    described = "\n".join(f"- {key}: {value}" for key, value in machine().items())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{BEGIN}\nMeasured {stamp} by `python -m benchmarks`, medians of the runs.\n\n"
        f"Machine:\n\n{described}\n\n" + "\n".join(table) + f"\n{END}"
    )
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text("utf-8") if path.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        text = text[: text.index(BEGIN)] + block + text[text.index(END) + len(END) :]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, "utf-8")
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
