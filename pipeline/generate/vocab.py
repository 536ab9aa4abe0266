"""Categorical vocabularies of the synthetic extracts: occupations, diseases, insurance products.

These constants are the single source of the values the generator can emit; the ARX hierarchy files
in ``configs/hierarchies/`` are written from them (:mod:`pipeline.generate.hierarchy_files`) and a test
checks that the files cover every value. Weights are relative; a zero weight means "never for this
group". The very small weights are deliberate 特異な記述 (a rare occupation, rare diseases).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Occupation:
    name: str
    group: str  # 職業大分類
    w_student_age: float  # weight for ages 18-22
    w_working_age: float  # 23-64
    w_senior: float  # 65+


@dataclass(frozen=True)
class Disease:
    name: str
    group: str  # 傷病分類 (ICD-10 chapter-like)
    w_male: float
    w_female: float
    death_cause: bool = False  # plausible cause on a 死亡/葬儀 claim


@dataclass(frozen=True)
class Product:
    name: str  # 保険種類
    share: float  # share of policies
    premium_range: tuple[int, int]  # monthly premium in yen (家財: annual)
    sums_insured: tuple[int, ...]  # 保険金額 choices in yen (少額短期保険 limits)
    age_range: tuple[int, int]  # age at contract
    claims_per_policy: float  # mean number of claims (0 = no claims table rows)


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("一般事務", "事務職", 0.5, 9.0, 0.3),
    Occupation("営業事務", "事務職", 0.2, 3.0, 0.1),
    Occupation("経理事務", "事務職", 0.1, 2.5, 0.2),
    Occupation("公務員（行政職）", "事務職", 0.1, 4.0, 0.1),
    Occupation("銀行員", "事務職", 0.1, 1.5, 0.0),
    Occupation("医師", "専門・技術職", 0.0, 0.6, 0.2),
    Occupation("看護師", "専門・技術職", 0.2, 2.0, 0.2),
    Occupation("薬剤師", "専門・技術職", 0.0, 0.5, 0.1),
    Occupation("教員", "専門・技術職", 0.0, 1.8, 0.1),
    Occupation("システムエンジニア", "専門・技術職", 0.2, 3.5, 0.1),
    Occupation("建築士", "専門・技術職", 0.0, 0.5, 0.1),
    Occupation("弁護士", "専門・技術職", 0.0, 0.2, 0.05),
    Occupation("研究者", "専門・技術職", 0.0, 0.5, 0.05),
    Occupation("保育士", "専門・技術職", 0.2, 1.0, 0.05),
    Occupation("宗教家", "専門・技術職", 0.0, 0.02, 0.02),
    Occupation("販売員", "販売・サービス職", 1.5, 3.5, 0.4),
    Occupation("営業職", "販売・サービス職", 0.3, 5.0, 0.2),
    Occupation("調理師", "販売・サービス職", 0.2, 1.2, 0.2),
    Occupation("美容師", "販売・サービス職", 0.3, 0.8, 0.1),
    Occupation("飲食店店員", "販売・サービス職", 2.5, 1.5, 0.2),
    Occupation("介護職員", "販売・サービス職", 0.3, 2.0, 0.3),
    Occupation("警備員", "販売・サービス職", 0.1, 0.8, 0.6),
    Occupation("自営業（小売）", "販売・サービス職", 0.0, 1.5, 1.0),
    Occupation("工場作業員", "生産・労務職", 0.8, 3.5, 0.3),
    Occupation("建設作業員", "生産・労務職", 0.5, 2.0, 0.2),
    Occupation("運転手", "生産・労務職", 0.1, 2.0, 0.4),
    Occupation("配送員", "生産・労務職", 0.5, 1.5, 0.1),
    Occupation("農業", "生産・労務職", 0.1, 0.8, 1.5),
    Occupation("漁業", "生産・労務職", 0.0, 0.2, 0.3),
    Occupation("清掃員", "生産・労務職", 0.1, 0.6, 0.8),
    Occupation("パート・アルバイト", "無職・その他", 3.0, 4.0, 1.5),
    Occupation("主婦・主夫", "無職・その他", 0.1, 4.5, 5.0),
    Occupation("学生", "無職・その他", 12.0, 0.3, 0.0),
    Occupation("年金受給者", "無職・その他", 0.0, 0.2, 12.0),
    Occupation("無職", "無職・その他", 0.5, 1.0, 4.0),
)

DISEASES: tuple[Disease, ...] = (
    Disease("感染性胃腸炎", "感染症", 3.0, 3.0),
    Disease("帯状疱疹", "感染症", 1.5, 2.0),
    Disease("クロイツフェルト・ヤコブ病", "感染症", 0.0, 0.0),  # rare: placed explicitly
    Disease("胃がん", "新生物", 2.0, 1.0, True),
    Disease("大腸がん", "新生物", 2.0, 1.5, True),
    Disease("肺がん", "新生物", 2.0, 1.0, True),
    Disease("乳がん", "新生物", 0.0, 3.0, True),
    Disease("前立腺がん", "新生物", 2.0, 0.0, True),
    Disease("子宮筋腫", "新生物", 0.0, 2.5),
    Disease("糖尿病", "内分泌・代謝疾患", 2.5, 1.5),
    Disease("ファブリー病", "内分泌・代謝疾患", 0.0, 0.0),  # rare: placed explicitly
    Disease("高血圧症", "循環器系の疾患", 2.0, 1.5),
    Disease("狭心症", "循環器系の疾患", 2.0, 1.0, True),
    Disease("急性心筋梗塞", "循環器系の疾患", 1.5, 0.7, True),
    Disease("脳梗塞", "循環器系の疾患", 2.0, 1.2, True),
    Disease("脳出血", "循環器系の疾患", 1.0, 0.7, True),
    Disease("心不全", "循環器系の疾患", 1.0, 1.0, True),
    Disease("肺炎", "呼吸器系の疾患", 3.0, 2.5, True),
    Disease("気管支喘息", "呼吸器系の疾患", 1.5, 1.5),
    Disease("インフルエンザ", "呼吸器系の疾患", 2.5, 2.5),
    Disease("急性気管支炎", "呼吸器系の疾患", 2.0, 2.0),
    Disease("急性虫垂炎", "消化器系の疾患", 2.0, 2.0),
    Disease("胃潰瘍", "消化器系の疾患", 1.5, 1.0),
    Disease("胆石症", "消化器系の疾患", 1.2, 1.5),
    Disease("鼠径ヘルニア", "消化器系の疾患", 1.5, 0.3),
    Disease("逆流性食道炎", "消化器系の疾患", 1.0, 1.0),
    Disease("腰椎椎間板ヘルニア", "筋骨格系の疾患", 2.0, 1.5),
    Disease("変形性膝関節症", "筋骨格系の疾患", 1.0, 2.0),
    Disease("関節リウマチ", "筋骨格系の疾患", 0.5, 1.5),
    Disease("大腿骨骨折", "損傷・中毒", 1.0, 2.0),
    Disease("手関節骨折", "損傷・中毒", 1.5, 2.0),
    Disease("足関節捻挫", "損傷・中毒", 2.0, 2.0),
    Disease("頸椎捻挫", "損傷・中毒", 2.0, 2.0),
    Disease("打撲", "損傷・中毒", 2.0, 1.5),
    Disease("熱中症", "損傷・中毒", 1.0, 0.8),
    Disease("白内障", "その他", 1.5, 2.0),
    Disease("尿路結石", "その他", 1.5, 0.7),
    Disease("慢性腎臓病", "その他", 1.0, 0.8, True),
    Disease("うつ病", "その他", 1.0, 1.5),
    Disease("切迫早産", "その他", 0.0, 1.0),
    Disease("筋萎縮性側索硬化症", "その他", 0.0, 0.0),  # rare: placed explicitly
)

#: Diseases that occur only a handful of times (特異な記述 for the rare-category merging to catch).
RARE_DISEASES: tuple[str, ...] = ("クロイツフェルト・ヤコブ病", "ファブリー病", "筋萎縮性側索硬化症")

PRODUCTS: tuple[Product, ...] = (
    Product("家財", 0.25, (4_000, 20_000), (3_000_000, 5_000_000, 8_000_000, 10_000_000), (20, 70), 0.0),
    Product("ペット", 0.15, (1_500, 6_000), (500_000, 700_000, 1_000_000), (22, 70), 0.0),
    Product("少額医療", 0.42, (1_200, 5_500), (300_000, 500_000, 800_000), (18, 79), 1.3),
    Product("葬儀", 0.10, (1_000, 8_000), (500_000, 1_000_000, 2_000_000, 3_000_000), (50, 89), 0.3),
    Product("死亡", 0.08, (500, 6_000), (1_000_000, 2_000_000, 3_000_000), (20, 85), 0.3),
)

N_AGENCIES = 40
#: Agencies 38-40 sell almost nothing: an agency code that identifies a handful of customers.
N_RARE_AGENCIES = 3
