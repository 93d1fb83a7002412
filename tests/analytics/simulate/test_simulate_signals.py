"""No single feature finds the fakes (AUC <= 0.8), yet listing and seller aggregates together do (>= 0.93);
and the realism the find, check and trace work relies on is there: cheap genuine goods, well-rated fakes,
bought bursts, false accusations, wrong reports, negations, category prevalence, hub dispatch.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from simdb import connect, scalar
from simsignals import feature_names, listing_features, single_auc

from fakescope.analytics.simulate import SimulationSummary


@pytest.fixture(scope="module")
def features(sim_medium: tuple[Path, SimulationSummary]) -> pd.DataFrame:
    return listing_features(sim_medium[0])


def test_no_single_feature_finds_the_fakes(features: pd.DataFrame) -> None:
    y = features["y"].to_numpy()
    aucs = {name: single_auc(y, features[name].to_numpy()) for name in feature_names(features)}
    assert len(aucs) >= 15
    assert max(aucs.values()) <= 0.8, sorted(aucs.items(), key=lambda kv: -kv[1])[:5]
    assert max(aucs.values()) >= 0.7  # but the signals are real


def test_listing_and_seller_aggregates_together_find_them(features: pd.DataFrame) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    names = feature_names(features)
    x, y = features[names].astype(float).to_numpy(), features["y"].to_numpy()
    train = np.random.default_rng(0).random(len(y)) < 0.5
    model = HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, random_state=0)
    model.fit(x[train], y[train])
    auc = roc_auc_score(y[~train], model.predict_proba(x[~train])[:, 1])
    assert auc >= 0.93


def test_prevalence_varies_by_category(sim_medium: tuple[Path, SimulationSummary]) -> None:
    con = connect(sim_medium[0])
    rate = dict(
        con.execute(
            "SELECT p.category, avg(t.counterfeit::INT) FROM listings l JOIN products p USING (product_id)"
            " JOIN truth_listings t USING (listing_id) GROUP BY 1"
        ).fetchall()
    )
    for risky in ("cosmetics", "bags", "weight_loss"):
        assert rate[risky] > 4 * rate["electronics_accessories"]


def test_prices_overlap_between_fakes_and_genuine(features: pd.DataFrame) -> None:
    ratio = features.dropna(subset=["price_ratio"])
    fake, genuine = ratio[ratio.y == 1].price_ratio, ratio[ratio.y == 0].price_ratio
    assert fake.median() < genuine.median()
    assert (fake >= 0.85).mean() >= 0.15  # some fakes priced like the real thing
    assert (genuine < 0.75).mean() >= 0.15  # discounters, outlets, parallel importers


def test_buyer_behaviour_muddles_the_signals(
    sim_medium: tuple[Path, SimulationSummary], features: pd.DataFrame
) -> None:
    con = connect(sim_medium[0])
    fake = features[features.y == 1]
    # Buyers who know: many fakes are rated well.
    assert (fake.mean_rating >= 4.0).mean() >= 0.3
    # Bought bursts of short 5-star reviews on fakes and on genuine listings alike.
    assert (fake.short5 >= 5).sum() > 0 and (features[features.y == 0].short5 >= 5).sum() > 0
    # False accusations: a good part of counterfeit disputes are against genuine listings.
    wrong = scalar(
        con,
        "SELECT avg((NOT t.counterfeit)::INT) FROM disputes d JOIN truth_listings t USING (listing_id)"
        " WHERE d.reason = 'counterfeit'",
    )
    assert 0.2 <= wrong <= 0.85  # type: ignore[operator]
    # Rights holders are sometimes wrong.
    wrong = scalar(
        con,
        "SELECT avg((NOT t.counterfeit)::INT) FROM rights_holder_reports"
        " JOIN truth_listings t USING (listing_id)",
    )
    assert 0.05 <= wrong <= 0.6  # type: ignore[operator]
    # Fakes are shipped from elsewhere more often.
    assert fake.away_share.mean() > 1.5 * features[features.y == 0].away_share.mean()


def test_texts_in_two_languages_with_negations(sim_medium: tuple[Path, SimulationSummary]) -> None:
    con = connect(sim_medium[0])
    texts = "SELECT text, listing_id FROM reviews UNION ALL SELECT text, listing_id FROM disputes"
    for phrase in ("假货", "不是正品", "fake", "not authentic", "smells different", "logo off"):
        assert scalar(con, f"SELECT count(*) FROM ({texts}) WHERE lower(text) LIKE '%{phrase}%'") > 0, phrase
    for negation in ("不是假货", "not fake"):
        on_genuine = scalar(
            con,
            f"SELECT avg((NOT t.counterfeit)::INT) FROM ({texts}) x JOIN truth_listings t USING (listing_id)"
            f" WHERE lower(text) LIKE '%{negation}%'",
        )
        assert on_genuine > 0.8, negation  # type: ignore[operator]


def test_platform_history(sim_medium: tuple[Path, SimulationSummary]) -> None:
    con = connect(sim_medium[0])
    assert scalar(con, "SELECT count(*) FROM listings WHERE status = 'removed'") > 0
    assert scalar(con, "SELECT count(*) FROM shops WHERE status = 'closed'") > 0
    # A banned seller's shops are all closed by the ban.
    assert (
        scalar(
            con,
            "SELECT count(*) FROM shops JOIN bans USING (seller_id)"
            " WHERE coalesce(status, 'active') <> 'closed'",
        )
        == 0
    )
    # Some banned sellers came back, some more than once.
    assert scalar(con, "SELECT count(*) FROM truth_sellers WHERE comeback_of IS NOT NULL") > 0
    assert (
        scalar(
            con,
            "SELECT count(*) FROM truth_sellers WHERE comeback_of IN"
            " (SELECT seller_id FROM truth_sellers WHERE comeback_of IS NOT NULL)",
        )
        > 0
    )


def test_spot_checks_follow_a_known_design(sim_medium: tuple[Path, SimulationSummary]) -> None:
    con = connect(sim_medium[0])
    n_listings = sim_medium[1].listings
    known = con.execute(
        "SELECT inclusion_probability FROM spot_checks WHERE inclusion_probability IS NOT NULL"
    ).fetchnumpy()
    p = known["inclusion_probability"]
    # Two design strata: the uniform part, and the uniform part plus the old rule's.
    assert len(np.unique(np.round(p, 12))) == 2
    unknown = scalar(con, "SELECT avg((inclusion_probability IS NULL)::INT) FROM spot_checks")
    assert 0.02 <= unknown <= 0.1  # type: ignore[operator]
    assert 0.015 * n_listings <= len(p) <= 0.025 * n_listings
    inconclusive = scalar(con, "SELECT avg((verdict = 'inconclusive')::INT) FROM spot_checks")
    assert 0.01 <= inconclusive <= 0.1  # type: ignore[operator]


def test_inclusion_probabilities_are_the_designs(sim_medium: tuple[Path, SimulationSummary]) -> None:
    con = connect(sim_medium[0])
    rule = (
        "SELECT l.listing_id, (coalesce(l.price / p.reference_price, 1) < 0.55"
        " OR l.listing_id IN (SELECT listing_id FROM disputes WHERE reason = 'counterfeit')) AS picked"
        " FROM listings l LEFT JOIN products p USING (product_id)"
    )
    checked = con.execute(
        f"SELECT r.picked, min(c.inclusion_probability), max(c.inclusion_probability), count(*)"
        f" FROM spot_checks c JOIN ({rule}) r USING (listing_id) WHERE c.inclusion_probability IS NOT NULL"
        f" GROUP BY 1 ORDER BY 1"
    ).fetchall()
    (_, low_min, low_max, _), (_, high_min, high_max, _) = checked
    assert low_min == low_max < high_min == high_max  # one probability per stratum, the rule's higher
    n_rule, n_all = con.execute(f"SELECT count(*) FILTER (picked), count(*) FROM ({rule})").fetchone()  # type: ignore[misc]
    expected = low_min * (n_all - n_rule) + high_min * n_rule
    known = sum(row[3] for row in checked)
    assert abs(known - expected) <= 4 * expected**0.5  # Poisson sampling with exactly these probabilities
