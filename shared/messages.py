"""The message catalogue: the user-facing error texts of shared errors, and how to render any.

Each service keeps its own texts in its `messages.py` and hands them to `start_server`, which
joins them to these (`catalogue_with`): a key is defined once, by the code that raises it.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LOCALE = "en"

# Texts by locale, then by message key.
Messages = Mapping[str, Mapping[str, str]]

# The texts of errors raised by shared code, or by more than one service.
CATALOGUE: Messages = {
    "en": {
        "internal": "An internal error occurred. Quote request id {request_id} to support.",
        "invalid_argument": "The request has invalid fields: {fields}.",
        "not_found": "{resource} {id} was not found.",
        "stale_version": "The booking changed since you read it (you sent version {expected}, "
        "it is at {current}). Read it again and retry.",
        "illegal_transition": "A booking in {current} cannot move to {target}. "
        "Allowed next states: {allowed}.",
        "request_id_reused": "Request id {request_id} was already used with a different payload.",
        "unauthenticated": "A valid bearer token is required: {problem}.",
        "role_not_allowed": "Your role does not allow {method}.",
        "venue_not_allowed": "Your token does not cover venue {venue_id}.",
        "ops_role_required": "Only ops staff may move a booking out of manual review.",
        "conflict": "Another change got there first: {what}. Retry.",
        "failed_precondition": "Not possible now: {what}.",
        "dependency_unavailable": "{dependency} did not answer. Retry shortly, with the same "
        "request id or expected version.",
        "rate_limited": "Too many calls; retry in {retry_after} s.",
        "field.required": "This field is required.",
        "field.too_long": "At most {max} characters.",
        "field.bad_format": "The value does not have the expected format: {format}.",
        "field.out_of_range": "Must be between {min} and {max}.",
        "field.unknown_zone": "The venue has no zone with this id.",
        "field.no_turn_time": "The venue has no turn time for a party of {party_size}.",
        "field.bad_page_token": "The page token is not valid for this query.",
        "field.bad_window": "Needs a start before its end, at most {hours} hours apart.",
        "field.duplicate": "This value appears more than once.",
        "field.too_large": "Must be at most {max}.",
        "booking_not_ready": "Booking {booking_id} is in {state}; this call needs one of: "
        "{needed}.",
        # Any request (shared/request_check.py).
        "field.undecodable": "The request is not a valid message of this call (bad bytes or "
        "a string that is not UTF-8).",
        "field.nul_character": "Must not contain the character U+0000.",
        "field.not_finite": "Must be a finite number (not NaN or infinite).",
        "field.unknown_enum_value": "Not a value this field defines.",
        "field.too_many": "At most {max} items.",
        "field.window_too_long": "The window may span at most {max}.",
    },
    "fr": {
        "internal": "Une erreur interne est survenue. Citez l'identifiant {request_id} au support.",
        "invalid_argument": "La requête contient des champs invalides : {fields}.",
        "not_found": "{resource} {id} est introuvable.",
        "stale_version": "La réservation a changé depuis votre lecture "
        "(version envoyée {expected}, "
        "version actuelle {current}). Relisez-la puis réessayez.",
        "illegal_transition": "Une réservation à l'état {current} ne peut pas passer à {target}. "
        "États suivants possibles : {allowed}.",
        "request_id_reused": "L'identifiant de requête {request_id} a déjà servi "
        "avec un contenu différent.",
        "unauthenticated": "Un jeton porteur valide est requis : {problem}.",
        "role_not_allowed": "Votre rôle ne permet pas {method}.",
        "venue_not_allowed": "Votre jeton ne couvre pas l'établissement {venue_id}.",
        "ops_role_required": "Seule l'équipe ops peut sortir une réservation de la revue manuelle.",
        "conflict": "Une autre modification est passée avant : {what}. Réessayez.",
        "failed_precondition": "Impossible pour l'instant : {what}.",
        "dependency_unavailable": "{dependency} n'a pas répondu. Réessayez dans un instant, avec "
        "le même identifiant de requête ou la même version attendue.",
        "rate_limited": "Trop d'appels ; réessayez dans {retry_after} s.",
        "field.required": "Ce champ est obligatoire.",
        "field.too_long": "{max} caractères au plus.",
        "field.bad_format": "La valeur n'a pas le format attendu : {format}.",
        "field.out_of_range": "Doit être compris entre {min} et {max}.",
        "field.unknown_zone": "L'établissement n'a pas de zone avec cet identifiant.",
        "field.no_turn_time": "L'établissement n'a pas de durée de table pour {party_size} "
        "personnes.",
        "field.bad_page_token": "Le jeton de page n'est pas valide pour cette requête.",
        "field.bad_window": "Il faut un début avant la fin, à {hours} heures d'écart au plus.",
        "field.duplicate": "Cette valeur apparaît plus d'une fois.",
        "field.too_large": "Doit valoir au plus {max}.",
        "booking_not_ready": "La réservation {booking_id} est à l'état {state} ; cet appel "
        "exige l'un des états : {needed}.",
        # Toute requête (shared/request_check.py).
        "field.undecodable": "La requête n'est pas un message valide pour cet appel (octets "
        "invalides ou chaîne qui n'est pas en UTF-8).",
        "field.nul_character": "Ne doit pas contenir le caractère U+0000.",
        "field.not_finite": "Doit être un nombre fini (ni NaN ni infini).",
        "field.unknown_enum_value": "Ce n'est pas une valeur définie pour ce champ.",
        "field.too_many": "{max} éléments au plus.",
        "field.window_too_long": "La fenêtre peut couvrir au plus {max}.",
    },
}


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class DuplicateMessage(ValueError):
    """Two catalogues define the same message key: one of them would silently win."""


def catalogue_with(*owned: Messages) -> Messages:
    """The shared catalogue joined with a service's own; a key defined twice is an error."""
    joined = {locale: dict(texts) for locale, texts in CATALOGUE.items()}
    for messages in owned:
        for locale, texts in messages.items():
            into = joined.setdefault(locale, {})
            if twice := into.keys() & texts.keys():
                raise DuplicateMessage(f"{locale}: {sorted(twice)}")
            into.update(texts)
    return joined


def render(
    key: str, locale: str, params: Mapping[str, object], catalogue: Messages = CATALOGUE
) -> str:
    """The message for `key` in `locale` (English when the locale or key is unknown)."""
    texts = catalogue.get(locale, catalogue[DEFAULT_LOCALE])
    template = texts.get(key) or catalogue[DEFAULT_LOCALE].get(key, key)
    return template.format_map(_Blank(params))


def pick_locale(accept_language: str | None) -> str:
    """The best catalogue locale for an `accept-language` header, by its q-values."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower()))
    for negative_quality, _, tag in sorted(ranked):
        language = tag.split("-")[0]
        if negative_quality < 0 and language in CATALOGUE:
            return language
    return DEFAULT_LOCALE
