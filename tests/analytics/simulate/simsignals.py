"""Plausible per-listing risk features of a simulated marketplace, computed with DuckDB from its files.

What a first analyst would try: price against reference, disputes, ratings, review words, reports, dispatch,
bursts, and the same aggregated per seller. Used to show no single one finds the fakes, but together they do.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from simdb import connect

FAKE_WORDS = "假|fake|not authentic|不是正品|smells different|logo off"

FEATURES_SQL = f"""
WITH
o AS (
  SELECT o.listing_id, count(*) AS n_orders,
    avg(CASE WHEN regexp_replace(o.ship_from_city, '市$', '') <> regexp_replace(l.ship_from_city, '市$', '')
             THEN 1 ELSE 0 END) AS away_share
  FROM orders o JOIN listings l USING (listing_id) GROUP BY 1),
buys AS (SELECT buyer_id, count(*) AS n FROM orders GROUP BY 1),
r AS (
  SELECT listing_id, count(*) AS n_reviews, avg(rating) AS mean_rating,
    avg((rating = 5)::INT) AS share5, avg((rating = 1)::INT) AS share1,
    count(*) FILTER (regexp_matches(lower(coalesce(text, '')), '{FAKE_WORDS}')) AS fake_words,
    count(*) FILTER (rating = 5 AND length(coalesce(text, '')) <= 10 AND coalesce(buys.n, 1) <= 2) AS short5
  FROM reviews LEFT JOIN buys USING (buyer_id) GROUP BY 1),
d AS (
  SELECT listing_id, count(*) AS n_disputes, count(*) FILTER (reason = 'counterfeit') AS cf_disputes
  FROM disputes GROUP BY 1),
rh AS (SELECT listing_id, count(*) AS reports FROM rights_holder_reports GROUP BY 1),
base AS (
  SELECT l.listing_id, s.seller_id, l.category, t.counterfeit::INT AS y,
    l.price / p.reference_price AS price_ratio,
    coalesce(o.n_orders, 0) AS n_orders, coalesce(o.away_share, 0) AS away_share,
    coalesce(r.n_reviews, 0) AS n_reviews, r.mean_rating, r.share5, r.share1,
    coalesce(r.fake_words, 0) AS fake_words, coalesce(r.short5, 0) AS short5,
    coalesce(d.n_disputes, 0) AS n_disputes, coalesce(d.cf_disputes, 0) AS cf_disputes,
    coalesce(rh.reports, 0) AS reports
  FROM listings l JOIN shops s USING (shop_id) JOIN truth_listings t USING (listing_id)
  LEFT JOIN products p USING (product_id) LEFT JOIN o USING (listing_id) LEFT JOIN r USING (listing_id)
  LEFT JOIN d USING (listing_id) LEFT JOIN rh USING (listing_id)),
seller AS (
  SELECT seller_id, count(*) AS seller_listings,
    sum(cf_disputes) / greatest(sum(n_orders), 1) AS seller_cf_dispute_rate,
    avg(price_ratio) AS seller_price_ratio,
    sum(reports) / count(*) AS seller_reports,
    sum(fake_words) / greatest(sum(n_reviews), 1) AS seller_fake_words,
    sum(short5) / greatest(sum(n_reviews), 1) AS seller_short5,
    avg(away_share) AS seller_away_share,
    avg((n_disputes > 0)::INT) AS seller_dispute_share
  FROM base GROUP BY 1)
SELECT b.*, seller.* EXCLUDE (seller_id), avg(b.y) OVER (PARTITION BY b.category) AS category_rate
FROM base b JOIN seller USING (seller_id)
ORDER BY b.listing_id
"""


def listing_features(folder: Path) -> pd.DataFrame:
    """One row per listing: `y` (truth) and the features."""
    return connect(folder).execute(FEATURES_SQL).df()


def feature_names(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c not in ("listing_id", "seller_id", "category", "y")]


def single_auc(y: np.ndarray, values: np.ndarray) -> float:
    """ROC AUC of one feature in its better direction (missing values as the median)."""
    from sklearn.metrics import roc_auc_score

    x = np.asarray(values, dtype=float)
    x = np.where(np.isnan(x), np.nanmedian(x) if np.isfinite(x).any() else 0.0, x)
    auc = float(roc_auc_score(y, x))
    return max(auc, 1.0 - auc)
