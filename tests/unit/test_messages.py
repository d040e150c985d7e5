"""Unit tests of the message catalogue and locale negotiation."""

from __future__ import annotations

import pytest

from shared.messages import CATALOGUE, pick_locale, render


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


def test_every_locale_has_every_message():
    keys = set(CATALOGUE["en"])
    for locale, texts in CATALOGUE.items():
        assert set(texts) == keys, locale


def test_a_message_is_rendered_with_its_parameters_and_falls_back_to_english():
    assert render("venue_not_allowed", "fr", {"venue_id": "b"}).endswith("établissement b.")
    assert render("venue_not_allowed", "xx", {"venue_id": "b"}) == (
        "Your token does not cover venue b."
    )
    assert "{venue_id}" in render("venue_not_allowed", "en", {})
