"""Identity values typed in different ways meet on one normalised spelling; different people stay apart."""

from __future__ import annotations

import pyarrow as pa
import pytest

from fakescope.analytics.identity import identifiers
from fakescope.analytics.identity.names import name_key
from fakescope.analytics.identity.normalise import coverage, normalise_sellers
from fakescope.analytics.identity.places import address_tokens, place_key
from fakescope.analytics.identity.text import syllables


def one(fn, value):  # type: ignore[no-untyped-def]
    return fn(pa.array([value], pa.string())).to_pylist()[0]


@pytest.mark.parametrize(
    "typed",
    ["张伟", "张伟贸易有限公司", "Zhang Wei", "Wei Zhang", "WEI ZHANG", "zhangwei",
     "Zhang Wei Trading Co., Ltd.", "张 伟", "（张伟）商行"],
)  # fmt: skip
def test_name_variants_meet(typed: str) -> None:
    assert name_key(typed) == "wei zhang"


def test_different_names_stay_apart() -> None:
    assert name_key("张伟") != name_key("张芳")
    assert name_key("李娜") != name_key("王娜")
    assert name_key(None) is None and name_key("有限公司") is not None


def test_latin_words_that_are_not_pinyin_stay_whole() -> None:
    assert syllables("john") == ("john",)
    assert syllables("ouyang") == ("ou", "yang")
    assert name_key("John Smith Trading Ltd") == "john smith"


@pytest.mark.parametrize(
    "typed",
    [
        "+86 138-0013-8000",
        "0086 13800138000",
        "８６１３８００１３８０００",
        "138 0013 8000",
        "(+86)13800138000",
    ],
)
def test_phones_meet(typed: str) -> None:
    assert one(identifiers.phones, typed) == "13800138000"


def test_landline_keeps_its_trunk_zero() -> None:
    assert one(identifiers.phones, "+86 571 8888 8888") == one(identifiers.phones, "0571-88888888")
    assert one(identifiers.phones, "12") is None


def test_ids_banks_emails_devices() -> None:
    assert one(identifiers.id_numbers, "330106 19900101 123x") == "33010619900101123X"
    assert one(identifiers.id_numbers, "３３０１０６１９９００１０１１２３Ｘ") == "33010619900101123X"
    assert one(identifiers.bank_accounts, "6222 0212-3456 7890") == "6222021234567890"
    assert one(identifiers.emails, " Zhang.Wei+shop@QQ.com ") == "zhang.wei@qq.com"
    assert one(identifiers.email_users, "zhang.wei@qq.com") == "zhang.wei"
    assert one(identifiers.devices, "AA:BB-CC.DD_EE") == "aabbccddee"


@pytest.mark.parametrize("typed", ["浙江省", "浙江", "Zhejiang", "Zhejiang Province", "ZHEJIANG SHENG"])
def test_provinces_meet(typed: str) -> None:
    assert place_key(typed) == "zhejiang"


def test_addresses_in_both_scripts_share_their_words() -> None:
    zh = address_tokens("浙江省杭州市西湖区文三路100号", drop=("zhejiang", "hangzhou"))
    en = address_tokens(
        "No. 100 Wensan Road, Xihu District, Hangzhou, Zhejiang", drop=("zhejiang", "hangzhou")
    )
    glued = address_tokens("浙江杭州西湖区文三路100号", drop=("zhejiang", "hangzhou"))
    assert zh == en == glued == ("100", "wensan", "xihu")
    assert address_tokens("广东省深圳市南山区科技路1号", drop=("guangdong", "shenzhen")) != zh


def test_normalise_sellers_and_coverage() -> None:
    sellers = pa.table(
        {
            "seller_id": ["a", "b"],
            "registered_at": pa.array([None, None], pa.timestamp("us")),
            "legal_name": ["张伟", "Wei Zhang"],
            "phone": ["+86 138-0013-8000", None],
        }
    )
    normalised = normalise_sellers(sellers)
    rows = normalised.to_pylist()
    assert rows[0]["name_key"] == rows[1]["name_key"] == "wei zhang"
    assert rows[0]["phone_n"] == "13800138000" and rows[1]["phone_n"] is None
    assert rows[0]["bank_account_n"] is None  # an absent column is all null, not an error
    lacking = coverage(sellers).lacking
    assert "phone" not in lacking and {"id_number", "bank_account", "email", "address"} <= set(lacking)


def test_a_table_split_over_processes_normalises_as_one(marketplace) -> None:  # type: ignore[no-untyped-def]
    # Large marketplaces are normalised in several processes: the rows must come back the same, in order.
    import pyarrow.parquet as pq

    sellers = pq.read_table(marketplace(2_000, 5) / "sellers.parquet")
    assert sellers.num_rows > 100
    assert normalise_sellers(sellers, processes=3).equals(normalise_sellers(sellers, processes=1))
