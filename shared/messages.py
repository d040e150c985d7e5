"""The one message catalogue: every user-facing error text, in English and French."""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_LOCALE = "en"

CATALOGUE: Mapping[str, Mapping[str, str]] = {
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
        "field.required": "This field is required.",
        "field.too_long": "At most {max} characters.",
        "field.bad_format": "The value does not have the expected format: {format}.",
        "field.out_of_range": "Must be between {min} and {max}.",
        "field.in_past": "Must be in the future.",
        "field.outside_service_period": "The venue takes no bookings starting at this time.",
        "field.unknown_venue": "No venue has this id.",
        "field.unknown_zone": "The venue has no zone with this id.",
        "field.no_turn_time": "The venue has no turn time for a party of {party_size}.",
        "field.bad_page_token": "The page token is not valid for this query.",
        "field.not_a_target": "Not a state this call can move to.",
        "field.bad_window": "Needs a start before its end, at most {hours} hours apart.",
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
        "field.required": "Ce champ est obligatoire.",
        "field.too_long": "{max} caractères au plus.",
        "field.bad_format": "La valeur n'a pas le format attendu : {format}.",
        "field.out_of_range": "Doit être compris entre {min} et {max}.",
        "field.in_past": "Doit être dans le futur.",
        "field.outside_service_period": "L'établissement ne prend pas de réservation "
        "à cette heure.",
        "field.unknown_venue": "Aucun établissement n'a cet identifiant.",
        "field.unknown_zone": "L'établissement n'a pas de zone avec cet identifiant.",
        "field.no_turn_time": "L'établissement n'a pas de durée de table pour {party_size} "
        "personnes.",
        "field.bad_page_token": "Le jeton de page n'est pas valide pour cette requête.",
        "field.not_a_target": "Cet appel ne peut pas mener à cet état.",
        "field.bad_window": "Il faut un début avant la fin, à {hours} heures d'écart au plus.",
    },
}


class _Blank(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render(key: str, locale: str, params: Mapping[str, object]) -> str:
    """The message for `key` in `locale` (English when the locale or key is unknown)."""
    texts = CATALOGUE.get(locale, CATALOGUE[DEFAULT_LOCALE])
    template = texts.get(key) or CATALOGUE[DEFAULT_LOCALE].get(key, key)
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
