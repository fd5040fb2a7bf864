"""The membership chart: its content (rows, spans, marks), not its bytes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import require_module, run_cli
from sqlalchemy import select

from csto_db.models import MembershipSpan
from csto_db.outputs.chart import (
    CHART_STATUSES,
    ChartData,
    ChartError,
    ChartRow,
    ChartSpan,
    chart_data,
    draw,
    save_chart,
)

require_module("matplotlib", "chart")


def _expected(connection, organizations):
    spans = connection.execute(
        select(MembershipSpan.key, MembershipSpan.state_iso3, MembershipSpan.status).where(
            MembershipSpan.organization_code.in_(organizations)
        )
    ).all()
    states = {s.state_iso3 for s in spans if s.status in ("party", "member")}
    keys = {s.key for s in spans if s.state_iso3 in states and s.status in CHART_STATUSES}
    return states, keys


@pytest.mark.parametrize(
    ("org", "organizations"), [("both", ("CST", "CSTO")), ("CST", ("CST",)), ("CSTO", ("CSTO",))]
)
def test_one_row_per_state_ever_in_and_one_bar_per_span(connection, tmp_path, org, organizations):
    states, keys = _expected(connection, organizations)
    out = tmp_path / "members.svg"
    data = save_chart(connection, out, org)
    assert [row.state for row in data.rows] and {row.state for row in data.rows} == states
    assert len(data.rows) == len(states)
    assert {span.key for row in data.rows for span in row.spans} == keys
    svg = out.read_text(encoding="utf-8")
    # Each span's bar is an SVG group with the span's key as id; the labels are the rows.
    assert {key for key in keys if f'<g id="{key}">' in svg} == keys
    labels = re.findall(r"\(([A-Z]{3})\)</text>", svg)
    assert sorted(labels) == sorted(states)


def test_both_organizations_draw_the_known_rows(connection):
    data = chart_data(connection, "both")
    rows = {row.state: row for row in data.rows}
    assert set(rows) == {"ARM", "AZE", "BLR", "GEO", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
    assert [s.status for s in rows["UZB"].spans] == ["party", "party", "member", "suspended"]
    assert [s.status for s in rows["ARM"].spans] == ["party", "member", "frozen"]
    assert [label for label, _, _ in data.markers] == ["Treaty in force", "Charter in force"]
    assert [lower for _, lower, _ in data.markers] == [date(1994, 4, 20), date(2003, 9, 18)]
    # Uzbekistan's 1999 exit: sources disagree on the end; the refinement-only start is not
    assert rows["UZB"].spans[0].disputed == ("end",)
    # Its return of 2006-2012: ATOP and the accession of 2008 dispute the start, ATOP the end
    assert rows["UZB"].spans[1].key == "cst-uzb-party-2006"
    assert set(rows["UZB"].spans[1].disputed) == {"start", "end"}


def test_disputed_bounds_are_marked_in_the_svg(connection, tmp_path):
    out = tmp_path / "members.svg"
    data = save_chart(connection, out)
    svg = out.read_text(encoding="utf-8")
    marks = {
        f"{span.key}:{bound}-disputed"
        for row in data.rows
        for span in row.spans
        for bound in span.disputed
    }
    assert marks and all(f'<g id="{mark}">' in svg for mark in marks)


def test_an_imprecise_start_fades_in_over_its_range():
    span = ChartSpan(
        "x-party",
        "CST",
        "party",
        date(1992, 5, 15),
        date(1999, 4, 30),
        date(2005, 1, 1),
        date(2005, 12, 31),
    )
    figure = draw(ChartData(("CST",), [ChartRow("XXX", "Example", [span])], []))
    by_gid = {
        artist.get_gid(): artist for artist in figure.axes[0].get_children() if artist.get_gid()
    }
    fade_in, fade_out = by_gid["x-party:start-range"], by_gid["x-party:end-range"]
    alphas_in = [colour[3] for colour in fade_in.get_facecolors()]
    alphas_out = [colour[3] for colour in fade_out.get_facecolors()]
    assert alphas_in == sorted(alphas_in) and alphas_in[0] < alphas_in[-1]
    assert alphas_out == sorted(alphas_out, reverse=True)
    assert "x-party" in by_gid


def test_chart_command_and_bad_file_type(built_db_url, tmp_path):
    out = tmp_path / "members.png"
    result = run_cli("chart", "members", "--org", "csto", "--out", str(out), db=built_db_url)
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert result.stdout.strip().endswith("7 states, 9 spans")
    bad = run_cli(
        "chart", "members", "--out", str(tmp_path / "members.gif"), db=built_db_url, expect=2
    )
    assert "svg or .png" in bad.stderr and "Traceback" not in bad.output
    with pytest.raises(ChartError):
        chart_data(None, "NATO")
