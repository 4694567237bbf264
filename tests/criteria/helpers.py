"""Small framework files for the criteria tests (the shipped one is tested on its own)."""

from __future__ import annotations

import copy

import yaml

LABELS = ("Non satisfait", "Partiellement satisfait", "Satisfait", "Exemplaire")


def criterion(code: str, **fields) -> dict:
    data = {
        "code": code,
        "title": f"Critère {code}",
        "guidance": f"Ce que demande {code}, d'après le RGPD.",
        "evidence_expected": "Un document signé.",
        "weight": 1,
        "levels": [
            {"value": value, "label": label, "descriptor": f"{label} pour {code}."}
            for value, label in enumerate(LABELS)
        ],
    }
    data.update(fields)
    return data


BASE = {
    "framework": {"code": "cadre-test", "name": "Cadre de test"},
    "version": "2026.1",
    "label": "Cadre de test — version 2026.1",
    "thresholds": {"approve": 75, "approve_with_conditions": 55},
    "domains": [
        {
            "code": "RGPD",
            "name": "Protection des données",
            "description": "Données personnelles des élèves.",
            "weight": 2,
            "criteria": [
                criterion(
                    "RGPD-01",
                    weight=3,
                    eliminatory=True,
                    min_level=2,
                    applies_if="processes_personal_data",
                ),
                criterion("RGPD-02", applies_if="processes_personal_data"),
            ],
        },
        {
            "code": "PEDA",
            "name": "Pédagogie",
            "description": "Intérêt pédagogique.",
            "weight": 1,
            "criteria": [criterion("PEDA-01", weight=2), criterion("PEDA-02")],
        },
        {
            "code": "ACCES",
            "name": "Accessibilité",
            "description": "RGAA.",
            "weight": 1,
            "criteria": [criterion("ACCES-01", eliminatory=True, min_level=1)],
        },
    ],
}


def framework_data(**top) -> dict:
    data = copy.deepcopy(BASE)
    data.update(top)
    return data


def yaml_text(data: dict | None = None) -> str:
    return yaml.safe_dump(
        data if data is not None else framework_data(), allow_unicode=True, sort_keys=False
    )
