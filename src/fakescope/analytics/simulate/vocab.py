"""The simulator's vocabulary: places, names, company words, categories and the phrases buyers write.

Data only. These lists are the simulator's own; nothing outside `simulate/` may rely on them.
"""

from __future__ import annotations

from dataclasses import dataclass

# (province, is_municipality, latin, [(city, latin), ...])
PROVINCES: tuple[tuple[str, bool, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "浙江",
        False,
        "Zhejiang",
        (("杭州", "Hangzhou"), ("义乌", "Yiwu"), ("宁波", "Ningbo"), ("温州", "Wenzhou")),
    ),
    (
        "广东",
        False,
        "Guangdong",
        (("广州", "Guangzhou"), ("深圳", "Shenzhen"), ("东莞", "Dongguan"), ("汕头", "Shantou")),
    ),
    (
        "福建",
        False,
        "Fujian",
        (("莆田", "Putian"), ("厦门", "Xiamen"), ("泉州", "Quanzhou"), ("福州", "Fuzhou")),
    ),
    ("江苏", False, "Jiangsu", (("南京", "Nanjing"), ("苏州", "Suzhou"), ("无锡", "Wuxi"))),
    ("上海", True, "Shanghai", (("上海", "Shanghai"),)),
    ("北京", True, "Beijing", (("北京", "Beijing"),)),
    ("山东", False, "Shandong", (("济南", "Jinan"), ("青岛", "Qingdao"), ("临沂", "Linyi"))),
    ("河南", False, "Henan", (("郑州", "Zhengzhou"), ("洛阳", "Luoyang"))),
    ("湖北", False, "Hubei", (("武汉", "Wuhan"),)),
    ("四川", False, "Sichuan", (("成都", "Chengdu"),)),
    ("河北", False, "Hebei", (("石家庄", "Shijiazhuang"), ("保定", "Baoding"))),
    ("湖南", False, "Hunan", (("长沙", "Changsha"),)),
)

# Cities where counterfeit goods are made and dispatched from (also busy honest fulfilment places).
COUNTERFEIT_HUBS = ("莆田", "广州", "义乌", "深圳", "汕头", "临沂")
# Cities with big honest fulfilment warehouses.
FULFILMENT_HUBS = ("广州", "义乌", "上海", "杭州", "深圳", "苏州")

DISTRICTS: tuple[tuple[str, str], ...] = (
    ("高新区", "Gaoxin District"),
    ("经济开发区", "Economic Development Zone"),
    ("东城区", "Dongcheng District"),
    ("西城区", "Xicheng District"),
    ("南湖区", "Nanhu District"),
    ("北苑区", "Beiyuan District"),
    ("江北区", "Jiangbei District"),
    ("新城区", "Xincheng District"),
)
STREETS: tuple[tuple[str, str], ...] = (
    ("人民路", "Renmin Road"),
    ("中山路", "Zhongshan Road"),
    ("解放路", "Jiefang Road"),
    ("建设路", "Jianshe Road"),
    ("文三路", "Wensan Road"),
    ("工业大道", "Gongye Avenue"),
    ("长江路", "Changjiang Road"),
    ("和平路", "Heping Road"),
    ("新华路", "Xinhua Road"),
    ("学院路", "Xueyuan Road"),
    ("科技路", "Keji Road"),
    ("商贸城路", "Shangmaocheng Road"),
    ("滨江大道", "Binjiang Avenue"),
    ("青年路", "Qingnian Road"),
)

SURNAMES: tuple[tuple[str, str], ...] = tuple(
    zip(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐韩冯邓曹彭曾",
        [
            "Wang",
            "Li",
            "Zhang",
            "Liu",
            "Chen",
            "Yang",
            "Huang",
            "Zhao",
            "Wu",
            "Zhou",
            "Xu",
            "Sun",
            "Ma",
            "Zhu",
            "Hu",
            "Guo",
            "He",
            "Lin",
            "Luo",
            "Zheng",
            "Liang",
            "Xie",
            "Song",
            "Tang",
            "Han",
            "Feng",
            "Deng",
            "Cao",
            "Peng",
            "Zeng",
        ],
        strict=True,
    )
)
GIVEN_CHARS: tuple[tuple[str, str], ...] = tuple(
    zip(
        "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚英华东燕俊丹庆博涵欣然轩琪鑫宇浩晨阳雪婷玉",
        [
            "Wei",
            "Fang",
            "Na",
            "Min",
            "Jing",
            "Li",
            "Qiang",
            "Lei",
            "Jun",
            "Yang",
            "Yong",
            "Yan",
            "Jie",
            "Juan",
            "Tao",
            "Ming",
            "Chao",
            "Lan",
            "Xia",
            "Ping",
            "Gang",
            "Ying",
            "Hua",
            "Dong",
            "Yan",
            "Jun",
            "Dan",
            "Qing",
            "Bo",
            "Han",
            "Xin",
            "Ran",
            "Xuan",
            "Qi",
            "Xin",
            "Yu",
            "Hao",
            "Chen",
            "Yang",
            "Xue",
            "Ting",
            "Yu",
        ],
        strict=True,
    )
)
TRADE_WORDS: tuple[tuple[str, str], ...] = tuple(
    zip(
        [
            "美丽",
            "华盛",
            "鑫源",
            "恒达",
            "金诚",
            "优品",
            "佳禾",
            "宏图",
            "盛世",
            "瑞丰",
            "天成",
            "博远",
            "嘉美",
            "德信",
            "万通",
            "汇丰",
            "锦绣",
            "新星",
            "永利",
            "和顺",
        ],
        [
            "Meili",
            "Huasheng",
            "Xinyuan",
            "Hengda",
            "Jincheng",
            "Youpin",
            "Jiahe",
            "Hongtu",
            "Shengshi",
            "Ruifeng",
            "Tiancheng",
            "Boyuan",
            "Jiamei",
            "Dexin",
            "Wantong",
            "Huifeng",
            "Jinxiu",
            "Xinxing",
            "Yongli",
            "Heshun",
        ],
        strict=True,
    )
)
INDUSTRIES: tuple[tuple[str, str], ...] = (
    ("贸易", "Trading"),
    ("商贸", "Commerce"),
    ("电子商务", "E-commerce"),
    ("科技", "Technology"),
    ("化妆品", "Cosmetics"),
    ("服饰", "Apparel"),
)
COMPANY_SUFFIX_ZH = ("有限公司", "有限责任公司")
COMPANY_SUFFIX_LATIN = ("Co., Ltd.", "Co.,Ltd", "Company Limited", "CO., LTD.")
EMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com", "foxmail.com")


@dataclass(frozen=True)
class Category:
    """A product category: how common it is among honest and counterfeit sellers, and its price level."""

    name: str
    honest_share: float
    counterfeit_share: float
    fake_multiplier: float
    median_price: float
    zh: str
    en_items: tuple[str, ...]


CATEGORIES: tuple[Category, ...] = (
    Category("cosmetics", 0.11, 0.22, 1.0, 260, "化妆品", ("Serum", "Lipstick", "Foundation", "Cream")),
    Category("bags", 0.05, 0.15, 1.0, 1800, "包", ("Tote", "Shoulder Bag", "Wallet", "Backpack")),
    Category("weight_loss", 0.02, 0.1, 1.0, 180, "减肥", ("Slim Capsules", "Fat Burner", "Detox Tea")),
    Category("shoes", 0.08, 0.13, 0.9, 700, "鞋", ("Sneakers", "Running Shoes", "Boots")),
    Category("perfume", 0.03, 0.07, 1.0, 600, "香水", ("Eau de Parfum", "Eau de Toilette")),
    Category("watches", 0.03, 0.06, 0.9, 1500, "手表", ("Chronograph", "Automatic Watch")),
    Category("apparel", 0.15, 0.1, 0.7, 350, "服装", ("Jacket", "T-Shirt", "Hoodie", "Dress")),
    Category("baby_formula", 0.04, 0.03, 0.8, 320, "奶粉", ("Infant Formula Stage 1", "Stage 2")),
    Category("health_supplements", 0.05, 0.04, 0.8, 220, "保健品", ("Fish Oil", "Vitamin C", "Probiotics")),
    Category("electronics_accessories", 0.19, 0.05, 0.25, 120, "数码配件", ("Charger", "Earbuds", "Cable")),
    Category("home", 0.12, 0.02, 0.2, 200, "家居", ("Pillow", "Towel Set", "Kettle")),
    Category("toys", 0.07, 0.02, 0.5, 150, "玩具", ("Building Set", "Plush Toy")),
    Category("sports", 0.06, 0.02, 0.5, 300, "运动", ("Yoga Mat", "Racket")),
)

BRAND_HEADS = [
    "Aur",
    "Vel",
    "Lum",
    "Nor",
    "Kai",
    "Sol",
    "Mir",
    "Zen",
    "Ori",
    "Cel",
    "Val",
    "Ast",
    "Ren",
    "Ely",
    "Dor",
    "Fen",
    "Isa",
    "Jun",
    "Lor",
    "Mav",
]
BRAND_TAILS = [
    "elle",
    "ora",
    "ique",
    "is",
    "ano",
    "ette",
    "ium",
    "aris",
    "ova",
    "enne",
    "on",
    "ara",
    "ix",
    "ame",
    "ella",
]
RIGHTS_HOLDER_SUFFIX = ("Group", "International Ltd.", "S.A.", "Holdings", "(China) Co., Ltd.")

TITLE_EXTRAS: tuple[str, ...] = (
    "正品",
    "官方旗舰",
    "专柜同款",
    "包邮",
    "特价",
    "新款",
    "现货",
    "outlet",
    "代购",
    "清仓",
)
# Replica slang, used by some counterfeit listings and, rarely, by honest ones.
REPLICA_EXTRAS: tuple[str, ...] = ("原单", "高仿", "1:1", "AAA")

SHOP_SUFFIX = ("旗舰店", "专卖店", "的小店", "精品店", "Store", "Outlet", "海外代购", "百货")

# Review and dispute phrases, by what the buyer means.
PRAISE = (
    "很好，质量不错",
    "物流很快，包装完好",
    "和描述一样，满意",
    "第二次购买了，一如既往的好",
    "颜色很正，喜欢",
    "Good quality, fast delivery",
    "Exactly as described",
    "Love it, will buy again",
    "Great value",
    "Nice packaging, arrived quickly",
)
SHORT_PRAISE = ("好", "很好", "满意", "好评", "五星", "不错", "good", "great", "nice", "ok 5 stars")
NOT_FAKE = (
    "不是假货，放心买",
    "专柜验过，是正品",
    "是正品，防伪码查过了",
    "not fake, checked the serial",
    "authentic, verified with the brand",
    "Genuine product, not fake at all",
)
FAKE_CLAIM = (
    "假货",
    "不是正品，差评",
    "味道不对，怀疑是假货",
    "logo歪了，做工粗糙，假的",
    "和专柜的不一样，不是正品",
    "fake",
    "Not authentic, the logo is off",
    "Smells different from the one I bought in store",
    "This is a fake, stitching is bad",
    "logo off, not authentic",
)
COMPLAINT = (
    "质量一般",
    "有点小瑕疵",
    "物流太慢了",
    "尺码偏小",
    "包装破损",
    "客服态度差",
    "Quality is poor",
    "Arrived late",
    "Size runs small",
    "Box was damaged",
    "Not worth the price",
)
KNOWING_PRAISE = (
    "性价比高，和专柜差不多",
    "这个价格很值了",
    "做工可以，看不出区别",
    "good copy for the price",
    "looks the same as the real one",
)

DISPUTE_TEXT: dict[str, tuple[str, ...]] = {
    "counterfeit": (
        "收到的是假货，要求退款",
        "不是正品，logo不对",
        "假货！味道和专柜的不一样",
        "鉴定为非正品",
        "Item is fake, requesting refund",
        "Not authentic, smells different",
        "Counterfeit, logo off",
    ),
    "not_as_described": ("颜色和图片不一样", "型号不对", "Wrong color", "Not the model in the listing"),
    "quality": ("用了两天就坏了", "有异味", "Broke after two days", "Poor stitching"),
    "not_received": ("一直没收到货", "物流显示签收但没收到", "Never arrived", "Tracking stuck for weeks"),
    "other": ("商家不发票", "想退货", "Seller unresponsive", "Changed my mind"),
}
# Genuine items that buyers still wrongly call fake, and disputes that say the opposite.
DISPUTE_NOT_FAKE = ("不是假货，只是尺码不合适", "not fake, but the wrong size")

REPORT_CLAIMS = (
    "假冒注册商标",
    "counterfeit of registered trademark",
    "unauthorised use of brand images",
    "图片侵权",
    "suspected counterfeit",
    "parallel import without authorisation",
)
BAN_REASONS = ("售假", "selling counterfeit goods", "repeated counterfeit verdicts", "假冒注册商标", None)
