"""The built-in questionnaire: the supply-chain due-diligence obligations of Regulation (EU)
2023/1542 Art. 48–52 for the four Annex X raw materials, each question mapped to an OECD step
and to the Annex X risk categories it evidences.

The wording is battrace's own; article numbers and categories are the Regulation's.
"""

from __future__ import annotations

import uuid
from typing import Any

BUILTIN_TEMPLATE_ID = uuid.UUID("0d1e4a52-5b0c-4c1b-9a55-6d64a1e7b001")
BUILTIN_CODE = "BATTRACE.EU-BR-DD"
BUILTIN_VERSION = 1
BUILTIN_TITLE_JA = "電池規則 (EU) 2023/1542 サプライチェーン・デューディリジェンス(第48〜52条)"
BUILTIN_TITLE_EN = "EU Battery Regulation 2023/1542 supply-chain due diligence (Art. 48-52)"

_PEOPLE = ["labour_rights", "human_rights", "community_life"]
_WORKERS = ["occupational_health_safety", "labour_rights", "human_health"]
_NATURE = ["air", "water", "soil", "biodiversity", "human_health"]


def _q(
    code: str,
    ja: str,
    en: str,
    answer_type: str,
    step: int,
    *,
    per_material: bool = False,
    required: bool = True,
    categories: list[str] | None = None,
    polarity: str = "control",
    evidence: list[str] | None = None,
    weight: float = 1.0,
    article: str | None = None,
) -> dict[str, Any]:
    return {
        "code": code,
        "text": {"ja": ja, "en": en},
        "answerType": answer_type,
        "perMaterial": per_material,
        "required": required,
        "oecdStep": step,
        "riskCategories": categories or [],
        "polarity": polarity,
        "evidence": evidence or [],
        "weight": weight,
        "article": article,
    }


BUILTIN_QUESTIONS: list[dict[str, Any]] = [
    # Company-wide: the management system (OECD step 1)
    _q(
        "BR49.POLICY",
        "Annex X の原材料に関するサプライチェーン・デューディリジェンス方針を採択していますか。",
        "Has your company adopted a supply-chain due-diligence policy for the Annex X raw "
        "materials?",
        "yes_no",
        1,
        evidence=["policy"],
        weight=2.0,
        article="Art. 48(1), 49(1)(a)",
    ),
    _q(
        "BR49.COMMUNICATED",
        "その方針を供給者及び一般に周知していますか。",
        "Is the policy communicated to your suppliers and the public?",
        "yes_no",
        1,
        article="Art. 49(1)(a)",
    ),
    _q(
        "BR49.CONTRACTS",
        "その方針を供給者との契約に組み込んでいますか。",
        "Is the policy incorporated into your contracts with suppliers?",
        "yes_no",
        1,
        evidence=["supplier_contract_clause"],
        article="Art. 49(1)(c)",
    ),
    _q(
        "BR49.SENIOR_MANAGEMENT",
        "デューディリジェンスの責任を負う上級管理職を任命していますか。",
        "Is a member of senior management responsible for due diligence?",
        "yes_no",
        1,
        article="Art. 49(1)(b)",
    ),
    _q(
        "BR49.GRIEVANCE",
        "苦情処理メカニズム(早期警戒の仕組み)を設けていますか。",
        "Do you operate a grievance mechanism (early-warning system) open to affected people?",
        "yes_no",
        1,
        categories=_PEOPLE,
        evidence=["grievance_procedure"],
        article="Art. 49(1)(e)",
    ),
    # Company-wide: risk management (steps 2 and 3)
    _q(
        "BR50.RISK_ASSESSMENT",
        "過去12か月以内に Annex X の各リスク分類についてリスクを特定・評価しましたか。",
        "Have you identified and assessed risks in every Annex X category in the last 12 months?",
        "yes_no",
        2,
        article="Art. 50(1)",
    ),
    _q(
        "BR50.RISK_PLAN",
        "リスク管理計画を策定し、上級管理職に報告していますか。",
        "Do you have a risk-management plan, reported to senior management?",
        "yes_no",
        3,
        evidence=["risk_management_plan"],
        weight=2.0,
        article="Art. 50(2)",
    ),
    # Company-wide: verification and reporting (steps 4 and 5)
    _q(
        "BR51.VERIFICATION",
        "デューディリジェンス方針は第三者(通知機関)の検証を受けていますか。",
        "Has a notified body (independent third party) verified your due-diligence policy?",
        "yes_no",
        4,
        evidence=["audit_report", "certificate"],
        weight=2.0,
        article="Art. 48(2), 51",
    ),
    _q(
        "BR52.PUBLIC_REPORT",
        "デューディリジェンスに関する報告書を毎年公表していますか。",
        "Do you publish a due-diligence report every year?",
        "yes_no",
        5,
        evidence=["public_report"],
        article="Art. 52(3)",
    ),
    _q(
        "BR52.REPORT_URL",
        "公表報告書の URL",
        "Address (URL) of the published report",
        "text",
        5,
        required=False,
        polarity="info",
        article="Art. 52(3)",
    ),
    # Per material: sourcing and chain of custody
    _q(
        "MAT.CONTAINED",
        "供給する製品にこの原材料(又はその化合物)が含まれますか。",
        "Is this raw material (or a compound of it) contained in the products you supply?",
        "yes_no",
        2,
        per_material=True,
        polarity="info",
    ),
    _q(
        "MAT.CAHRA",
        "この原材料の一部でも紛争地域・高リスク地域(CAHRA)から調達していますか。",
        "Is any of this raw material sourced from conflict-affected or high-risk areas?",
        "yes_no",
        2,
        per_material=True,
        categories=[*_PEOPLE, "occupational_health_safety"],
        polarity="risk",
        article="Annex X(2)",
    ),
    _q(
        "MAT.FORCED_CHILD_LABOUR",
        "上流の拠点で児童労働又は強制労働の事案を把握していますか。",
        "Are you aware of child labour or forced labour at any upstream site?",
        "yes_no",
        2,
        per_material=True,
        categories=[*_WORKERS, "human_rights"],
        polarity="risk",
        article="Annex X(2)(g)",
    ),
    _q(
        "MAT.ENVIRONMENT_ASSESSED",
        "上流の拠点について大気・水・土壌・生物多様性への影響を評価していますか。",
        "Are upstream sites assessed for impacts on air, water, soil and biodiversity?",
        "yes_no",
        2,
        per_material=True,
        categories=_NATURE,
    ),
    _q(
        "MAT.CHAIN_OF_CUSTODY",
        "加工履歴(チェーン・オブ・カストディ)で上流の製錬所・精製所をすべて特定していますか。",
        "Does your chain of custody identify every upstream smelter and refiner?",
        "yes_no",
        1,
        per_material=True,
        evidence=["coc_record"],
        weight=2.0,
        article="Art. 49(1)(d)",
    ),
    _q(
        "MAT.SUPPLIERS_RESPONDED",
        "回答を得た関連供給者の割合(%)",
        "Share of relevant suppliers that have answered your due-diligence request (%)",
        "percent",
        2,
        per_material=True,
    ),
    _q(
        "MAT.FACILITIES",
        "製錬所・精製所リスト",
        "Smelters and refiners in your supply chain",
        "facility_list",
        2,
        per_material=True,
        polarity="info",
    ),
    _q(
        "MAT.FACILITIES_AUDITED",
        "特定した製錬所・精製所はすべて認定スキーム(RMAP、Copper Mark 等)の監査を受けていますか。",
        "Are all identified smelters and refiners audited under a recognised scheme (RMAP, "
        "Copper Mark, …)?",
        "yes_no",
        4,
        per_material=True,
        evidence=["audit_report", "certificate"],
        weight=2.0,
        article="Art. 48(4), 53",
    ),
    _q(
        "MAT.RECYCLED_SHARE",
        "再生材(リサイクル・スクラップ由来)の割合(%)",
        "Share from recycled or scrap sources (%)",
        "percent",
        2,
        per_material=True,
        required=False,
        polarity="info",
    ),
]
