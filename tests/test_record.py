"""The record of 1992–2026: sessions, the chair, the Secretaries-General, the forces and
operations, observers, Armenia; verbatim quotes, disputes, and answers at the edges of spans."""

from collections import Counter
from datetime import date
from itertools import pairwise

import pytest
from sqlalchemy import select

from csto_db.answers import evidence, membership, record
from csto_db.answers.evidence import citations_for
from csto_db.answers.timeline import timeline
from csto_db.errors import QueryError
from csto_db.models import (
    BodyObserver,
    ChairSpan,
    Document,
    DocumentParty,
    Event,
    Meeting,
    MembershipSpan,
    OfficeTerm,
    Organization,
)


def day(text: str) -> date:
    return date.fromisoformat(text)


def quotes_of(connection, key: str) -> set[tuple[str, str]]:
    return {(q.source, q.quote) for q in citations_for(connection, [key])[key]}


# --- Each kind of fact, with its verbatim quote --------------------------------------------


@pytest.mark.parametrize(
    "key,source,quote",
    [
        (
            "csc-2002-05-14-moscow",
            "kremlin-27071",
            "The decision was taken by the Presidents of Russia, Armenia, Belarus, Kazakhstan, "
            "Kyrgyzstan and Tajikistan at the Moscow session of the Collective Security Council "
            "which was chaired by Russian President Vladimir Putin.",
        ),
        (
            "csc-2005-06-23-moscow",
            "kremlin-23053",
            "Press Conference at the End of a Session of the Collective Security Council of the "
            "Collective Security Treaty Organisation  June 23, 2005, Grand Kremlin Palace, Moscow",
        ),
        (
            "csc-2012-05-15-moscow",
            "asiaplus-2012-05-11",
            "Внеочередная юбилейная сессия Совета коллективной безопасности (СКБ) ОДКБ, "
            "приуроченная к 20-летию подписания Договора о коллективной безопасности и 10-летию "
            "создания ОДКБ … пройдут 15 мая в Москве.",
        ),
        (
            "csto-2014-05-08-moscow",
            "embedy-2014-05-08",
            "Сегодня, 8 мая, в Москве прошла неформальная встреча глав государств, входящих в "
            "Организацию договора о коллективной безопасности.",
        ),
        (
            "csc-declaration-2022-draft",
            "horizonweekly-2022-11",
            "Armenian prime minister Nikol Pashinyan has refused to sign a draft declaration of "
            "the Moscow-led Collective Security Treaty Organization’s (CSTO) Collective Security "
            "Council and a draft of joint assistance measures for Armenia",
        ),
        (
            "chair-blr-2006",
            "asiaplus-2022-05-17",
            "The Chairman of the Council (hereinafter - the Chairman) is the head of state on "
            "whose territory the regular session of the Council is held, unless the Council "
            "decides otherwise.  His rights and obligations remain with him until the next "
            "regular session of the Council.",
        ),
        ("chair-blr-2010", "csto-overview", "during its presidency of the CSTO in 2011"),
        (
            "chair-blr-2010",
            "sb-2011",
            "Belarus chairs Collective Security Treaty Organisation in 2011",
        ),
        (
            "chair-blr-2010",
            "liquisearch",
            "On December 21, 2011 … Kazakhstan took over the rotating presidency of the CSTO "
            "from Belarus.",
        ),
        (
            "sg-bordyuzha",
            "tass-923635",
            "The term of CSTO Secretary-General Nikolai Bordyuzha expired on December 31, 2016.",
        ),
        (
            "sg-tasmagambetov",
            "deu-belta-tasmagambetov",
            "Im Rahmen einer geplanten Rotation haben die Staatsoberhäupter beschlossen, Imangali "
            "Tasmagambetow, einen Vertreter Kasachstans, ab dem 1. Januar 2023 für einen Zeitraum "
            "von drei Jahren zum OVKS-Generalsekretär zu ernennen",
        ),
        (
            "council-sg-nikolayenko",
            "wps-2001-05-04",
            "General Secretary of the Collective Security Council (CSC) Valery Nikolaenko",
        ),
        (
            "crdf-car:KAZ",
            "afnfn-8423",
            "будут сформированы с участием России, Казахстана, Киргизии и Таджикистана",
        ),
        (
            "csto-kazakhstan-2022:ARM",
            "jamnews-2022-01-10",
            "There are 100 Armenian servicemen among the peacekeepers sent to Kazakhstan.",
        ),
        (
            "pa-observer-serbia",
            "parlament-rs-2025",
            "the National Assembly of the Republic of Serbia has observer status in the "
            "Parliamentary Assembly of the Collective Security Treaty Organisation",
        ),
        (
            "PA-CSTO",
            "council-gov-ru-pa",
            "Provisional Regulations on the Parliamentary Assembly of the Collective Security "
            "Treaty Organisation dated 30 March 2007",
        ),
        (
            "csto-observer-regulation",
            "republicworld-2022",
            "since last year, the institutes of an observer to the CSTO and a partner of the "
            "CSTO began to operate in our organization",
        ),
        (
            "arm-csto-leave-rather-than-unfreeze-2025",
            "newspravda-pt-2025-07-16",
            "É mais provável que deixemos a CSTO do que desbloqueemos nossa filiação a esta "
            "organização.",
        ),
        (
            "csc-2022-10-28-videoconference",
            "primeminister-am-2022-10-28",
            "Une réunion extraordinaire du Conseil de sécurité collective de l'OTSC a été "
            "présidée par le Premier ministre Nikol Pashinyan par vidéoconférence.",
        ),
        (
            "csc-2009-06-14-moscow",
            "armenianclub-2009-06-15",
            '"In the absence of our Belarusian partners, we have made a decision to pass '
            'temporary presidency to Russia as the country hosting the summit," Medvedev said.',
        ),
    ],
)
def test_each_kind_of_fact_carries_its_verbatim_quote(connection, key, source, quote):
    assert (source, quote) in quotes_of(connection, key)


def test_a_gloss_is_a_translation_not_part_of_the_quote(connection):
    [quote] = [
        q
        for q in citations_for(connection, ["arm-csto-full-member-2025"])[
            "arm-csto-full-member-2025"
        ]
        if q.source == "haqqin-368808" and "Армения" in q.quote
    ]
    assert quote.quote.startswith("«Армения остается") and "[" not in quote.quote
    assert quote.translation == (
        "Armenia remains a full member of the CSTO retaining all rights and obligations."
    )


# --- Sessions ------------------------------------------------------------------------------


def test_sessions_by_kind(connection):
    kinds = Counter(s.kind for s in record.sessions(connection))
    assert kinds == {"regular": 31, "extraordinary": 6, "informal": 7, "unspecified": 1}


@pytest.mark.parametrize(
    "year,expected",
    [
        (1992, []),  # the Regulations were agreed at a CIS meeting, not a Council session
        (2002, ["csc-2002-05-14-moscow", "csc-2002-10-07-chisinau"]),
        (2009, ["csc-2009-02-04-moscow", "csc-2009-06-14-moscow", "csto-2009-07-31-cholpon-ata"]),
        (2016, ["csc-2016-10-14-yerevan", "csc-2016-12-26-saint-petersburg"]),
        (
            2022,
            [
                "csc-2022-01-10-videoconference",
                "csc-2022-05-16-moscow",
                "csc-2022-09-13-videoconference",
                "csc-2022-10-28-videoconference",
                "csc-2022-11-23-yerevan",
            ],
        ),
        (1996, []),
    ],
)
def test_sessions_of_a_year_in_date_order(connection, year, expected):
    assert [s.key for s in record.sessions(connection, year)] == expected


@pytest.mark.parametrize(
    "key,kind,presided_by,adopted",
    [
        ("csc-2002-05-14-moscow", "regular", "RUS", []),
        ("csc-2009-02-04-moscow", "extraordinary", "ARM", ["csc-crrf-decision-2009"]),
        ("csc-2009-06-14-moscow", "regular", "RUS", ["crrf-agreement-2009"]),
        (
            "csc-2002-10-07-chisinau",
            "regular",
            None,
            ["csto-charter", "csto-legal-status-agreement"],
        ),
        ("csc-1999-04-02-moscow", "regular", None, ["cst-prolongation-protocol"]),
        (
            "csc-2018-11-08-astana",
            "regular",
            None,
            [
                "csto-charter-second-protocol-2018",
                "csto-charter-third-protocol-2018",
                "csto-legal-status-second-protocol-2018",
            ],
        ),
        (
            "csc-2022-05-16-moscow",
            "unspecified",
            None,
            ["csc-anniversary-statement-2022", "csc-kazakhstan-award-decision-2022"],
        ),
        ("csto-2010-08-20-yerevan", "informal", "RUS", []),
    ],
)
def test_a_session_its_kind_chair_and_documents(connection, key, kind, presided_by, adopted):
    [session] = [s for s in record.sessions(connection) if s.key == key]
    data = session.to_dict()
    assert {"date", "place", "kind", "presided_by", "adopted", "citations"} <= set(data)
    assert (data["kind"], data["presided_by"]) == (kind, presided_by)
    assert sorted(a["key"] for a in data["adopted"]) == adopted
    assert data["citations"]


def test_non_sessions_are_documents_and_events_not_meetings(connection):
    held = {
        row.held_edtf
        for row in connection.execute(select(Meeting).where(Meeting.body_code == "CSC"))
    }
    assert not held & {"1992-05-15", "1993-12-24", "2006-08-16", "2022-01-06"}
    decision = connection.execute(
        select(Document).where(Document.key == "csc-kazakhstan-decision-2022")
    ).one()
    assert (decision.signed_edtf, decision.meeting_key) == ("2022-01-06", None)
    geo = connection.execute(
        select(Event).where(Event.key == "geo-csc-regulations-signature-1993")
    ).one()
    assert (geo.happened_edtf, geo.place, geo.state_iso3) == ("1993-12-24", "Ashgabat", "GEO")


def test_sessions_from_one_source(connection):
    assert [s.key for s in record.sessions(connection, source="kremlin-44970")] == [
        "csc-2009-06-14-moscow"
    ]
    # liquisearch dates the Moscow summit of December 2011 a day later
    [moscow] = [s for s in record.sessions(connection, 2011, source="liquisearch")]
    assert (moscow.key, moscow.date) == ("csc-2011-12-20-moscow", "2011-12-21")


def test_sessions_of_an_unknown_source_are_refused(connection):
    with pytest.raises(QueryError, match="unknown source"):
        record.sessions(connection, source="no-such-source")


@pytest.mark.parametrize(
    "document,state,role",
    [
        ("crrf-agreement-2009", "BLR", "non_signatory"),
        ("crrf-agreement-2009", "UZB", "non_signatory"),
        ("crrf-agreement-2009", "KAZ", "signatory"),
        ("forces-means-agreement-2010", "UZB", "non_signatory"),
        ("csc-armenia-assistance-2022-draft", "ARM", "non_signatory"),
        ("csc-declaration-2022-draft", "ARM", "non_signatory"),
        ("csc-regulations-agreement-1992", "GEO", "signatory"),
    ],
)
def test_who_signed_and_who_did_not(connection, document, state, role):
    assert (
        connection.execute(
            select(DocumentParty.key).where(
                DocumentParty.document_key == document,
                DocumentParty.state_iso3 == state,
                DocumentParty.role == role,
            )
        ).first()
        is not None
    )


# --- The chair -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on,expected",
    [
        # Kazakhstan, 18 June 2004 to the session of 23 June 2005; no chair stated after it
        ("2004-06-17", []),
        ("2004-06-18", [("KAZ", "certain")]),
        ("2005-06-22", [("KAZ", "certain")]),
        ("2005-06-23", []),
        ("2006-01-01", []),
        # 2007: October (UzDaily) against June (a Wikipedia copy)
        ("2007-05-31", [("BLR", "certain")]),
        ("2007-06-15", [("BLR", "disputed")]),
        ("2007-10-05", [("BLR", "disputed")]),
        ("2007-10-06", [("KGZ", "certain")]),
        # 2011: 20 December against 21 December
        ("2011-12-19", [("BLR", "certain")]),
        ("2011-12-20", [("KAZ", "disputed")]),  # Belarus only by the 21st: contested
        ("2011-12-21", [("KAZ", "certain")]),
        # handed over at a ministerial meeting the day before the session
        ("2014-12-21", [("RUS", "certain")]),
        ("2014-12-22", [("TJK", "certain")]),
        # Russia to Tajikistan: only "in 2021", between the session of 2 Dec 2020 and 1 Jan 2021
        ("2019-11-27", [("KGZ", "certain")]),
        ("2019-11-28", [("RUS", "certain")]),
        ("2019-12-31", [("RUS", "certain")]),
        ("2020-01-01", [("RUS", "certain")]),
        ("2020-12-01", [("RUS", "certain")]),
        ("2020-12-15", [("RUS", "possible"), ("TJK", "possible")]),
        ("2021-01-01", [("TJK", "certain")]),
        # Belarus from 24 November 2022 (berezino.by) or in 2023 (belarus.by)
        ("2022-11-23", [("ARM", "certain")]),
        ("2022-11-24", [("BLR", "disputed")]),  # Armenia only "in 2023": contested
        ("2022-12-31", [("BLR", "disputed")]),
        ("2023-01-01", [("BLR", "certain")]),
        # by calendar year from 2024
        ("2023-12-31", [("BLR", "certain")]),
        ("2024-01-01", [("KAZ", "certain")]),
        ("2024-12-31", [("KAZ", "certain")]),
        ("2025-01-01", [("KGZ", "certain")]),
        ("2025-12-31", [("KGZ", "certain")]),
        ("2026-01-01", [("RUS", "certain")]),
    ],
)
def test_chair_on_a_day(connection, on, expected):
    assert [(c.state, c.certainty) for c in record.chair_on(connection, day(on))] == expected


@pytest.mark.parametrize(
    "on,source,expected",
    [
        ("2007-07-01", "liquisearch", [("KGZ", "certain")]),
        ("2007-07-01", "uzdaily-jubilee-2007", [("BLR", "certain")]),
        # "in 2023", read from 1 January 2023
        ("2022-12-01", "belarus-by-2023", [("ARM", "certain")]),
        ("2023-06-01", "belarus-by-2023", [("BLR", "certain")]),
        # "2022–2023" (PA CSTO): a range that leaves the first days possible
        ("2022-06-01", "pacsto-yerevan-2022", [("ARM", "possible"), ("BLR", "possible")]),
        ("2011-06-01", "sb-2011", [("BLR", "certain")]),
        ("2011-06-01", "csto-overview", [("BLR", "certain")]),
    ],
)
def test_chair_on_a_day_from_one_source(connection, on, source, expected):
    chairs = record.chair_on(connection, day(on), source=source)
    assert [(c.state, c.certainty) for c in chairs] == expected


@pytest.mark.parametrize(
    "on,listed,contested",
    [
        ("2007-06-15", "BLR", "KGZ"),  # Kyrgyzstan from June 2007 only by the copy of Wikipedia
        ("2011-12-20", "KAZ", "BLR"),
        ("2022-11-24", "BLR", "ARM"),
    ],
)
def test_a_contested_chair_is_returned_only_when_asked(connection, on, listed, contested):
    assert [c.state for c in record.chair_on(connection, day(on))] == [listed]
    terms = {c.state: c for c in record.chair_on(connection, day(on), contested=True)}
    assert set(terms) == {listed, contested}
    assert (terms[listed].contested, terms[contested].contested) == (False, True)
    assert any(not r.preferred for r in terms[contested].readings)
    answer = record.chair_answer(list(terms.values()), day(on))
    assert answer.state == listed  # a contested term is a candidate, never the answer
    assert [c.contested for c in answer.candidates].count(True) == 1


def test_a_disputed_chair_carries_its_readings(connection):
    blr, _kaz = record.chair_on(connection, day("2011-12-20"), contested=True)
    data = blr.to_dict()
    assert {"state", "start", "end", "certainty", "citations"} <= set(data)
    assert {r["value"] for r in data["readings"]} == {"2011-12-20", "2011-12-21"}
    assert {r["dispute"] for r in data["readings"]} == {"moscow-2011-date"}


def test_chair_of_an_unknown_organization_is_refused(connection):
    with pytest.raises(QueryError, match="unknown organization"):
        record.chair_on(connection, day("2010-01-01"), org="NATO")


def _spans_do_not_overlap(rows) -> list[tuple[str, str]]:
    rows = sorted(rows, key=lambda r: r.start_lower)
    return [
        (a.key, b.key)
        for a, b in pairwise(rows)
        if a.end_lower is None or a.end_lower > b.start_lower
    ]


def test_chair_spans_do_not_overlap_and_none_before_2004(connection):
    rows = connection.execute(select(ChairSpan).where(ChairSpan.organization_code == "CSTO")).all()
    assert len(rows) == 21
    assert _spans_do_not_overlap(rows) == []
    assert min(r.start_lower for r in rows) == day("2004-06-18")


# --- Officers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "on,expected",
    [
        ("1995-01-01", [("Valery Nikolayenko", False, "possible")]),
        ("2001-04-15", [("Valery Nikolayenko", False, "possible")]),
        ("2003-04-27", [("Valery Nikolayenko", False, "possible")]),
        ("2003-04-28", [("Nikolai Bordyuzha", False, "certain")]),
        ("2016-12-31", [("Nikolai Bordyuzha", False, "certain")]),
        ("2017-01-01", [("Valery Semerikov", True, "certain")]),
        ("2017-03-31", [("Valery Semerikov", True, "certain")]),
        # Khachaturov from 2 May 2017, or "in April 2017" (Belsat)
        # (Khachaturov, whom only Belsat's April puts in office, is contested)
        ("2017-04-15", [("Valery Semerikov", True, "disputed")]),
        ("2017-05-01", [("Valery Semerikov", True, "disputed")]),
        ("2017-05-02", [("Yuri Khachaturov", False, "certain")]),
        ("2018-11-01", [("Yuri Khachaturov", False, "certain")]),
        ("2018-11-02", [("Valery Semerikov", True, "certain")]),
        ("2019-12-31", [("Valery Semerikov", True, "certain")]),
        ("2020-01-01", [("Stanislav Zas", False, "certain")]),
        ("2022-12-31", [("Stanislav Zas", False, "certain")]),
        ("2023-01-01", [("Imangali Tasmagambetov", False, "certain")]),
        ("2025-12-31", [("Imangali Tasmagambetov", False, "certain")]),
        ("2026-01-01", [("Taalatbek Masadykov", False, "certain")]),
    ],
)
def test_officials_on_a_day(connection, on, expected):
    officials = record.officials_on(connection, day(on))
    assert [(o.person, o.acting, o.certainty) for o in officials] == expected


@pytest.mark.parametrize(
    "key,nationality,appointed,meeting",
    [
        ("sg-bordyuzha", "RUS", "2003-04-28", "csc-2003-04-28-dushanbe"),
        ("sg-khachaturov", "ARM", "2017-04-14", None),
        ("sg-zas", "BLR", "2019-11-28", "csc-2019-11-28-bishkek"),
        ("sg-tasmagambetov", "KAZ", "2022-11-23", "csc-2022-11-23-yerevan"),
        ("sg-masadykov", "KGZ", "2025-11-27", "csc-2025-11-27-bishkek"),
        ("council-sg-nikolayenko", None, None, None),
    ],
)
def test_officers_nationality_and_appointment(connection, key, nationality, appointed, meeting):
    row = connection.execute(select(OfficeTerm).where(OfficeTerm.key == key)).one()
    assert (row.nationality_iso3, row.appointed_edtf, row.appointed_meeting_key) == (
        nationality,
        appointed,
        meeting,
    )


def test_official_json_keys_and_the_council_secretary_general(connection):
    [nikolayenko] = record.officials_on(connection, day("2001-04-15"))
    data = nikolayenko.to_dict()
    assert {
        "office",
        "person",
        "nationality",
        "acting",
        "start",
        "end",
        "certainty",
        "citations",
    } <= set(data)
    assert (data["office"], data["start"], data["end"]) == (
        "council_secretary_general",
        "[1992-05-15..2001-04]",
        "[2001-04..2003-04-28]",
    )
    assert data["acting"] is False and nikolayenko.inferred


def test_terms_of_one_office_do_not_overlap(connection):
    rows = connection.execute(
        select(OfficeTerm).where(OfficeTerm.office == "secretary_general")
    ).all()
    assert len(rows) == 7
    assert _spans_do_not_overlap(rows) == []


# --- Forces and operations -----------------------------------------------------------------


def test_operations_json_and_kazakhstan(connection):
    listed = [o.to_dict() for o in record.operations(connection)]
    for operation in listed:
        assert {
            "key",
            "title",
            "host",
            "decided",
            "start",
            "end",
            "contributors",
            "strength",
            "citations",
        } <= set(operation)
    kazakhstan, armenia = listed
    assert (
        kazakhstan["host"],
        kazakhstan["decided"],
        kazakhstan["start"],
        kazakhstan["end"],
        kazakhstan["strength"],
    ) == ("KAZ", "2022-01-06", "2022-01-06", "2022-01-19", 2030)
    assert kazakhstan["contributors"] == ["ARM", "BLR", "KGZ", "RUS", "TJK"]
    assert kazakhstan["personnel"] == {"ARM": 100}
    assert kazakhstan["commander"] == "Colonel General Andrei Serdyukov"
    assert (armenia["key"], armenia["kind"], armenia["contributors"], armenia["start"]) == (
        "csto-mission-armenia-2022",
        "mission",
        [],
        "2022-09-15",
    )


@pytest.mark.parametrize(
    "source,strength,end",
    [
        ("qazaqtv-2022-01", "about 2000", "2022-01-19"),
        ("morningexpress-2022-01", "about 2500", "2022-01-19"),
        ("pakistankakhudahafiz-2022-01", 2030, "2022-01-22"),
        ("kursiv-2022-01-19", 2030, "2022-01-19"),
    ],
)
def test_an_operation_as_one_source_tells_it(connection, source, strength, end):
    [operation] = record.operations(connection, source=source)
    assert (operation.strength, operation.end) == (strength, end)


@pytest.mark.parametrize(
    "key,event_kind,happened",
    [
        ("kaz-csto-request-2022", "request", "2022-01-05"),
        ("kaz-csto-mission-completed-2022", "statement", "2022-01-11"),
        ("kaz-csto-withdrawal-started-2022", "other", "2022-01-13"),
    ],
)
def test_the_kazakhstan_deployment_events(connection, key, event_kind, happened):
    row = connection.execute(select(Event).where(Event.key == key)).one()
    assert (row.kind, row.happened_edtf, row.state_iso3) == (event_kind, happened, "KAZ")


def test_forces_and_their_contributors(connection):
    from csto_db.models import Contribution, Force

    forces = {f.key: f for f in connection.execute(select(Force)).all()}
    assert {k: (f.kind, f.established_edtf, f.nominal_strength) for k, f in forces.items()} == {
        "crdf-car": ("rapid_deployment", "2001-05-25", 1500),
        "cpf": ("peacekeeping", "2007-10-06", 3600),
        "crrf": ("rapid_reaction", "2009-02-04", None),
    }
    states = connection.execute(
        select(Contribution.state_iso3)
        .where(Contribution.force_key == "crdf-car")
        .order_by(Contribution.state_iso3)
    ).scalars()
    assert list(states) == ["KAZ", "KGZ", "RUS", "TJK"]


# --- Bodies and statuses -------------------------------------------------------------------


def test_parliamentary_assembly_and_its_observers_are_parliaments(connection):
    assembly = connection.execute(select(Organization).where(Organization.code == "PA-CSTO")).one()
    assert (assembly.kind, assembly.parent_code) == ("organ", "CSTO")
    observers = connection.execute(select(BodyObserver).order_by(BodyObserver.key)).all()
    assert [(o.body_code, o.state_iso3, o.start_edtf) for o in observers] == [
        ("PA-CSTO", "AFG", "2013-04"),
        ("PA-CSTO", "SRB", "2013-04"),
        ("PA-CSTO", None, "2013"),
    ]
    created = connection.execute(select(Event).where(Event.key == "pa-csto-created-2006")).one()
    assert (created.happened_edtf, created.organization_code) == ("2006-11-16", "PA-CSTO")


def test_no_state_holds_observer_or_partner_status_at_the_csto(connection):
    assert (
        connection.execute(
            select(MembershipSpan.key).where(MembershipSpan.status == "observer")
        ).first()
        is None
    )
    protocol = connection.execute(
        select(Document).where(Document.key == "csto-charter-third-protocol-2018")
    ).one()
    assert (protocol.signed_edtf, protocol.place, protocol.in_force_edtf) == (
        "2018-11-08",
        "Astana",
        "2021-01-19",
    )
    for key in ("csto-observer-regulation", "csto-partner-regulation"):
        row = connection.execute(select(Document).where(Document.key == key)).one()
        assert row.kind == "regulations" and "No state has been granted" in row.note
        assert "republicworld-2022" in {source for source, _ in quotes_of(connection, key)}


# --- Disputes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key,preferred,disagreement",
    [
        ("crrf-decision-date", "2009-02-04", True),
        ("crrf-agreement-date", "2009-06-14", True),
        ("charter-signed-day", "2002-10-07", True),
        ("minsk-2000-date", "2000-05-24", False),
        ("first-session-outside-moscow", "Almaty", True),
        ("yerevan-2001-date", "2001-05-25", True),
        ("chair-2007-handover", "2007-10-06", True),
        ("moscow-2011-date", "2011-12-20", True),
        ("moscow-2011-signed", "2011-12-20", True),
        ("moscow-2011-kind", "regular", True),
        ("dushanbe-2015-date", "2015-09-15", False),
        ("moscow-2022-kind", "unspecified", True),
        ("cst-signature-place-2022-claim", "Tashkent", True),
        ("cst-signature-date-2022-claim", "1992-05-15", True),
        ("csto-decision-date-2022-claim", "2002-05-14", True),
        ("chair-blr-2022-start", "2022-11-24", True),
        ("minsk-2023-next-meeting", "CSC", True),
        ("khachaturov-appointment", "2017-04-14", True),
        (
            "june-2009-legitimacy",
            "Taken by the members present, with the presidency passed temporarily to Russia.",
            True,
        ),
        ("bordyuzha-birth-year", "1948", True),
        ("khachaturov-start", "2017-05-02", True),
        ("tasmagambetov-appointment", "2022-11-23", True),
        ("kazakhstan-decision-date", "2022-01-06", True),
        ("kazakhstan-strength", "2030", True),
        ("kazakhstan-withdrawal", "2022-01-19", True),
        ("pa-observers-body", "PA-CSTO", True),
        ("third-protocol-in-force", "2021-01-19", True),
        ("arm-funding-stop-date", "2024-05-08", True),
        ("arm-point-of-no-return-date", "2024-12-04", True),
        ("arm-freeze-legal-status", "frozen", True),
    ],
)
def test_the_conflicts_of_the_record_are_disputes(connection, key, preferred, disagreement):
    [dispute] = [
        d.to_dict() for d in evidence.disputes(connection, include_refinements=True) if d.key == key
    ]
    assert dispute["preferred"] == preferred
    assert dispute["disagreement"] is disagreement
    assert len(dispute["readings"]) >= 2
    assert all(r["citations"] for r in dispute["readings"])
    assert dispute["rule"] in ("source_rank", "precision", "editorial") and dispute["reason"]


@pytest.mark.parametrize(
    "fact,field,value",
    [
        ("csc-2011-12-20-moscow", "held", "2011-12-20"),
        ("chair-kaz-2011", "start", "2011-12-20"),
        ("chair-blr-2022", "start", "2022-11-24"),
        ("sg-khachaturov", "start", "2017-05-02"),
        ("csto-kazakhstan-2022", "end", "2022-01-19"),
    ],
)
def test_a_disputed_field_holds_the_preferred_reading(connection, fact, field, value):
    readings = evidence.evidence(connection, fact).readings
    preferred = {r.value for r in readings if r.field == field and r.preferred}
    assert preferred == {value}


# --- Armenia -------------------------------------------------------------------------------


ARMENIA_EVENTS = [
    ("arm-csto-consultations-2021", "decision", "2021-05-13"),
    ("arm-csto-letters-2021", "request", "2021-05-14"),
    ("arm-csto-aid-request-2022", "request", "2022-09-13"),
    ("arm-csto-yerevan-refusal-2022", "refusal", "2022-11-23"),
    ("arm-csto-exercises-refused-2023", "refusal", "2023-01-10"),
    ("arm-csto-deputy-sg-quota-2023", "refusal", "2023-03-10"),
    ("arm-csto-representative-recalled-2023", "other", "2023-09"),
    ("arm-csto-minsk-skip-announced-2023", "statement", "2023-11-14"),
    ("arm-csto-minsk-skipped-2023", "refusal", "2023-11-23"),
    ("arm-pa-csto-boycott-2023", "refusal", "2023-12-19"),
    ("arm-csto-budget-notice-2024", "notification", "2024"),
    ("arm-csto-we-will-leave-2024", "statement", "2024-06-12"),
    ("arm-csto-mirzoyan-2024", "statement", "2024-06"),
    ("arm-csto-no-return-warning-2024", "statement", "2024-09"),
    ("arm-csto-astana-skipped-2024", "refusal", "2024-11-28"),
    ("arm-csto-outside-2024", "statement", "2024-12-04"),
    ("arm-csto-no-withdrawal-notice-2025", "statement", "2025-03-07"),
    ("arm-csto-statements-demanded-2025", "request", "2025-06"),
    ("arm-csto-leave-rather-than-unfreeze-2025", "statement", "2025-07-16"),
    ("arm-csto-bubble-2025", "statement", "2025-10-01"),
    ("arm-csto-exit-not-on-agenda-2025", "statement", "2025-11-26"),
    ("arm-csto-bishkek-skipped-2025", "refusal", "2025-11-27"),
    ("arm-csto-full-member-2025", "statement", "2025-12-11"),
    ("arm-csto-unfreezing-unlikely-2026", "statement", "[2026-01-18..2026-01-20]"),
    ("arm-csto-obligations-refused-2026", "statement", "2026-01-28"),
]


@pytest.fixture
def armenia(connection):
    return {e.key: e for e in timeline(connection, "ARM")}


@pytest.mark.parametrize("key,event_kind,happened", ARMENIA_EVENTS)
def test_armenias_events_are_in_its_timeline(armenia, key, event_kind, happened):
    entry = armenia[key]
    assert (entry.entry, entry.status, entry.start) == ("event", event_kind, happened)
    assert entry.citations


def test_armenias_timeline_is_in_date_order_and_holds_its_chairs(connection, armenia):
    entries = timeline(connection, "ARM")
    assert [e.sort_date for e in entries] == sorted(e.sort_date for e in entries)
    chairs = sorted(k for k, e in armenia.items() if e.entry == "chair")
    assert chairs == ["chair-arm-2008", "chair-arm-2015", "chair-arm-2021"]
    assert armenia["chair-arm-2021"].end == "2022-11-24"
    # the freeze and the stop of contributions are recorded once each
    on_day = Counter((e.start, e.status) for e in armenia.values() if e.entry == "event")
    assert on_day[("2024-02-22", "freeze")] == 1
    assert on_day[("2024-05-08", "statement")] == 1


@pytest.mark.parametrize("on", ["2024-02-22", "2025-12-11", "2026-01-28"])
def test_armenia_remains_a_member_through_its_freeze(connection, on):
    members = {m.state: m for m in membership.members_on(connection, "CSTO", day(on))}
    assert "ARM" in members and members["ARM"].until is None


def test_the_chair_is_in_a_timeline_from_one_source(connection):
    entries = timeline(connection, "KAZ", source="odkb-csto-session-2023")
    assert [(e.entry, e.key) for e in entries] == [("chair", "chair-kaz-2024")]


@pytest.mark.parametrize(
    "source,appointed",
    [(None, "2017-04-14"), ("vpk-179521", "2017-04-14"), ("azatutyun-2017-khachaturov", "2017-05")],
)
def test_an_official_in_one_sources_view_carries_its_appointment_day(connection, source, appointed):
    [khachaturov] = [
        o
        for o in record.officials_on(connection, day("2018-01-01"), source=source)
        if o.person == "Yuri Khachaturov"
    ]
    assert khachaturov.appointed == appointed
