# ruff: noqa: E501  (the quotes below are kept whole, one per line, as the sources print them)
"""The additions to the record, 2010–2025, through the command line: the protocols of 2010
and 2011 and their ratifications, what the 2017 and 2025 sessions signed, the protocols of
2018 and 2022, Uzbekistan's return, Armenia in 2024–2025, and the disputes among them."""

from __future__ import annotations

import pytest
from conftest import run_cli, run_cli_json

# --- documents -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def documents(built_db_url) -> dict[str, dict]:
    return {d["key"]: d for d in run_cli_json(built_db_url, "documents")}


def parties(document: dict, role: str) -> dict[str, str]:
    return {p["party"]: p["date"] for p in document["parties"] if p["role"] == role}


@pytest.mark.parametrize(
    "key, kind, signed, place, in_force, meeting",
    [
        (
            "cst-amendment-protocol-2010",
            "protocol",
            "2010-12-10",
            "Moscow",
            "2012-12-19",
            "csc-2010-12-10-moscow",
        ),
        (
            "csto-charter-amendment-protocol-2010",
            "protocol",
            "2010-12-10",
            "Moscow",
            "2012-12-19",
            "csc-2010-12-10-moscow",
        ),
        (
            "csc-anniversary-statement-2011",
            "statement",
            "2011-12-20",
            "Moscow",
            None,
            "csc-2011-12-20-moscow",
        ),
        (
            "csc-syria-statement-2017",
            "statement",
            "2017-11-30",
            "Minsk",
            None,
            "csc-2017-11-30-minsk",
        ),
        (
            "csto-information-security-agreement-2017",
            "agreement",
            "2017-11-30",
            "Minsk",
            None,
            "csc-2017-11-30-minsk",
        ),
        (
            "csc-anniversary-declaration-2017-draft",
            "declaration",
            None,
            None,
            None,
            "csc-2017-11-30-minsk",
        ),
        (
            "csc-declaration-2025",
            "declaration",
            "2025-11-27",
            "Bishkek",
            None,
            "csc-2025-11-27-bishkek",
        ),
        (
            "csc-anti-drug-strategy-2025",
            "decision",
            "2025-11-27",
            "Bishkek",
            None,
            "csc-2025-11-27-bishkek",
        ),
        (
            "csto-charter-second-protocol-2018",
            "protocol",
            "2018-11-08",
            "Astana",
            "2021-01-19",
            "csc-2018-11-08-astana",
        ),
        (
            "csto-legal-status-second-protocol-2018",
            "protocol",
            "2018-11-08",
            "Astana",
            "2021-01-19",
            "csc-2018-11-08-astana",
        ),
        ("csto-charter-fourth-protocol-2022", "protocol", "2022-08-26", None, None, None),
    ],
)
def test_documents_dates_places_and_sessions(
    documents, key, kind, signed, place, in_force, meeting
):
    doc = documents[key]
    assert (doc["kind"], doc["signed"], doc["place"], doc["in_force"], doc["meeting"]) == (
        kind,
        signed,
        place,
        in_force,
        meeting,
    )
    assert doc["citations"] and all(c["quote"] for c in doc["citations"])


def test_what_the_2010_protocols_change_is_stated_and_cited(documents):
    treaty = documents["cst-amendment-protocol-2010"]
    assert all(f"Article {n}" in treaty["note"] for n in (2, 4, 6))
    assert "beyond the parties' territory" in treaty["note"]
    assert any(
        c["source"] == "kremlin-12507" and "other forms of armed attack" in c["quote"]
        for c in treaty["citations"]
    )
    assert any(
        c["source"] == "parus-cp9w6"
        and c["quote"].startswith("изложить абзац второй статьи 2")
        and c["translation"]
        for c in treaty["citations"]
    )
    charter = documents["csto-charter-amendment-protocol-2010"]
    assert "extra-budgetary" in charter["note"] and "Article 1" in charter["note"]
    assert "No source here says it changed the consensus rule" in charter["note"]
    assert any(
        c["source"] == "businesspravo-180191" and "(ОДКБ)" in c["quote"]
        for c in charter["citations"]
    )


@pytest.mark.parametrize(
    "key, role, expected",
    [
        ("cst-amendment-protocol-2010", "ratification", {"KAZ": "2011-11-28"}),
        (
            "csto-charter-amendment-protocol-2010",
            "ratification",
            {"KAZ": "2011-11-28", "RUS": "2012-02-28"},
        ),
        (
            "csto-charter",
            "ratification",
            {
                "KAZ": "2003-07-01",
                "RUS": "2003-05-26",
                "ARM": "[2002-10-07..2003-09-18]",
                "BLR": "[2002-10-07..2003-09-18]",
                "KGZ": "[2002-10-07..2003-09-18]",
                "TJK": "[2002-10-07..2003-09-18]",
            },
        ),
        (
            "csto-legal-status-agreement",
            "ratification",
            {
                "KAZ": "2003-07-02",
                "RUS": "2003-05-26",
                "ARM": "[2002-10-07..2003-09-18]",
                "BLR": "[2002-10-07..2003-09-18]",
                "KGZ": "[2002-10-07..2003-09-18]",
                "TJK": "[2002-10-07..2003-09-18]",
            },
        ),
        ("csto-charter", "accession", {"UZB": "2008-03-28"}),
        ("csto-legal-status-agreement", "accession", {"UZB": "2008-03-28"}),
        ("cst-prolongation-protocol", "accession", {"UZB": "2008-03-28"}),
        ("uzb-csto-restoration-protocol", "ratification", {"UZB": "2006-12-13"}),
        (
            "csto-military-bases-protocol-2011",
            "ratification",
            {
                "RUS": "2012-11-12",
                "ARM": "[2011-12-20..2012-11-14]",
                "BLR": "[2011-12-20..2012-11-14]",
                "TJK": "[2011-12-20..2012-11-14]",
            },
        ),
        (
            "forces-means-agreement-2010",
            "signatory",
            {s: "2010-12-10" for s in ("ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK")},
        ),
        ("forces-means-agreement-2010", "non_signatory", {"UZB": "2010-12-10"}),
        ("csto-charter-second-protocol-2018", "ratification", {"RUS": "[2019-07-24..2021-01-21]"}),
        ("csto-charter-fourth-protocol-2022", "ratification", {"BLR": "[2022-08-26..2023-02-17]"}),
    ],
)
def test_ratifications_and_signatures_are_parties(documents, key, role, expected):
    assert parties(documents[key], role) == expected


def test_a_ratification_party_cites_its_law(documents):
    [kazakhstan] = [
        p
        for p in documents["csto-charter"]["parties"]
        if (p["party"], p["role"]) == ("KAZ", "ratification")
    ]
    assert kazakhstan["citations"] == [
        {
            "source": "zakonpravo-charter-2003",
            "quote": "The Law of the Republic of Kazakhstan dated July 1, 2003 No. 447.",
        }
    ]
    # a day no source gives is a range, marked inferred
    [armenia] = [
        p
        for p in documents["csto-charter"]["parties"]
        if (p["party"], p["role"]) == ("ARM", "ratification")
    ]
    assert armenia["inferred"] is True and not kazakhstan["inferred"]


def test_the_bases_protocol_has_its_formal_title_and_rule(documents):
    protocol = documents["csto-military-bases-protocol-2011"]
    assert protocol["title"].startswith("Protocol on the placement of military infrastructure")
    assert "in the absence of their official objections" in protocol["note"]
    assert {r["dispute"] for r in protocol["readings"]} >= {
        "moscow-2011-signed",
        "moscow-2011-bases-rule",
    }


# --- sessions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "year, session, adopted",
    [
        (
            "2010",
            "csc-2010-12-10-moscow",
            {
                "cst-amendment-protocol-2010",
                "csto-charter-amendment-protocol-2010",
                "forces-means-agreement-2010",
                "csto-peacekeeping-declaration-2010",
            },
        ),
        (
            "2011",
            "csc-2011-12-20-moscow",
            {"csc-anniversary-statement-2011", "csto-military-bases-protocol-2011"},
        ),
        (
            "2017",
            "csc-2017-11-30-minsk",
            {
                "csc-syria-statement-2017",
                "csc-security-strategy-plan-2017",
                "csto-information-security-agreement-2017",
                "csc-migration-decision-2017",
                "csc-anniversary-declaration-2017-draft",
                "csc-partnership-decision-2017-draft",
                "csc-karabakh-statement-2017-draft",
                "csc-defence-potential-statement-2017-draft",
                "csc-emblem-flag-decision-2017-draft",
                "csc-budget-2018-decision-draft",
            },
        ),
        (
            "2025",
            "csc-2025-11-27-bishkek",
            {
                "csc-declaration-2025",
                "csc-drug-trafficking-statement-2025",
                "csc-security-strategy-decision-2025",
                "csc-anti-drug-strategy-2025",
                "csc-information-image-decision-2025",
                "csc-military-cooperation-plan-2025",
                "csc-forces-command-amendment-2025",
                "csc-budget-2026-decision",
                "csc-budget-2024-report-decision-2025",
                "csc-secretariat-analytical-department-2025",
                "csc-medal-decision-2025",
            },
        ),
    ],
)
def test_sessions_of_the_year_list_what_they_adopted(built_db_url, year, session, adopted):
    sessions = {s["key"]: s for s in run_cli_json(built_db_url, "sessions", "--year", year)}
    assert {a["key"] for a in sessions[session]["adopted"]} == adopted


def test_the_sessions_table_counts_the_new_documents(built_db_url):
    lines = run_cli("sessions", "--year", "2010", db=built_db_url).stdout.splitlines()
    [moscow] = [line.split() for line in lines if line.startswith("2010-12-10")]
    assert moscow[:4] == ["2010-12-10", "regular", "Moscow", "4"]


# --- timelines -----------------------------------------------------------------------------


def events_of(built_db_url, iso3: str) -> dict[str, dict]:
    return {
        e["key"]: e for e in run_cli_json(built_db_url, "timeline", iso3) if e["entry"] == "event"
    }


@pytest.mark.parametrize(
    "iso3, key, kind, start, inferred",
    [
        ("KAZ", "kaz-charter-ratification-2003", "decision", "2003-07-01", False),
        ("KAZ", "kaz-legal-status-ratification-2003", "decision", "2003-07-02", False),
        ("KAZ", "kaz-treaty-protocol-ratification-2011", "decision", "2011-11-28", False),
        ("KAZ", "kaz-charter-protocol-ratification-2011", "decision", "2011-11-28", False),
        ("RUS", "rus-charter-legal-status-duma-2003", "decision", "2003-04-25", True),
        ("RUS", "rus-charter-legal-status-federation-council-2003", "decision", "2003-05-14", True),
        ("RUS", "rus-charter-ratification-2003", "decision", "2003-05-26", False),
        ("RUS", "rus-legal-status-ratification-2003", "decision", "2003-05-26", True),
        ("RUS", "csto-consensus-remark-2010", "statement", "2010-08-20", True),
        ("RUS", "rus-treaty-protocol-submitted-2011", "other", "2011-08-31", True),
        ("RUS", "rus-charter-protocol-duma-2012", "decision", "2012-02-15", False),
        ("RUS", "rus-charter-protocol-federation-council-2012", "decision", "2012-02-22", False),
        ("RUS", "rus-charter-protocol-ratification-2012", "decision", "2012-02-28", False),
        ("RUS", "rus-bases-protocol-federation-council-2012", "decision", "2012-10-31", True),
        ("RUS", "rus-bases-protocol-ratification-2012", "decision", "2012-11-12", False),
        ("RUS", "rus-charter-protocol-published-2013", "other", "2013-01-30", False),
        ("RUS", "rus-2018-protocols-duma-2019", "decision", "2019-07-24", False),
        ("UZB", "uzb-csto-restoration-decision-2006", "decision", "2006-06-23", False),
        ("UZB", "uzb-restoration-ratification-law-2006", "decision", "2006-12-13", True),
        ("UZB", "uzb-ratification-2008", "decision", "2008-03-28", False),
        ("ARM", "arm-csto-secretariat-no-notice-2024", "statement", "2024-02-23", True),
        ("ARM", "arm-csto-sg-no-statement-2024", "statement", "2024-03-28", True),
        ("ARM", "arm-csto-frozen-all-levels-2024", "statement", "2024-09", True),
        ("ARM", "arm-csto-peskov-no-intention-2025", "statement", "2025-01", True),
        ("ARM", "arm-csto-pankin-no-notification", "statement", "[2024-02-22..2025-12-31]", True),
    ],
)
def test_timelines_hold_the_new_events(built_db_url, iso3, key, kind, start, inferred):
    event = events_of(built_db_url, iso3)[key]
    assert (event["status"], event["start"], event["inferred"]) == (kind, start, inferred)
    assert event["citations"]
    assert bool(event["reasoning"]) is inferred


@pytest.mark.parametrize(
    "key, source, quote",
    [
        (
            "arm-csto-we-will-leave-2024",
            "panarmenian-314664",
            "Armenia will leave the Russian-led Collective Security Organization (CSTO), Prime Minister Nikol Pashinyan said on Wednesday, June 12, without giving any dates.",
        ),
        (
            "arm-csto-outside-2024",
            "meduza-2024-12-04",
            "“I believe we have passed the point of no return on this issue.”",
        ),
        (
            "arm-csto-bishkek-skipped-2025",
            "rferl-33606129",
            "“We do not participate [in CSTO summits,] but we do not hinder the adoption of decisions or documents either,” confirmed Safarian.",
        ),
        (
            "arm-csto-full-member-2025",
            "ria-2061491708",
            '"На сегодняшний день Армения остается полноправным членом ОДКБ , который сохраняет за собой все соответствующие права и обязательства.',
        ),
        (
            "arm-csto-leave-rather-than-unfreeze-2025",
            "laodong-1541532",
            "とパシニャン氏は7月16日の記者会見で述べました",
        ),
    ],
)
def test_armenias_held_events_gain_the_new_sources(built_db_url, key, source, quote):
    event = events_of(built_db_url, "ARM")[key]
    assert {"source": source, "quote": quote} in [
        {"source": c["source"], "quote": c["quote"]} for c in event["citations"]
    ]


def test_a_ratification_is_in_the_timeline_and_in_documents_alike(built_db_url, documents):
    event = events_of(built_db_url, "RUS")["rus-charter-protocol-ratification-2012"]
    party = parties(documents["csto-charter-amendment-protocol-2010"], "ratification")["RUS"]
    assert event["start"] == party == "2012-02-28"
    assert {r["value"] for r in event["readings"]} == {"2012-02-28", "2012-03-01"}


# --- disputes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def disputes(built_db_url) -> dict[str, dict]:
    return {d["key"]: d for d in run_cli_json(built_db_url, "disputes")}


# key: rule, preferred value, {value: sources}
DISPUTES = {
    "bishkek-2025-document-count": (
        "editorial",
        "15 documents",
        {
            "15 documents": {"24kg-352555", "24kg-352509"},
            "16 documents": {"dushanbetoday-871168791"},
            "19 documents prepared": {"newsru-ushakov-2025", "newspravda-am-23225"},
            "10 documents (the ministerial bodies, as drafts)": {"tass-ru-25744503"},
        },
    ),
    "minsk-2017-document-count": (
        "editorial",
        "21 documents",
        {
            "21 documents": {"vpoanalytics-2018-01-09"},
            "about two dozen documents": {"azatutyun-28889047"},
            "more than 20 draft documents": {"interfax-25625"},
        },
    ),
    "moscow-2011-bases-rule": (
        "source_rank",
        "A member decides to place troops or military infrastructure of states outside the CSTO on its territory after urgent consultations with the other members and in the absence of their official objections.",
        {
            "A member decides to place troops or military infrastructure of states outside the CSTO on its territory after urgent consultations with the other members and in the absence of their official objections.": {
                "garant-70257058"
            },
            "Only with the consent of all the members.": {
                "asiaplus-81951",
                "thehindu-2735791",
                "tass-666894",
            },
        },
    ),
    "moscow-2011-signed": (
        "source_rank",
        "2011-12-20",
        {
            "2011-12-20": {"garant-70257058", "thehindu-2735791", "asiaplus-81951"},
            "not signed": {"rferl-2011-12"},
        },
    ),
    "csto-established-2004": (
        "editorial",
        "2003-09-18",
        {
            "2003-09-18": {"odkb-gov-aengl", "tass-678014", "peacekeeper-7324"},
            "2004": {"kremlin-12507"},
        },
    ),
    "rus-charter-protocol-ratification-day": (
        "source_rank",
        "2012-02-28",
        {"2012-02-28": {"garant-70043468"}, "2012-03-01": {"kremlin-14635"}},
    ),
    "uzb-csto-restored-decision-or-protocol": (
        "editorial",
        "2006-08-16",
        {
            "2006-08-16": {"obozrevatel-2006", "tass-678014"},
            "2006-06-23": {"asiaplus-2006-06-26", "tass-685227"},
        },
    ),
    "uzb-restoration-ratified-when": (
        "editorial",
        "2006-12-13",
        {
            "2006-12-13": {"rian-56848596", "obozrevatel-2006"},
            "2008-03-28": {"ria-2008", "tass-685227"},
        },
    ),
    "uzb-cst-exit-year": (
        "source_rank",
        "1999-04-21",
        {
            "1999-04-21": {
                "protocol-1999-text",
                "gibler-2009",
                "atop-5.1-codesheet-phase1",
                "jamestown-1999",
            },
            "1998": {"lenta-2006", "obozrevatel-2006", "rian-56848596"},
            "1999": {"ria-2008", "narodinfo-46314"},
        },
    ),
    "arm-freeze-announcement-date": (
        "editorial",
        "2024-02-22",
        {
            "2024-02-22": {"kyivindependent-2024", "asbarez-2024", "smotrim-3819427"},
            "2024-12": {"aviapro-armenia-2025"},
        },
    ),
    "arm-we-will-leave-date": (
        "editorial",
        "2024-06-12",
        {"2024-06-12": {"panarmenian-314664"}, "2024-02": {"icloud-2024-09"}},
    ),
    "arm-budget-notice-year": (
        "editorial",
        "2024",
        {"2024": {"bakuinform-2024", "novosti-n-291418"}, "2025": {"tochka-armenia-budget"}},
    ),
}


@pytest.mark.parametrize("key", sorted(DISPUTES))
def test_disputes_keep_every_reading_with_its_sources(disputes, key):
    rule, preferred, readings = DISPUTES[key]
    dispute = disputes[key]
    assert (dispute["rule"], dispute["preferred"], dispute["disagreement"]) == (
        rule,
        preferred,
        True,
    )
    assert {r["value"]: set(r["sources"]) for r in dispute["readings"]} == readings
    assert dispute["reason"].strip()


@pytest.mark.parametrize(
    "key, fact, field",
    [
        ("bishkek-2025-document-count", "csc-2025-11-27-signing", "description"),
        ("minsk-2017-document-count", "csc-2017-11-30-signing", "description"),
        ("moscow-2011-bases-rule", "csto-military-bases-protocol-2011", "note"),
        ("csto-established-2004", "csto-charter", "in_force"),
        (
            "rus-charter-protocol-ratification-day",
            "csto-charter-amendment-protocol-2010:RUS:ratification",
            "acted",
        ),
        ("uzb-csto-restored-decision-or-protocol", "csto-uzb-member", "start"),
        (
            "uzb-restoration-ratified-when",
            "uzb-csto-restoration-protocol:UZB:ratification",
            "acted",
        ),
        ("arm-budget-notice-year", "arm-csto-budget-notice-2024", "happened"),
    ],
)
def test_a_dispute_is_about_the_fact_that_holds_its_preferred_reading(
    built_db_url, disputes, key, fact, field
):
    assert {"fact": fact, "field": field} in disputes[key]["subjects"]
    evidence = run_cli_json(built_db_url, "evidence", fact)
    preferred = {
        r["value"]
        for r in evidence["readings"]
        if r["field"] == field and r["dispute"] == key and r["preferred"]
    }
    assert preferred == {disputes[key]["preferred"]}


def test_the_signing_holds_the_preferred_count(built_db_url):
    [signing] = run_cli_json(
        built_db_url,
        "sql",
        "SELECT description FROM events WHERE events.key = 'csc-2025-11-27-signing'",
    )
    assert signing["description"] == "15 documents"


def test_the_built_database_passes_check(built_db_url):
    assert run_cli_json(built_db_url, "check") == {"ok": True, "problems": []}
