"""Unit tests of the message catalogue and locale negotiation."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.assigner.messages import MESSAGES as ASSIGNER
from services.availability.messages import MESSAGES as AVAILABILITY
from services.optimizer.messages import MESSAGES as OPTIMIZER
from services.state.messages import MESSAGES as STATE
from shared.messages import CATALOGUE, DuplicateMessage, catalogue_with, pick_locale, render

SERVICES = {
    "assigner": ASSIGNER,
    "availability": AVAILABILITY,
    "optimizer": OPTIMIZER,
    "state": STATE,
}
REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("de-DE, en;q=0.5", "en"),
        ("de-DE", "en"),
        ("en;q=0.3, fr;q=0.7", "fr"),
        ("", "en"),
        (None, "en"),
        ("fr;q=0", "en"),
        ("garbage;;q=x", "en"),
    ],
)
def test_the_best_supported_locale_is_picked(header, locale):
    assert pick_locale(header) == locale


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_every_locale_has_every_message_of_a_service_joined_to_the_shared_ones(service):
    catalogue = catalogue_with(SERVICES[service])
    keys = set(catalogue["en"])
    assert keys > set(CATALOGUE["en"])
    for locale, texts in catalogue.items():
        assert set(texts) == keys, locale


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_service_keeps_only_the_messages_its_own_code_raises(service):
    source = "".join(p.read_text() for p in (REPO / "services" / service).rglob("*.py"))
    others = "".join(
        p.read_text()
        for p in [*(REPO / "services").rglob("*.py"), *(REPO / "shared").rglob("*.py")]
        if f"services/{service}/" not in str(p) and p.name != "messages.py"
    )
    for key in SERVICES[service]["en"]:
        assert f'"{key}"' in source.replace(f'"{key}": ', ""), f"{key} is never raised"
        assert f'"{key}"' not in others, f"{key} is raised elsewhere too: it belongs in shared"


def test_a_message_key_defined_twice_is_refused():
    with pytest.raises(DuplicateMessage, match="venue_not_allowed"):
        catalogue_with({"en": {"venue_not_allowed": "again"}})
    with pytest.raises(DuplicateMessage, match="no_capacity"):
        catalogue_with(ASSIGNER, {"en": {"no_capacity": "again"}})


def test_a_service_message_renders_from_the_joined_catalogue_only():
    catalogue = catalogue_with(ASSIGNER)
    assert render("no_capacity", "fr", {"party_size": 4}, catalogue).endswith("à cette heure.")
    assert render("no_capacity", "en", {"party_size": 4}) == "no_capacity"


def test_a_message_is_rendered_with_its_parameters_and_falls_back_to_english():
    assert render("venue_not_allowed", "fr", {"venue_id": "b"}).endswith("établissement b.")
    assert render("venue_not_allowed", "xx", {"venue_id": "b"}) == (
        "Your token does not cover venue b."
    )
    assert "{venue_id}" in render("venue_not_allowed", "en", {})
