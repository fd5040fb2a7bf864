"""Every claim of the founding overview's inventory is in the database, cited from the
overview itself, with inferred facts flagged; the overview's own view stays as it says."""

from datetime import date

import pytest
from sqlalchemy import text

from csto_db.answers.documents import documents, initiatives
from csto_db.answers.membership import members_on

OVERVIEW = "csto-overview"


def overview_quotes(connection, fact_key):
    """The overview's quotes behind one fact."""
    return (
        connection.execute(
            text(
                "SELECT c.quote FROM fact_citations fc JOIN citations c ON c.key = fc.citation_key "
                "WHERE fc.fact_key = :key AND c.source_key = :source"
            ),
            {"key": fact_key, "source": OVERVIEW},
        )
        .scalars()
        .all()
    )


def row(connection, sql, **params):
    found = connection.execute(text(sql), params).mappings().all()
    assert len(found) == 1, f"expected one row for {sql} {params}, got {len(found)}"
    return found[0]


def overview_document(connection, key):
    return next(d.to_dict() for d in documents(connection, source=OVERVIEW) if d.key == key)


def test_claim_01_treaty_signed_in_tashkent_by_six(connection):
    treaty = overview_document(connection, "cst")
    assert (treaty["signed"], treaty["place"]) == ("1992-05-15", "Tashkent")
    signatories = {p["party"] for p in treaty["parties"] if p["role"] == "signatory"}
    assert signatories == {"ARM", "KAZ", "KGZ", "RUS", "TJK", "UZB"}
    assert all(p["date"] == "1992-05-15" for p in treaty["parties"] if p["role"] == "signatory")
    assert any("by the Heads of six countries" in q for q in overview_quotes(connection, "cst"))


@pytest.mark.parametrize("iso3", ["AZE", "GEO", "BLR"])
def test_claim_02_three_joined_subsequently_with_inferred_bounds(connection, iso3):
    on = date(1995, 1, 1)
    member = next(m for m in members_on(connection, "CST", on, source=OVERVIEW) if m.state == iso3)
    assert member.since == "[1992-05-15..1999-04]"
    assert member.certainty == "possible"
    assert member.inferred and member.reasoning
    assert any(
        c.quote == "Subsequently, Azerbaijan, Georgia and Belarus joined it."
        for c in member.citations
    )
    before = {m.state for m in members_on(connection, "CST", date(1992, 5, 14), source=OVERVIEW)}
    assert iso3 not in before


def test_claim_03_treaty_in_force(connection):
    assert overview_document(connection, "cst")["in_force"] == "1994-04-20"
    assert "The treaty came into force on April 20, 1994." in overview_quotes(connection, "cst")


def test_claim_04_protocol_signed_by_six_in_april_1999(connection):
    protocol = overview_document(connection, "cst-prolongation-protocol")
    assert protocol["signed"] == "1999-04"
    signed = {p["party"] for p in protocol["parties"] if p["role"] == "signatory"}
    refused = {p["party"] for p in protocol["parties"] if p["role"] == "non_signatory"}
    assert signed == {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
    assert refused == {"AZE", "GEO", "UZB"}
    assert all(p["inferred"] for p in protocol["parties"] if p["role"] == "signatory")


@pytest.mark.parametrize("iso3", ["AZE", "GEO", "UZB"])
def test_claim_05_three_stopped_being_parties_around_april_1999(connection, iso3):
    listed = {m.state: m for m in members_on(connection, "CST", date(1999, 4, 15), source=OVERVIEW)}
    assert listed[iso3].until == "1999-04"
    assert listed[iso3].certainty == "possible"
    assert listed[iso3].inferred
    after = {m.state for m in members_on(connection, "CST", date(1999, 5, 1), source=OVERVIEW)}
    assert iso3 not in after


def test_claim_06_decision_to_transform_at_moscow_session(connection):
    decision = row(connection, "SELECT * FROM events t WHERE t.key = 'cst-transformation-decision'")
    assert decision["happened_edtf"] == "2002-05-14"
    meeting = row(
        connection, "SELECT * FROM meetings t WHERE t.key = :key", key=decision["meeting_key"]
    )
    assert (meeting["held_edtf"], meeting["place"]) == ("2002-05-14", "Moscow")
    assert overview_quotes(connection, "cst-transformation-decision")
    assert (
        row(connection, "SELECT predecessor_code FROM organizations WHERE code = 'CSTO'")[
            "predecessor_code"
        ]
        == "CST"
    )


@pytest.mark.parametrize("key", ["csto-charter", "csto-legal-status-agreement"])
def test_claim_07_charter_and_agreement(connection, key):
    document = overview_document(connection, key)
    assert (document["signed"], document["in_force"]) == ("2002-10-07", "2003-09-18")
    assert any("signed in Kishinev" in q for q in overview_quotes(connection, key))


def test_claim_08_members_from_entry_into_force_are_the_six(connection):
    before = members_on(connection, "CSTO", date(2003, 9, 17), source=OVERVIEW)
    on_the_day = members_on(connection, "CSTO", date(2003, 9, 18), source=OVERVIEW)
    assert before == []
    assert {m.state for m in on_the_day} == {"ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"}
    assert all(m.inferred and m.certainty == "certain" for m in on_the_day)


def test_claim_09_un_general_assembly_observer_status(connection):
    resolution = overview_document(connection, "unga-observer-resolution")
    assert resolution["signed"] == "2004-12-02"
    assert resolution["parties"][0]["party"] == "UNGA"
    event = row(connection, "SELECT * FROM events t WHERE t.key = 'csto-unga-observer-status'")
    assert event["document_key"] == "unga-observer-resolution"


def test_claim_10_fundamental_objective(connection):
    objective = row(connection, "SELECT * FROM objectives WHERE rank = 'fundamental'")
    quotes = overview_quotes(connection, objective["key"])
    assert any(q.startswith("The fundamental objective of the Organization") for q in quotes)


def test_claim_11_key_objectives_and_threats(connection):
    keys = (
        connection.execute(text("SELECT text FROM objectives WHERE rank = 'key' ORDER BY ordinal"))
        .scalars()
        .all()
    )
    assert len(keys) == 6 and keys[0] == "Provision of national and collective security"
    threats = set(connection.execute(text("SELECT name FROM threats")).scalars())
    assert {
        "International terrorism",
        "Drug trafficking",
        "Illegal migration",
        "Transnational organized crime",
        "Information and cyber security",
    } <= threats


def test_claim_12_characterization_is_a_description_not_an_event(connection):
    position = row(connection, "SELECT * FROM positions WHERE topic = 'characterization'")
    assert position["period_edtf"] is None
    assert any(
        "“classic” military-political bloc" in q
        for q in overview_quotes(connection, position["key"])
    )


def test_claim_13_belarus_stance(connection):
    position = row(
        connection, "SELECT * FROM positions t WHERE t.key = 'blr-stance-strong-organization'"
    )
    assert position["state_iso3"] == "BLR"
    assert overview_quotes(connection, position["key"])


def test_claim_14_information_security_decisions_2011_2012(connection):
    position = row(
        connection, "SELECT * FROM positions t WHERE t.key = 'blr-priority-information-security'"
    )
    assert position["period_edtf"] == "[2011..2012]"
    assert any(
        "actual problems for Belarus" in q for q in overview_quotes(connection, position["key"])
    )


def test_claim_15_and_16_presidency_initiatives_and_the_memorandum(connection):
    by_key = {i.key: i.to_dict() for i in initiatives(connection, source=OVERVIEW)}
    assert by_key["blr-emergency-response"]["date"] == "2011"
    peacekeeping = by_key["blr-un-peacekeeping"]
    assert peacekeeping["proposer"] == "BLR"
    assert peacekeeping["outcome"]["document"] == "csto-dpko-memorandum"
    memorandum = overview_document(connection, "csto-dpko-memorandum")
    assert (memorandum["signed"], memorandum["place"]) == ("2012-09", "New York")
    assert {p["party"] for p in memorandum["parties"]} == {"CSTO", "DPKO"}


def test_claim_17_joint_statements_and_collective_directions(connection):
    statements = row(
        connection, "SELECT * FROM positions t WHERE t.key = 'blr-priority-foreign-policy'"
    )
    assert statements["period_edtf"] == "2012"
    directions = next(
        i.to_dict()
        for i in initiatives(connection, source=OVERVIEW)
        if i.key == "blr-collective-directions"
    )
    assert directions["date"] is None  # the overview gives none


def test_claim_18_osce_discussion_at_april_2012_ministers_meeting(connection):
    osce = next(
        i.to_dict()
        for i in initiatives(connection, source=OVERVIEW)
        if i.key == "blr-osce-cooperation"
    )
    assert osce["date"] == "2012-04"
    assert osce["meeting"] is not None
    meeting = row(connection, "SELECT * FROM meetings t WHERE t.key = :key", key=osce["meeting"])
    assert meeting["body_code"] == "CMFA"


@pytest.mark.parametrize("code", ["CST", "CSTO", "UNGA", "DPKO", "OSCE", "CSC", "CMFA"])
def test_organizations_named(connection, code):
    assert overview_quotes(connection, code), f"{code} has no citation from the overview"


def test_the_overview_is_stored_byte_for_byte(connection, pytestconfig):
    stored = connection.execute(
        text("SELECT full_text, full_text_sha256 FROM sources t WHERE t.key = 'csto-overview'")
    ).one()
    expected = "0accf79a8777fad83c07d7cf898d08d626437e4183e924097e14cf4f2458dad6"
    assert stored.full_text_sha256 == expected
    import hashlib

    assert hashlib.sha256(stored.full_text.encode("utf-8")).hexdigest() == expected
