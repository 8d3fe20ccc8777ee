"""The demo's data: eight fictional companies, their plants, products, bills of materials and
CFP figures, and the lines of the story (who sends a request back, who uploads a certificate).

A new scenario that needs more data (a passport, a second-life listing, a recycler's report)
adds its own table here or in a module of its own beside this one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

D = Decimal
Dqr3 = tuple[Decimal, Decimal, Decimal]

DEMO_API_KEY = "Demo-APIKey"
DEMO_PASSWORD = "Demo&user_01"


def corporate_number(base: str) -> str:
    """A 13-digit Japanese corporate number: check digit + 12-digit base (NTA rule)."""
    total = sum(int(d) * (1 if n % 2 else 2) for n, d in enumerate(reversed(base), start=1))
    return f"{9 - total % 9}{base}"


@dataclass(frozen=True)
class Company:
    key: str
    name: str
    short: str
    base_number: str
    address: str
    email: str
    plant: str
    plant_address: str

    @property
    def open_operator_id(self) -> str:
        return corporate_number(self.base_number)

    @property
    def open_plant_id(self) -> str:
        return f"{self.open_operator_id}000001"


@dataclass(frozen=True)
class Footprint:
    """A CFP set as its owner registers it (#15): kgCO2e per declared unit, with DQR.

    `*_production` are the owner's own emissions, `*_component` those of materials it buys
    without a trace (estimated from secondary data). A stage's DQR is None when nothing is
    emitted in it.
    """

    pre_production: Decimal
    pre_component: Decimal
    main_production: Decimal
    main_component: Decimal
    pre_dqr: Dqr3 | None
    main_dqr: Dqr3 | None


def footprint(
    pre: tuple[str, str], main: tuple[str, str], pre_dqr: str | None, main_dqr: str | None
) -> Footprint:
    """Footprint from ("own", "component") per stage and DQR written as "TeR GeR TiR"."""

    def dqr(text: str | None) -> Dqr3 | None:
        if text is None:
            return None
        ter, ger, tir = (D(v) for v in text.split())
        return ter, ger, tir

    return Footprint(D(pre[0]), D(pre[1]), D(main[0]), D(main[1]), dqr(pre_dqr), dqr(main_dqr))


@dataclass(frozen=True)
class Input:
    """A child part in a company's structure: bought from a demo supplier (a CFP request is
    sent for it), or estimated in house (a terminated part whose CFP the company enters)."""

    name: str
    label: str
    amount: Decimal
    unit: str
    supplier: str | None = None
    estimate: Footprint | None = None

    @property
    def support(self) -> str:
        return COMPANY[self.supplier].short if self.supplier else "in-house estimate"


@dataclass(frozen=True)
class Product:
    company: str
    name: str
    label: str
    unit: str
    own: Footprint
    inputs: tuple[Input, ...] = ()
    kwh: Decimal | None = None
    period: str = "FY2025"

    @property
    def terminated(self) -> bool:
        return not self.inputs


COMPANIES = (
    Company(
        "oem",
        "Aozora Motors Corporation",
        "Aozora Motors",
        "999901000001",
        "1-1 Aozora-cho, Toyohashi-shi, Aichi",
        "carmaker@aozora-motors.example",
        "Tsubasa Assembly Plant",
        "5-1 Minato-cho, Toyohashi-shi, Aichi",
    ),
    Company(
        "pack",
        "Tsubame Battery Systems Co., Ltd.",
        "Tsubame Battery",
        "999901000002",
        "2-8 Showa-cho, Kariya-shi, Aichi",
        "pack@tsubame-battery.example",
        "Kariya Pack Plant",
        "3-15 Showa-cho, Kariya-shi, Aichi",
    ),
    Company(
        "cell",
        "Hikari Cell Energy Co., Ltd.",
        "Hikari Cell",
        "999901000003",
        "4-2 Hama-dori, Himeji-shi, Hyogo",
        "cells@hikari-cell.example",
        "Himeji Cell Plant",
        "10-1 Shikama-ku, Himeji-shi, Hyogo",
    ),
    Company(
        "cam",
        "Kawasemi Cathode Materials Co., Ltd.",
        "Kawasemi Cathode",
        "999901000004",
        "7-3 Isoura-cho, Niihama-shi, Ehime",
        "cam@kawasemi-cathode.example",
        "Niihama Works",
        "7-5 Isoura-cho, Niihama-shi, Ehime",
    ),
    Company(
        "anode",
        "Kurogane Graphite Co., Ltd.",
        "Kurogane Graphite",
        "999901000005",
        "1-6 Kurosaki, Kitakyushu-shi, Fukuoka",
        "anode@kurogane-graphite.example",
        "Kitakyushu Works",
        "2-20 Wakamatsu-ku, Kitakyushu-shi, Fukuoka",
    ),
    Company(
        "electrolyte",
        "Seiryu Electrolyte Co., Ltd.",
        "Seiryu Electrolyte",
        "999901000006",
        "3-3 Okinoyama, Ube-shi, Yamaguchi",
        "electrolyte@seiryu-chem.example",
        "Ube Works",
        "1-12 Okinoyama, Ube-shi, Yamaguchi",
    ),
    Company(
        "separator",
        "Shirakaba Separator Film Co., Ltd.",
        "Shirakaba Separator",
        "999901000007",
        "9-1 Moriyama, Moriyama-shi, Shiga",
        "separator@shirakaba-film.example",
        "Moriyama Film Works",
        "9-30 Moriyama, Moriyama-shi, Shiga",
    ),
    Company(
        "lithium",
        "Minato Lithium Refining Co., Ltd.",
        "Minato Lithium",
        "999901000008",
        "6-1 Kasumigaura, Yokkaichi-shi, Mie",
        "lithium@minato-lithium.example",
        "Yokkaichi Refinery",
        "6-40 Kasumigaura, Yokkaichi-shi, Mie",
    ),
)
# Outside the CFP chain, for the loop (`loop`): a recycler and the maker of the magnets of the
# car maker's electric drive unit. Registered and logged in with the others.
LOOP_COMPANIES = (
    Company(
        "recycler",
        "Kaeru Battery Recycling Co., Ltd.",
        "Kaeru Recycling",
        "999901000009",
        "8-2 Hibikinada, Kitakyushu-shi, Fukuoka",
        "recycling@kaeru-recycling.example",
        "Hibiki Recycling Plant",
        "8-20 Hibikinada, Kitakyushu-shi, Fukuoka",
    ),
    Company(
        "magnet",
        "Raiden Magnetics Co., Ltd.",
        "Raiden Magnetics",
        "999901000010",
        "5-5 Takefu, Echizen-shi, Fukui",
        "magnets@raiden-magnetics.example",
        "Takefu Magnet Plant",
        "5-50 Takefu, Echizen-shi, Fukui",
    ),
)
COMPANY = {company.key: company for company in (*COMPANIES, *LOOP_COMPANIES)}
ROOT = "oem"

# Bills of materials per unit of the parent, and CFP figures in kgCO2e per declared unit.
# A 60 kWh pack of 96 prismatic NMC811 cells (172 Ah x 3.65 V = 0.6278 kWh each).
CELL_KWH = D("0.6278")
PACK_KWH = 96 * CELL_KWH
PRODUCTS = {
    product.company: product
    for product in (
        Product(
            "oem",
            "AZ-BS60-S1",
            "Traction battery system, BEV sedan S1",
            "unit",
            footprint(("0", "0"), ("18", "0"), None, "1 1 1"),
            (
                Input("P-TB60", "Battery pack 60 kWh", D(1), "unit", supplier="pack"),
                Input(
                    "P-FRAME-ST",
                    "Battery mounting frame, steel",
                    D(14),
                    "kilogram",
                    estimate=footprint(("0", "2.1"), ("0", "0.25"), "3 2 3", "3 2 3"),
                ),
            ),
            kwh=PACK_KWH,
        ),
        Product(
            "pack",
            "TB-60",
            "Battery pack 60 kWh, 96s1p",
            "unit",
            footprint(("0", "0"), ("95", "0"), None, "1 1 1"),
            (
                Input("C-HC172", "Prismatic cell NMC811 172 Ah", D(96), "unit", supplier="cell"),
                Input(
                    "H-AL-42",
                    "Pack housing, aluminium",
                    D(42),
                    "kilogram",
                    estimate=footprint(("0", "8.6"), ("0", "1.4"), "2 4 2", "2 4 2"),
                ),
                Input(
                    "E-BMS-M",
                    "Battery management system",
                    D(1),
                    "unit",
                    estimate=footprint(("0", "38"), ("0", "6.5"), "4 3 3", "4 3 3"),
                ),
            ),
            kwh=PACK_KWH,
        ),
        Product(
            "cell",
            "HC-172",
            "Prismatic cell NMC811 172 Ah 3.65 V",
            "unit",
            footprint(("0", "0"), ("11.2", "0"), None, "1 1 1"),
            (
                Input("M-CAM811", "Cathode active material NMC811", D("1.05"), "kilogram", "cam"),
                Input("M-GR-SYN", "Graphite anode material", D("0.68"), "kilogram", "anode"),
                Input("M-EL-12", "Electrolyte 1.2 M LiPF6", D("0.52"), "liter", "electrolyte"),
                Input("M-SEP-12", "Separator 12 um", D("9.6"), "square-meter", "separator"),
                Input(
                    "M-CAN-FOIL",
                    "Cell can, Cu/Al foils and tabs",
                    D("0.95"),
                    "kilogram",
                    estimate=footprint(("0", "6.8"), ("0", "1.2"), "3 3 3", "3 3 3"),
                ),
            ),
            kwh=CELL_KWH,
        ),
        Product(
            "cam",
            "KC-811",
            "NMC811 cathode active material",
            "kilogram",
            footprint(("0", "0"), ("3.8", "0"), None, "1 2 1"),
            (
                Input("R-LIOH", "Lithium hydroxide monohydrate", D("0.46"), "kilogram", "lithium"),
                Input(
                    "R-PCAM811",
                    "NMC811 precursor (pCAM)",
                    D("0.98"),
                    "kilogram",
                    estimate=footprint(("0", "9.4"), ("0", "2.1"), "3 3 2", "3 3 2"),
                ),
            ),
        ),
        Product(
            "anode",
            "KG-SG30",
            "Synthetic graphite anode material",
            "kilogram",
            footprint(("0.9", "1.6"), ("5.2", "0"), "2 2 2", "1 1 2"),
        ),
        Product(
            "electrolyte",
            "SE-12A",
            "Electrolyte 1.2 M LiPF6 in EC/EMC",
            "liter",
            footprint(("0.3", "3.4"), ("0.9", "0"), "2 3 2", "1 2 1"),
        ),
        Product(
            "separator",
            "SF-12W",
            "PE separator 12 um, ceramic coated",
            "square-meter",
            footprint(("0", "0.11"), ("0.28", "0.04"), "3 2 2", "1 1 1"),
        ),
        Product(
            "lithium",
            "LHM-BG",
            "Lithium hydroxide monohydrate, battery grade",
            "kilogram",
            footprint(("1.2", "6.9"), ("5.1", "0.8"), "2 1 1", "1 1 1"),
        ),
    )
}

# The one request that is sent back once, and what both sides say.
SENDS_BACK = "electrolyte"
SEND_BACK_REASON = (
    "Which grade do you need? We supply SE-12A (standard) and SE-12H (high voltage); "
    "please name the grade in your request."
)
REQUEST_AGAIN = "Grade SE-12A (1.2 M LiPF6 in EC/EMC) as in spec HC-172-EL rev.3, please."
CERTIFIED_BY = "lithium"
CERTIFICATE_NAME = "LHM-BG_CFP_FY2025.pdf"

UNIT_SHORT = {"kilogram": "kg", "liter": "L", "square-meter": "m2", "unit": "unit"}


def tiers() -> dict[str, int]:
    """Each company's distance from the car maker (the longest path, if several)."""
    tier = {ROOT: 0}
    frontier = [ROOT]
    while frontier:
        following = []
        for key in frontier:
            for item in PRODUCTS[key].inputs:
                if item.supplier is not None and tier.get(item.supplier, -1) < tier[key] + 1:
                    tier[item.supplier] = tier[key] + 1
                    following.append(item.supplier)
        frontier = following
    return tier
