# ruff: noqa: E501  (the quotes below are kept whole, one per line, as the sources print them)
"""The record beyond the overview: day-precise dates, the disputes between sources, and
the statuses after 2012 (Uzbekistan suspended, Armenia frozen)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from csto_db.answers.evidence import disputes
from csto_db.answers.membership import members_on
from csto_db.answers.timeline import timeline

OVERVIEW = "csto-overview"
TEXTS = Path(__file__).resolve().parent.parent / "seeds" / "texts"


def listed(connection, org, on, source=None):
    return {m.state: m for m in members_on(connection, org, on, source=source)}


def one(connection, sql, **params):
    found = connection.execute(text(sql), params).mappings().all()
    assert len(found) == 1, (sql, params, found)
    return found[0]


# --- Disputes ------------------------------------------------------------------------------

# key: (rule, preferred value, every value, real disagreement?)
DISPUTES = {
    "cst-geo-accession-day": ("editorial", "1993-12-09", {"1993-12-09", "1993-09-09"}, True),
    "cst-blr-accession-day": ("editorial", "1993-12-31", {"1993-12-31", "1994-01-03"}, True),
    "uzb-cst-exit-year": ("source_rank", "1999-04-21", {"1999-04-21", "1998", "1999"}, True),
    "uzb-csto-return-day": ("editorial", "2006-08-16", {"2006-08-16", "2006-08-17", "2005"}, True),
    "uzb-csto-membership-cow": ("editorial", "2006-08-16", {"2006-08-16", "2002"}, True),
    "uzb-csto-leaving": (
        "editorial",
        "2012-12-19",
        {"2012-12-19", "2012-06-29", "[2011-01-02..2012-01-01]"},
        True,
    ),
    "csto-charter-place": ("source_rank", "Chișinău", {"Chișinău", "Tashkent"}, True),
    "cst-aze-accession-precision": (
        "precision",
        "1993-09-24",
        {"[1992-05-15..1999-04]", "1993-09-24"},
        False,
    ),
    "cst-geo-accession-precision": (
        "precision",
        "1993-12-09",
        {"[1992-05-15..1999-04]", "1993-12-09"},
        False,
    ),
    "cst-blr-accession-precision": (
        "precision",
        "1993-12-31",
        {"[1992-05-15..1999-04]", "1993-12-31"},
        False,
    ),
    "cst-exit-1999-precision": ("precision", "1999-04-21", {"1999-04", "1999-04-21"}, False),
    "cst-prolongation-signed-precision": (
        "precision",
        "1999-04-02",
        {"1999-04", "1999-04-02"},
        False,
    ),
    "csto-dpko-memorandum-signed-precision": (
        "precision",
        "2012-09-28",
        {"2012-09", "2012-09-28"},
        False,
    ),
    "cmfa-2012-04-held-precision": ("precision", "2012-04-06", {"2012-04", "2012-04-06"}, False),
}
DISAGREEMENTS = {key for key, (*_, real) in DISPUTES.items() if real}


@pytest.fixture
def all_disputes(connection):
    return {d.key: d.to_dict() for d in disputes(connection, include_refinements=True)}


@pytest.mark.parametrize("key", sorted(DISPUTES))
def test_preferred_reading_rule_and_values(all_disputes, key):
    rule, preferred, values, real = DISPUTES[key]
    dispute = all_disputes[key]
    assert dispute["rule"] == rule
    assert dispute["preferred"] == preferred
    assert {r["value"] for r in dispute["readings"]} == values
    assert sum(r["preferred"] for r in dispute["readings"]) == 1
    assert dispute["disagreement"] is real
    assert dispute["reason"].strip()
    assert all(r["citations"] for r in dispute["readings"])


def test_disagreements_are_listed_and_refinements_are_not(connection):
    keys = {d.key for d in disputes(connection)}
    assert keys >= DISAGREEMENTS
    assert not keys & (set(DISPUTES) - DISAGREEMENTS)


@pytest.mark.parametrize(
    "key, value, sources",
    [
        (
            "cst-geo-accession-day",
            "1993-12-09",
            {"gibler-2009", "atop-5.1-codesheet-phase1", "wikipedia-en-2006"},
        ),
        ("cst-geo-accession-day", "1993-09-09", {"kremlin-note", "wikipedia-ru-2022"}),
        ("cst-blr-accession-day", "1994-01-03", {"atop-5.1-codesheet-phase1"}),
        ("uzb-cst-exit-year", "1998", {"lenta-2006", "obozrevatel-2006", "rian-56848596"}),
        ("uzb-cst-exit-year", "1999", {"ria-2008", "narodinfo-46314"}),
        ("uzb-csto-return-day", "2006-08-17", {"atop-5.1-codesheet-phase2"}),
        ("uzb-csto-return-day", "2005", {"kazinform-khovar-uzb-2005"}),
        ("uzb-csto-return-day", "2006-08-16", {"obozrevatel-2006", "tass-678014"}),
        ("uzb-csto-membership-cow", "2002", {"cow-igo-v3"}),
        ("uzb-csto-leaving", "2012-12-19", {"tass-687141"}),
        ("uzb-csto-leaving", "2012-06-29", {"atop-5.1-codesheet-phase2"}),
        ("uzb-csto-leaving", "[2011-01-02..2012-01-01]", {"cow-igo-v3"}),
        ("csto-charter-place", "Tashkent", {"tass-685227"}),
        (
            "csto-charter-place",
            "Chișinău",
            {
                "kremlin-charter",
                "csto-general",
                OVERVIEW,
                "odkb-gov-aengl",
                "zakonpravo-charter-2003",
            },
        ),
    ],
)
def test_readings_carry_their_sources(all_disputes, key, value, sources):
    reading = next(r for r in all_disputes[key]["readings"] if r["value"] == value)
    assert set(reading["sources"]) == sources


def test_cow_reading_quotes_the_raw_lines_of_2002_to_2005(all_disputes):
    reading = next(
        r for r in all_disputes["uzb-csto-membership-cow"]["readings"] if r["value"] == "2002"
    )
    lines = (TEXTS / "cow-igo-v3-csto.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    wanted = [
        line
        for line in lines[1:]
        if line.split(",")[header.index("year")] in ("2002", "2003", "2004", "2005")
    ]
    assert len(wanted) == 4
    assert all(line.split(",")[header.index("uzbekistan")] == "1" for line in wanted)
    assert sorted(c["quote"] for c in reading["citations"]) == sorted(wanted)


@pytest.mark.parametrize(
    "fact, field, dispute",
    [
        ("cst-geo-party", "start", "cst-geo-accession-day"),
        ("cst:GEO:accession", "acted", "cst-geo-accession-day"),
        ("cst-blr-party", "start", "cst-blr-accession-day"),
        ("cst:BLR:accession", "acted", "cst-blr-accession-precision"),
        ("cst-uzb-party", "end", "uzb-cst-exit-year"),
        ("cst-aze-party", "end", "cst-exit-1999-precision"),
        ("cst-prolongation-protocol", "signed", "cst-prolongation-signed-precision"),
        ("cst-prolongation-protocol:TJK:signatory", "acted", "cst-prolongation-signed-precision"),
        ("csto-dpko-memorandum:DPKO:signatory", "acted", "csto-dpko-memorandum-signed-precision"),
        ("csto-uzb-member", "start", "uzb-csto-membership-cow"),
        ("csto-uzb-member", "end", "uzb-csto-leaving"),
        ("csto-charter", "place", "csto-charter-place"),
        ("cmfa-2012-04", "held", "cmfa-2012-04-held-precision"),
    ],
)
def test_dispute_subjects(all_disputes, fact, field, dispute):
    assert {"fact": fact, "field": field} in all_disputes[dispute]["subjects"]


# --- Statuses on dates -----------------------------------------------------------------------

# (org, day, state, status or None when not listed, certainty)
STATUSES = [
    ("CSTO", date(2006, 8, 15), "UZB", None, None),  # only COW's year-level 2002: contested
    ("CSTO", date(2006, 8, 16), "UZB", "member", "disputed"),  # ATOP: from the 17th
    ("CSTO", date(2010, 1, 1), "UZB", "member", "certain"),
    ("CSTO", date(2011, 1, 1), "UZB", "member", "certain"),  # COW: a member in 2011
    ("CSTO", date(2011, 6, 1), "UZB", "member", "disputed"),  # COW: out by 2012 at the latest
    ("CSTO", date(2012, 3, 1), "UZB", "member", "disputed"),  # COW: no membership in 2012
    ("CSTO", date(2012, 8, 1), "UZB", "member", "disputed"),  # ATOP: out from 2012-06-29
    ("CSTO", date(2012, 12, 18), "UZB", "member", "disputed"),
    ("CSTO", date(2012, 12, 19), "UZB", None, None),
    ("CSTO", date(2013, 1, 1), "UZB", None, None),
    ("CSTO", date(2004, 1, 1), "UZB", None, None),  # COW codes 2002-2005: contested
    ("CSTO", date(2024, 2, 21), "ARM", "member", "certain"),
    ("CSTO", date(2024, 2, 22), "ARM", "frozen", "certain"),
    ("CSTO", date(2025, 1, 1), "ARM", "frozen", "certain"),
    ("CSTO", date(2025, 1, 1), "BLR", "member", "certain"),
    ("CST", date(1993, 9, 8), "GEO", None, None),
    ("CST", date(1993, 9, 9), "GEO", None, None),  # only the Kremlin note's day: contested
    ("CST", date(1993, 10, 1), "GEO", None, None),
    ("CST", date(1993, 12, 8), "GEO", None, None),
    ("CST", date(1993, 12, 9), "GEO", "party", "certain"),
    ("CST", date(1994, 6, 1), "GEO", "party", "certain"),
    ("CST", date(1993, 9, 23), "AZE", None, None),
    ("CST", date(1993, 9, 24), "AZE", "party", "certain"),
    ("CST", date(1993, 12, 30), "BLR", None, None),
    ("CST", date(1993, 12, 31), "BLR", "party", "disputed"),  # ATOP: from 1994-01-03
    ("CST", date(1994, 1, 3), "BLR", "party", "certain"),
    ("CST", date(1998, 6, 1), "UZB", "party", "disputed"),  # Lenta.ru: out in 1998
    ("CST", date(1999, 4, 20), "UZB", "party", "disputed"),  # Lenta.ru: out in 1998
    ("CST", date(1999, 4, 20), "GEO", "party", "certain"),
    ("CST", date(1999, 4, 21), "GEO", None, None),
    ("CST", date(1999, 4, 21), "AZE", None, None),
    ("CST", date(1999, 4, 21), "UZB", None, None),
    ("CST", date(2006, 8, 15), "UZB", None, None),
    ("CST", date(2006, 8, 16), "UZB", "party", "disputed"),  # ATOP: 17th; the senate: 2008
    ("CST", date(2008, 3, 27), "UZB", "party", "disputed"),  # the senate's vote of 2008-03-28
    ("CST", date(2008, 3, 28), "UZB", "party", "certain"),
    ("CST", date(2010, 1, 1), "UZB", "party", "certain"),
    ("CST", date(2012, 6, 28), "UZB", "party", "certain"),  # ATOP's last day in
    ("CST", date(2012, 6, 29), "UZB", "party", "disputed"),  # ATOP: out from 2012-06-29
    ("CST", date(2012, 12, 18), "UZB", "party", "disputed"),
    ("CST", date(2012, 12, 19), "UZB", None, None),  # the Council suspended its membership
    ("CST", date(2025, 1, 1), "RUS", "party", "certain"),
]


@pytest.mark.parametrize("org, on, state, status, certainty", STATUSES)
def test_status_on_a_day(connection, org, on, state, status, certainty):
    found = listed(connection, org, on).get(state)
    if status is None:
        assert found is None, found
    else:
        assert found is not None
        assert (found.status, found.certainty) == (status, certainty)


@pytest.mark.parametrize(
    "org, on, state",
    [
        ("CST", date(1993, 10, 1), "GEO"),
        ("CSTO", date(2005, 1, 1), "UZB"),
        ("CSTO", date(2003, 9, 18), "UZB"),
    ],
)
def test_contested_membership_is_returned_only_when_asked(connection, org, on, state):
    assert state not in listed(connection, org, on)
    found = {m.state: m for m in members_on(connection, org, on, contested=True)}[state]
    assert found.contested and found.certainty == "disputed"
    # the row's dates are the preferred reading's; the reading that puts the day inside
    # comes with it
    assert found.since > on.isoformat()
    others = [r for r in found.readings if not r.preferred and r.field == "start"]
    assert others and all(r.date.lower <= on for r in others)


def test_a_disputed_row_carries_the_readings_that_put_the_day_outside(connection):
    uzbekistan = listed(connection, "CSTO", date(2006, 8, 16))["UZB"]
    assert not uzbekistan.contested
    assert {r.value for r in uzbekistan.readings if not r.preferred} == {"2006-08-17"}
    assert all(r.citations for r in uzbekistan.readings)


def test_no_member_of_the_csto_before_its_membership_begins(connection):
    for on in (date(2002, 1, 1), date(2002, 12, 31), date(2003, 9, 17)):
        assert members_on(connection, "CSTO", on, contested=True) == []
        assert members_on(connection, "CSTO", on, source="cow-igo-v3") == []
    assert len(members_on(connection, "CSTO", date(2003, 9, 18))) == 6


def test_uzbekistan_suspended_in_the_timeline(connection):
    entries = {e.key: e for e in timeline(connection, "UZB")}
    suspended = entries["csto-uzb-suspended"]
    assert (suspended.status, suspended.start, suspended.end) == ("suspended", "2012-12-19", None)
    member = entries["csto-uzb-member"]
    assert (member.start, member.end) == ("2006-08-16", "2012-12-19")
    assert "uzb-csto-suspension-2012" in entries and "uzb-csto-suspension-note-2012" in entries


def test_uzbekistan_is_a_party_to_the_treaty_again_from_2006_to_2012(connection):
    spans = connection.execute(
        text(
            "SELECT s.key, s.start_edtf, s.end_edtf, s.inferred FROM membership_spans s"
            " WHERE s.state_iso3 = 'UZB' AND s.organization_code = 'CST' ORDER BY s.start_lower"
        )
    ).all()
    assert [tuple(span) for span in spans] == [
        ("cst-uzb-party", "1992-05-15", "1999-04-21", True),
        ("cst-uzb-party-2006", "2006-08-16", "2012-12-19", True),
    ]
    readings = connection.execute(
        text(
            "SELECT s.field, r.value_date_edtf, r.value_text, r.preferred, d.rule"
            " FROM dispute_subjects s JOIN readings r ON r.dispute_key = s.dispute_key"
            " JOIN disputes d ON d.key = s.dispute_key"
            " WHERE s.fact_key = 'cst-uzb-party-2006' ORDER BY s.field, r.key"
        )
    ).all()
    assert [tuple(reading) for reading in readings] == [
        ("end", "2012-12-19", None, True, "editorial"),
        ("end", "2012-06-29", None, None, "editorial"),
        (
            "end",
            None,
            "later, or not at all (no withdrawal from the Treaty is recorded)",
            None,
            "editorial",
        ),
        ("start", "2006-08-16", None, True, "editorial"),
        ("start", "2006-08-17", None, None, "editorial"),
        ("start", "2008-03-28", None, None, "editorial"),
    ]


def test_armenia_frozen_without_a_formal_act(connection):
    span = one(connection, "SELECT * FROM membership_spans t WHERE t.key = 'csto-arm-frozen'")
    assert (span["status"], span["start_edtf"], span["end_edtf"]) == ("frozen", "2024-02-22", None)
    quotes = (
        connection.execute(
            text(
                "SELECT c.quote FROM fact_citations f JOIN citations c ON c.key = f.citation_key "
                "WHERE f.fact_key = 'csto-arm-frozen'"
            )
        )
        .scalars()
        .all()
    )
    assert "The Armenian side has not taken any official action in this regard" in quotes


# --- One source's view ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["AZE", "GEO", "BLR"])
def test_overview_alone_keeps_its_bounds(connection, state):
    member = listed(connection, "CST", date(1995, 1, 1), source=OVERVIEW)[state]
    assert member.certainty == "possible"
    assert member.since == "[1992-05-15..1999-04]"
    assert all(c.source == OVERVIEW for c in member.citations)


@pytest.mark.parametrize("state", ["AZE", "GEO", "UZB"])
def test_overview_alone_ends_the_three_in_april_1999(connection, state):
    assert listed(connection, "CST", date(1999, 4, 15), source=OVERVIEW)[state].until == "1999-04"


def test_atop_alone_dates_belarus_from_1994_01_03(connection):
    assert "BLR" not in listed(
        connection, "CST", date(1994, 1, 2), source="atop-5.1-codesheet-phase1"
    )
    belarus = listed(connection, "CST", date(1994, 1, 3), source="atop-5.1-codesheet-phase1")["BLR"]
    assert (belarus.since, belarus.certainty) == ("1994-01-03", "certain")


def test_atop_alone_ends_uzbekistan_at_its_note(connection):
    source = "atop-5.1-codesheet-phase2"
    assert listed(connection, "CSTO", date(2012, 6, 28), source=source)["UZB"].until == "2012-06-29"
    assert "UZB" not in listed(connection, "CSTO", date(2012, 6, 29), source=source)
    assert "UZB" not in listed(connection, "CSTO", date(2006, 8, 16), source=source)


def test_kremlin_note_alone_dates_georgia_9_september(connection):
    georgia = listed(connection, "CST", date(1993, 10, 1), source="kremlin-note")["GEO"]
    assert georgia.since == "1993-09-09"


def test_cow_alone_counts_uzbekistan_from_2002(connection):
    uzbekistan = listed(connection, "CSTO", date(2004, 6, 1), source="cow-igo-v3")["UZB"]
    assert (uzbekistan.since, uzbekistan.certainty) == ("2002", "certain")


def test_lenta_alone_ends_uzbekistan_in_1998(connection):
    assert listed(connection, "CST", date(1995, 1, 1), source="lenta-2006")["UZB"].until == "1998"


# --- Documents, events, meetings ---------------------------------------------------------------


@pytest.mark.parametrize(
    "key, signed, place, in_force",
    [
        ("cst-prolongation-protocol", "1999-04-02", "Moscow", "2000-03-22"),
        ("uzb-csto-restoration-protocol", "2006-08-16", "Sochi", None),
        ("csto-dpko-memorandum", "2012-09-28", "New York", None),
        ("csto-charter", "2002-10-07", "Chișinău", "2003-09-18"),
    ],
)
def test_documents(connection, key, signed, place, in_force):
    doc = one(connection, "SELECT * FROM documents t WHERE t.key = :key", key=key)
    assert (doc["signed_edtf"], doc["place"], doc["in_force_edtf"]) == (signed, place, in_force)


@pytest.mark.parametrize(
    "document", ["csto-charter", "csto-legal-status-agreement", "cst-prolongation-protocol"]
)
def test_the_six_signed(connection, document):
    parties = (
        connection.execute(
            text(
                "SELECT state_iso3 FROM document_parties WHERE document_key = :d AND role = 'signatory'"
            ),
            {"d": document},
        )
        .scalars()
        .all()
    )
    assert sorted(parties) == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]


def test_resolution_number(connection):
    doc = one(connection, "SELECT title FROM documents t WHERE t.key = 'unga-observer-resolution'")
    assert "59/50" in doc["title"]


@pytest.mark.parametrize(
    "key, kind, happened, document",
    [
        ("cst-un-registration", "registration", "1995-11-01", "cst"),
        ("csto-charter-un-registration", "registration", "2003-12", "csto-charter"),
        ("uzb-csto-return-announced-2006", "statement", "2006-06-23", None),
        ("uzb-csto-restoration-2006", "restoration", "2006-08-16", "uzb-csto-restoration-protocol"),
        (
            "uzb-ratification-lower-house-2006",
            "decision",
            "2006-11-21",
            "uzb-csto-restoration-protocol",
        ),
        ("uzb-ratification-senate-2006", "decision", "2006-12-01", "uzb-csto-restoration-protocol"),
        ("uzb-ratification-2008", "decision", "2008-03-28", None),
        ("uzb-csto-suspension-note-2012", "request", "2012-06-28", None),
        ("uzb-csto-suspension-2012", "suspension", "2012-12-19", None),
        ("arm-csto-freeze-2024", "freeze", "2024-02-22", None),
        ("arm-csto-freeze-no-official-action-2024", "statement", "[2024-02-22..2024-02-23]", None),
        ("arm-csto-contributions-stopped-2024", "statement", "2024-05-08", None),
        ("arm-csto-frozen-status-2026", "other", "2026-01-31", None),
    ],
)
def test_events(connection, key, kind, happened, document):
    event = one(connection, "SELECT * FROM events t WHERE t.key = :key", key=key)
    assert (event["kind"], event["happened_edtf"], event["document_key"]) == (
        kind,
        happened,
        document,
    )


def test_cmfa_meeting_in_astana(connection):
    meeting = one(connection, "SELECT * FROM meetings t WHERE t.key = 'cmfa-2012-04'")
    assert (meeting["held_edtf"], meeting["place"]) == ("2012-04-06", "Astana")


# --- Quotes stored verbatim --------------------------------------------------------------------

EXTERNAL_QUOTES = [
    (
        "abcmedia-2026",
        "In February 2024, Armenian Prime Minister Nikol Pashinyan announced that Armenia had “frozen” its participation in the CSTO.",
    ),
    ("asbarez-2024", "The Armenian side has not taken any official action in this regard"),
    ("asbarez-2024", "in practice we have basically frozen our participation in the CSTO"),
    (
        "asiaplus-2006",
        "Uzbekistan made a decision to suspend active activity within the CSTO but did not denunciate the Collective Security Treaty signed in May 1992.",
    ),
    (
        "csto-general",
        "7 октября 2002 года подписали в Кишиневе Устав Организации ДКБ и Соглашение о правовом статусе ОДКБ. 18 сентября 2003 года эти документы вступили в силу.",
    ),
    (
        "csto-general",
        "Договор зарегистрирован 1 ноября 1995 года в Секретариате Организации Объединенных Наций.",
    ),
    (
        "csto-un",
        "the registration of the Charter approved on October 7, 2002 at the UN Secretariat. This happened in December 2003",
    ),
    (
        "csto-un",
        "to obtain observer status in the UN General Assembly - on the basis of General Assembly resolution No. 59/50 of December 2, 2004.",
    ),
    ("gibler-2009", "Georgia (December 9, 1993), and Belarus (December 31, 1993)"),
    (
        "gibler-2009",
        "In force as of date of publication of this volume, except for Azerbaijan, Georgia, and Uzbekistan (three countries that left the alliance on April 20, 1999).",
    ),
    ("gibler-2009", "Source:United Nations Treaty,no. 32307."),
    (
        "jamestown-1999",
        "held in Moscow on April 20–the treaty's expiration date … those three countries declined to attend the Moscow meeting and are now–officially and unambiguously–outside the framework of the treaty.",
    ),
    (
        "kazinform-2012",
        "ASTANA. April 6. KAZINFORM Astana hosts a session of the CSTO Council of Foreign Ministers chaired by Kazakh Minister of Foreign Affairs Yerzhan Kazykhanov.",
    ),
    (
        "kazinform-2012b",
        "…was taken at the meeting of the Collective Security Council in Moscow on 14 May 2002.",
    ),
    (
        "kremlin-agreement",
        "Signed by President of Armenia Robert Kocharian, President of Belarus Aleksander Lukashenko, President of Kazakhstan Nursultan Nazarbaev, President of Kyrgyzstan Askar Akaev, President of Russia Vladimir Putin and President of Tajikistan Emomali Rakhmonov on October 7, 2002 in Chisinau",
    ),
    (
        "kremlin-charter",
        "Signed by President of Armenia Robert Kocharian, President of Belarus Aleksander Lukashenko, President of Kazakhstan Nursultan Nazarbaev, President of Kyrgyzstan Askar Akaev, President of Russia Vladimir Putin and President of Tajikistan Emomali Rakhmonov on October 7, 2002 in Chisinau",
    ),
    (
        "kremlin-note",
        "Azerbaijan signed the treaty on September 24, 1993, Georgia on September 9, 1993, and Belarus on December 31, 1993.",
    ),
    ("kyivindependent-2024", "Armenian Prime Minister Nikol Pashinyan told France 24 on Feb. 22."),
    (
        "lenta-2006",
        "Узбекистан вступил в организацию в 1992 году и приостановил свое членство в ней в 1998 году.",
    ),
    (
        "obozrevatel-2006",
        "Законопроект о ратификации этого документа был принят нижней палатой парламента страны 21 ноября и одобрен сенатом 1 декабря",
    ),
    (
        "obozrevatel-2006",
        "Протокол о восстановлении членства республики в ОДКБ был подписан в Сочи 16 августа 2006 г.",
    ),
    (
        "panarmenian-18523",
        "Uzbekistan has cancelled moratorium on active work within the Collective Security Treaty Organization (CSTO) and became a full member of the Organization, it was announced at the CSTO Summit held in Minsk on Friday.",
    ),
    (
        "protocol-1999-text",
        "Договора о коллективной безопасности (далее Договор), подписанного в Ташкенте 15 мая 1992 года и вступившего в силу 20 апреля 1994 года",
    ),
    ("protocol-1999-text", "Протокол от 2 апреля 1999 года (г. Москва)"),
    ("protocol-1999-text", "продлевает действие Договора с 21 апреля 1999 года"),
    ("protocol-1999-text", "срок его действия истекает 20 апреля 1999 года"),
    (
        "protocol-2010-text",
        "подписанного в Москве 2 апреля 1999 года и вступившего в силу 22 марта 2000 года",
    ),
    ("rferl-2024", "Armenia said on May 8 that it has stopped making financial contributions"),
    (
        "ria-2008",
        "Uzbekistan's parliament has ratified a document formally restoring the Central Asian state's membership",
    ),
    ("tass-678014", "The decision was reaffirmed in a protocol dated August 16, 2006."),
    (
        "tass-678014",
        "confirms that is has received a note from Uzbekistan on suspension of that country's operations in the format of the organization",
    ),
    (
        "tass-685227",
        "signed a charter in Tashkent, founding the Collective Security Treaty Organisation",
    ),
    (
        "tass-687141",
        "MOSCOW, December 19 (Itar-Tass) — The leaders of the member-states … decided to suspend Uzbekistan's membership",
    ),
    (
        "tass-687141",
        "The Organization's Charter dose not provide for unilateral withdrawal, and suspension of membership is only possible by decision of the CSTO Collective Security Council.",
    ),
    (
        "tass-728988",
        "The CSTO received the status of observer at the U.N. General Assembly on December 2, 2004.",
    ),
    ("voltaire-2012", "unterzeichneten eine Vereinbarung am 28. September 2012 in New York."),
    (
        "wikipedia-en-2006",
        "Azerbaijan likewise signed the treaty on September 24, 1993, Georgia on December 9, 1993 and Belarus on December 31, 1993.",
    ),
    (
        "wikipedia-en-2006",
        "On April 2, 1999, the Presidents of Armenia, Belarus, Kazakhstan, Kyrgyzstan, Russia and Tajikistan, signed a protocol renewing the treaty",
    ),
    (
        "wikipedia-ru-2022",
        "Azerbaijan signed the treaty on September 24, 1993, Georgia on September 9, 1993, Belarus - December 31, 1993.",
    ),
    ("atop-5.1-codesheet-phase1", " 373 Azerbaijan (acceded on 9/24/93) "),
    ("atop-5.1-codesheet-phase1", " 372 Georgia  (acceded on 12/9/93) "),
    ("atop-5.1-codesheet-phase1", " 370 Belarus  (acceded on 1/3/94) "),
    (
        "atop-5.1-codesheet-phase1",
        " April 20, 1999 for Uzbekistan, Azerbaijan, and Georgia, who did not sign the renewal"
        " protocol. ",
    ),
    (
        "atop-5.1-codesheet-phase2",
        " 704 Uzbekistan (joins August 17, 2006 \u2013 leaves June 28, 2012) ",
    ),
    (
        "atop-5.1-codesheet-phase2",
        " Uzbekistan leaves June 28, 2012  (http://gca.satrapia.com/uzbekistan-suspends-its-"
        "membership-in-csto)  ",
    ),
]


@pytest.mark.parametrize("source, quote", EXTERNAL_QUOTES)
def test_external_quote_stored_verbatim(connection, source, quote):
    found = (
        connection.execute(
            text(
                "SELECT c.quote, c.char_start, c.char_end, s.full_text FROM citations c "
                "JOIN sources s ON s.key = c.source_key WHERE c.source_key = :s AND c.quote = :q"
            ),
            {"s": source, "q": quote},
        )
        .mappings()
        .all()
    )
    assert len(found) == 1
    cited = found[0]
    if cited["full_text"] is None:
        assert cited["char_start"] is None
    else:
        assert cited["full_text"][cited["char_start"] : cited["char_end"]] == quote


def test_every_citation_into_a_held_text_has_matching_offsets(connection):
    rows = (
        connection.execute(
            text(
                "SELECT c.key, c.quote, c.char_start, c.char_end, s.full_text FROM citations c "
                "JOIN sources s ON s.key = c.source_key WHERE s.full_text IS NOT NULL"
            )
        )
        .mappings()
        .all()
    )
    assert any(r["key"].startswith("cow-igo-v3:") for r in rows)
    for row in rows:
        assert row["full_text"][row["char_start"] : row["char_end"]] == row["quote"], row["key"]


@pytest.mark.parametrize(
    "source, filename",
    [
        ("atop-5.1-codesheet-phase1", "codesheet-4220-phase1.txt"),
        ("atop-5.1-codesheet-phase2", "codesheet-4220-phase2.txt"),
        ("cow-igo-v3", "cow-igo-v3-csto.csv"),
    ],
)
def test_held_texts_are_the_files_byte_for_byte(connection, source, filename):
    stored = one(
        connection, "SELECT full_text, full_text_sha256 FROM sources t WHERE t.key = :k", k=source
    )
    raw = (TEXTS / filename).read_bytes()
    assert stored["full_text"].encode("utf-8") == raw
    assert stored["full_text_sha256"] == hashlib.sha256(raw).hexdigest()


def test_russian_quotes_carry_a_translation_outside_the_quote(connection):
    rows = (
        connection.execute(
            text(
                "SELECT c.quote, c.translation FROM citations c JOIN sources s ON s.key = c.source_key "
                "WHERE s.language IN ('ru', 'de')"
            )
        )
        .mappings()
        .all()
    )
    assert len(rows) >= 8
    for row in rows:
        assert row["translation"], row["quote"]
        assert "[" not in row["quote"] and row["translation"] not in row["quote"]


def test_cow_excerpt_holds_the_header_and_only_csto_rows():
    lines = (TEXTS / "cow-igo-v3-csto.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("ioname,orgname,year,")
    assert [line.split(",")[0] for line in lines[1:]] == ["CSTO"] * 13
