"""The simulator writes every contract table, valid against the contract, and truth that fits it.

Checked with DuckDB over the written files, rule by rule as the contract spells them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from simdb import connect, scalar

from fakescope.analytics.simulate import SimulationSummary
from fakescope.contract import Kind, load_contract

CONTRACT = load_contract()


@pytest.fixture(params=["sim_small", "sim_small_csv", "sim_medium"])
def market(request: pytest.FixtureRequest) -> tuple[Path, SimulationSummary]:
    return request.getfixturevalue(request.param)


def test_every_table_has_exactly_the_contract_columns(market: tuple[Path, SimulationSummary]) -> None:
    folder, summary = market
    con = connect(folder)
    for table in CONTRACT.tables:
        path = folder / f"{table.name}.{summary.fmt}"
        assert path.exists(), f"{table.name} not written"
        names = [row[0] for row in con.execute(f"DESCRIBE {table.name}").fetchall()]
        assert names == list(table.column_names)
        assert scalar(con, f"SELECT count(*) FROM {table.name}") == summary.rows[table.name]
        assert summary.rows[table.name] > 0, f"{table.name} is empty"


def test_values_keep_the_contract_rules(market: tuple[Path, SimulationSummary]) -> None:
    folder, _ = market
    con = connect(folder)
    for table in CONTRACT.tables:
        t, pk = table.name, table.primary_key
        assert scalar(con, f"SELECT count(*) - count(DISTINCT {pk}) FROM {t}") == 0, f"{t}.{pk} not unique"
        for col in table.columns:
            c = col.name
            where = []
            if col.required:
                where.append(f"{c} IS NULL")
            if col.enum:
                allowed = ", ".join(f"'{v}'" for v in col.enum)
                where.append(f"({c} IS NOT NULL AND {c} NOT IN ({allowed}))")
            if col.min is not None:
                where.append(f"{c} < {col.min}")
            if col.max is not None:
                where.append(f"{c} > {col.max}")
            if col.exclusive_min is not None:
                where.append(f"{c} <= {col.exclusive_min}")
            if col.pattern:
                where.append(f"NOT regexp_full_match({c}, '{col.pattern.strip('^$')}')")
            if col.kind in (Kind.IDENTIFIER, Kind.TEXT):
                where.append(f"{c} = ''")
            if col.kind == Kind.MONEY:
                where.append(f"isnan({c}) OR isinf({c})")
            if col.references:
                target = CONTRACT.table(col.references)
                where.append(
                    f"({c} IS NOT NULL AND {c} NOT IN (SELECT {target.primary_key} FROM {target.name}))"
                )
            for condition in where:
                bad = scalar(con, f"SELECT count(*) FROM {t} WHERE {condition}")
                assert bad == 0, f"{t}.{c}: {bad} rows where {condition}"


def test_times_lie_in_a_two_year_history(market: tuple[Path, SimulationSummary]) -> None:
    folder, summary = market
    con = connect(folder)
    stamps = [(t.name, c.name) for t in CONTRACT.tables for c in t.columns if c.kind == Kind.TIME]
    as_of = summary.as_of.timestamp()
    latest = max(float(scalar(con, f"SELECT epoch(max({c})) FROM {t}")) for t, c in stamps)  # type: ignore[arg-type]
    assert latest <= as_of
    assert as_of - latest < 86_400  # the as-of time is found in the data
    first_order = float(scalar(con, "SELECT epoch(min(ordered_at)) FROM orders"))  # type: ignore[arg-type]
    assert 600 <= (as_of - first_order) / 86_400 <= 800
    # Orders fall in their listing's life, reviews and disputes after their order, shops after sellers.
    for sql in (
        "orders o JOIN listings l USING (listing_id) WHERE o.ordered_at < l.listed_at",
        "reviews r JOIN orders o USING (order_id) WHERE r.created_at < o.ordered_at",
        "disputes d JOIN orders o USING (order_id) WHERE d.opened_at < o.ordered_at",
        "disputes d JOIN orders o USING (order_id) WHERE d.listing_id <> o.listing_id",
        "shops s JOIN sellers v USING (seller_id) WHERE s.opened_at < v.registered_at",
        "shops WHERE status = 'closed' AND closed_at IS NULL",
        "bans b JOIN sellers v USING (seller_id) WHERE b.banned_at < v.registered_at",
    ):
        assert scalar(con, f"SELECT count(*) FROM {sql}") == 0, sql


def test_truth_fits_the_tables(market: tuple[Path, SimulationSummary]) -> None:
    folder, summary = market
    con = connect(folder)
    for sql in (
        "truth_listings t FULL JOIN listings l USING (listing_id)"
        " WHERE t.listing_id IS NULL OR l.listing_id IS NULL OR t.counterfeit IS NULL",
        "truth_sellers t FULL JOIN sellers s USING (seller_id)"
        " WHERE t.seller_id IS NULL OR s.seller_id IS NULL",
        "truth_sellers WHERE role NOT IN ('factory', 'dealer', 'honest') OR person_id IS NULL",
        "truth_sellers WHERE comeback_of IS NOT NULL AND comeback_of NOT IN (SELECT seller_id FROM bans)",
        # A comeback is the same person as the banned seller it re-registers, and registers after the ban.
        "truth_sellers c JOIN truth_sellers b ON c.comeback_of = b.seller_id"
        " WHERE c.person_id <> b.person_id",
        "truth_sellers c JOIN bans b ON c.comeback_of = b.seller_id"
        " JOIN sellers s ON s.seller_id = c.seller_id"
        " WHERE s.registered_at <= b.banned_at",
        # Every ring has exactly one factory among its original members.
        "(SELECT ring_id FROM truth_sellers WHERE ring_id IS NOT NULL AND comeback_of IS NULL"
        " GROUP BY ring_id HAVING count(*) FILTER (role = 'factory') <> 1)",
        # Verdicts agree with the truth.
        "spot_checks s JOIN truth_listings t USING (listing_id)"
        " WHERE (s.verdict = 'counterfeit') <> t.counterfeit AND s.verdict <> 'inconclusive'",
    ):
        assert scalar(con, f"SELECT count(*) FROM {sql}") == 0, sql
    n_fake = scalar(con, "SELECT count(*) FILTER (counterfeit) FROM truth_listings")
    assert n_fake == summary.counterfeit_listings
    assert 0.03 <= summary.prevalence <= 0.06


def test_identifiers_look_as_typed(sim_medium: tuple[Path, SimulationSummary]) -> None:
    folder, _ = sim_medium
    con = connect(folder)
    phones = [r[0] for r in con.execute("SELECT phone FROM sellers WHERE phone IS NOT NULL").fetchall()]
    assert any(p.startswith("+86 ") and "-" in p for p in phones)
    assert any(re.fullmatch(r"1\d{10}", p) for p in phones)
    assert any(re.fullmatch(r"[０-９]{11}", p) for p in phones)
    banks = [
        r[0]
        for r in con.execute("SELECT bank_account FROM sellers WHERE bank_account IS NOT NULL").fetchall()
    ]
    assert any(" " in b for b in banks) and any(b.isdigit() for b in banks)
    names = [r[0] for r in con.execute("SELECT legal_name FROM sellers").fetchall()]
    assert any(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", n) for n in names)
    assert any(re.fullmatch(r"[A-Za-z]+ [A-Za-z]+", n) for n in names)
    assert any(n.endswith("有限公司") for n in names) and any("Co., Ltd." in n for n in names)
    provinces = {r[0] for r in con.execute("SELECT province FROM sellers").fetchall()}
    assert {"浙江省", "浙江"} <= provinces


def test_rows_per_listing(sim_medium: tuple[Path, SimulationSummary]) -> None:
    _, summary = sim_medium
    per = {t: summary.rows[t] / summary.listings for t in ("orders", "reviews", "disputes", "spot_checks")}
    assert 5.0 <= per["orders"] <= 7.5
    assert 2.4 <= per["reviews"] <= 4.0
    assert 0.35 <= per["disputes"] <= 0.7
    assert 0.015 <= per["spot_checks"] <= 0.03
