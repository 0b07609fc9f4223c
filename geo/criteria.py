"""Slum scoring rules as data: one JSON table per regulation in ``geo/rules/``.

The Permen PUPR 14/2018 table is the default (DOMAIN.md section 2).  The older 02/2016 rule
(19 criteria, maximum 95) can be added as a second file; every score carries its rule id, and
scores under different rules are never compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

RULES_DIR = Path(__file__).parent / "rules"
DEFAULT_RULE = "permen-pupr-14-2018"
PROFILE_FIELDS = (
    "luas_verifikasi_ha",
    "jumlah_bangunan",
    "jumlah_penduduk",
    "jumlah_kk",
    "panjang_jalan_ideal_m",
    "panjang_drainase_ideal_m",
)


@dataclass(frozen=True)
class Criterion:
    id: str
    aspect: int
    name: str
    unit: str  # "bangunan", "ha", "m" or "KK"
    denominator: str  # an RT profile field


@dataclass(frozen=True)
class Band:
    min: int
    code: str
    label: dict[str, str]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    criteria: tuple[Criterion, ...]
    thresholds: tuple[tuple[float, int], ...]  # (minimum percentage, score), highest first
    bands: tuple[Band, ...]  # highest first
    max_total: int
    aspects: dict[int, str]
    basic_services: dict[str, int]  # service name -> aspect number
    graduation_coverage_pct: float

    @property
    def criterion_ids(self) -> list[str]:
        return [c.id for c in self.criteria]


@cache
def load_rule(rule_id: str = DEFAULT_RULE) -> Rule:
    path = RULES_DIR / f"{rule_id.replace('-', '_')}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return Rule(
        id=raw["id"],
        title=raw["title"],
        criteria=tuple(
            Criterion(c["id"], int(c["aspect"]), c["name"], c["unit"], c["denominator"]) for c in raw["criteria"]
        ),
        thresholds=tuple((float(t), int(s)) for t, s in raw["score_thresholds"]),
        bands=tuple(Band(int(b["min"]), b["code"], {"id": b["id"], "en": b["en"]}) for b in raw["bands"]),
        max_total=int(raw["max_total"]),
        aspects={int(k): v for k, v in raw["aspects"].items()},
        basic_services={k: int(v) for k, v in raw["basic_services"].items()},
        graduation_coverage_pct=float(raw["graduation_coverage_pct"]),
    )


def available_rules() -> list[str]:
    return sorted(json.loads(p.read_text(encoding="utf-8"))["id"] for p in RULES_DIR.glob("*.json"))


CRITERIA: dict[str, Criterion] = {c.id: c for c in load_rule().criteria}

UNIT_ALIASES = {
    "m": "m",
    "meter": "m",
    "ha": "ha",
    "hektar": "ha",
    "kk": "KK",
    "bangunan": "bangunan",
    "unit_bangunan": "bangunan",
    "unit": "bangunan",
}
