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
        "conflict": "Another change got there first: {what}. Retry.",
        "failed_precondition": "Not possible now: {what}.",
        "dependency_unavailable": "{dependency} did not answer. Retry shortly, with the same "
        "request id or expected version.",
        "allocation_conflict": "Table {tables} is already taken over that time.",
        "hold_expired": "Hold {hold_id} has expired or was released; place a new one.",
        "rate_limited": "Too many calls; retry in {retry_after} s.",
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
        # FloorPlanService (availability).
        "stale_floor_plan_version": "The floor plan of venue {venue_id} changed since you read "
        "it (you sent version {expected}, it is at {current}). Read it again and retry.",
        "stale_stranded_booking": "Booking {booking_id} changed while the floor change was "
        "sending it to manual review. Read the floor plan again and retry.",
        "strands_bookings": "The change would strand bookings with live assignments: {causes}. "
        "Set move_stranded_to_manual_review to send them to manual review with the change.",
        "strands_seated_bookings": "The change would strand seated parties, which cannot go to "
        "manual review: {causes}.",
        "resource_exists": "{resource} {id} already exists.",
        "field.unknown_time_zone": "Not an IANA time zone name (for example Europe/London).",
        "field.name_taken": "Another table of the venue already has this name.",
        "field.above_max": "Must not exceed the maximum, {max}.",
        "field.below_min": "Must be at least {min}.",
        "field.has_edges": "The table is joined to others: remove its adjacency edges first.",
        "field.unknown_table": "The venue has no table with this id.",
        "field.not_combinable": "The table is not combinable, so it cannot be joined.",
        "field.self_edge": "A table cannot be joined to itself.",
        "field.duplicate": "This value appears more than once.",
        "field.unknown_weekday": "Not a day of the week.",
        "field.bad_time": "Not a time of day: hours 0 to 23, minutes 0 to 59.",
        "field.past_midnight": "The last seating is before the first: periods past midnight are "
        "not supported; split it into one period before midnight and one after.",
        "field.overlapping_period": "Overlaps service period {other} on a shared weekday.",
        "field.overlapping_band": "Overlaps another turn-time band.",
        "field.not_positive": "Must be greater than zero.",
        "field.negative": "Must not be negative.",
        "field.whole_unit": "Must be a whole number of {unit}.",
        "field.too_large": "Must be at most {max}.",
        "field.below_initial_backoff": "Must not be shorter than the initial backoff.",
        "field.unknown_strategy": "Unknown strategy; the known ones are {allowed}.",
        # AssignerService.
        "booking_not_ready": "Booking {booking_id} is in {state}; this call needs one of: "
        "{needed}.",
        "booking_has_tables": "Booking {booking_id} already has tables {tables}.",
        "booking_moved": "Booking {booking_id} changed while this call ran; read it again.",
        "no_capacity": "No free table or combination of tables seats a party of {party_size} "
        "at that time.",
        "not_a_hold": "Allocation {hold_id} is not a hold (it may have been confirmed already).",
        "hold_of_another_booking": "Hold {hold_id} was placed for another booking.",
        "hold_too_short": "Hold {hold_id} does not cover the time of booking {booking_id}.",
        "field.no_active_table": "The venue has no active table with this id.",
        "field.too_few_seats": "These tables seat at most {seats}, fewer than the party of "
        "{party_size}.",
        "field.empty_window": "The start must be before the end.",
        # OptimizerService.
        "already_running": "An optimizer run for venue {venue_id} on {service_date} is already "
        "running (run {run_id}); wait for it, or follow it with GetPlan.",
        "plan_not_applicable": "Plan {plan_id} is {status}; only a PROPOSED or BELOW_THRESHOLD "
        "plan can be applied.",
        "plan_below_threshold": "Plan {plan_id} gains {benefit}%, below the venue's threshold of "
        "{threshold}%; apply it with force to apply it anyway.",
        "field.unknown_period": "The venue has no service period with this name on that day.",
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
        "allocation_conflict": "La table {tables} est déjà prise sur ce créneau.",
        "hold_expired": "La retenue {hold_id} a expiré ou a été libérée ; posez-en une nouvelle.",
        "rate_limited": "Trop d'appels ; réessayez dans {retry_after} s.",
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
        # FloorPlanService (availability).
        "stale_floor_plan_version": "Le plan de salle de l'établissement {venue_id} a changé "
        "depuis votre lecture (version envoyée {expected}, version actuelle {current}). "
        "Relisez-le puis réessayez.",
        "stale_stranded_booking": "La réservation {booking_id} a changé pendant que la "
        "modification du plan l'envoyait en revue manuelle. Relisez le plan puis réessayez.",
        "strands_bookings": "La modification laisserait sans table des réservations attribuées : "
        "{causes}. Activez move_stranded_to_manual_review pour les envoyer en revue manuelle.",
        "strands_seated_bookings": "La modification laisserait sans table des clients déjà "
        "installés, qui ne peuvent pas passer en revue manuelle : {causes}.",
        "resource_exists": "{resource} {id} existe déjà.",
        "field.unknown_time_zone": "Ce n'est pas un fuseau horaire IANA (par exemple "
        "Europe/Paris).",
        "field.name_taken": "Une autre table de l'établissement porte déjà ce nom.",
        "field.above_max": "Ne doit pas dépasser le maximum, {max}.",
        "field.below_min": "Doit valoir au moins {min}.",
        "field.has_edges": "La table est jointe à d'autres : retirez d'abord ses adjacences.",
        "field.unknown_table": "L'établissement n'a pas de table avec cet identifiant.",
        "field.not_combinable": "La table n'est pas combinable : elle ne peut pas être jointe.",
        "field.self_edge": "Une table ne peut pas être jointe à elle-même.",
        "field.duplicate": "Cette valeur apparaît plus d'une fois.",
        "field.unknown_weekday": "Ce n'est pas un jour de la semaine.",
        "field.bad_time": "Ce n'est pas une heure : heures de 0 à 23, minutes de 0 à 59.",
        "field.past_midnight": "Le dernier service précède le premier : les périodes qui passent "
        "minuit ne sont pas prises en charge ; scindez-la avant et après minuit.",
        "field.overlapping_period": "Chevauche le service {other} un même jour de la semaine.",
        "field.overlapping_band": "Chevauche une autre tranche de durée de table.",
        "field.not_positive": "Doit être strictement positif.",
        "field.negative": "Ne doit pas être négatif.",
        "field.whole_unit": "Doit être un nombre entier de {unit}.",
        "field.too_large": "Doit valoir au plus {max}.",
        "field.below_initial_backoff": "Ne doit pas être plus court que le délai initial.",
        "field.unknown_strategy": "Stratégie inconnue ; les stratégies connues sont {allowed}.",
        # AssignerService.
        "booking_not_ready": "La réservation {booking_id} est à l'état {state} ; cet appel "
        "exige l'un des états : {needed}.",
        "booking_has_tables": "La réservation {booking_id} a déjà les tables {tables}.",
        "booking_moved": "La réservation {booking_id} a changé pendant cet appel ; relisez-la.",
        "no_capacity": "Aucune table libre ni combinaison de tables ne peut accueillir "
        "{party_size} personnes à cette heure.",
        "not_a_hold": "L'allocation {hold_id} n'est pas une retenue (elle a peut-être déjà "
        "été confirmée).",
        "hold_of_another_booking": "La retenue {hold_id} a été posée pour une autre réservation.",
        "hold_too_short": "La retenue {hold_id} ne couvre pas l'horaire de la réservation "
        "{booking_id}.",
        "field.no_active_table": "L'établissement n'a pas de table active avec cet identifiant.",
        "field.too_few_seats": "Ces tables offrent au plus {seats} places, moins que les "
        "{party_size} personnes.",
        "field.empty_window": "Le début doit précéder la fin.",
        # OptimizerService.
        "already_running": "Une optimisation de l'établissement {venue_id} pour le "
        "{service_date} est déjà en cours (exécution {run_id}) ; attendez-la ou suivez-la "
        "avec GetPlan.",
        "plan_not_applicable": "Le plan {plan_id} est à l'état {status} ; seul un plan PROPOSED "
        "ou BELOW_THRESHOLD peut être appliqué.",
        "plan_below_threshold": "Le plan {plan_id} rapporte {benefit} %, sous le seuil de "
        "l'établissement ({threshold} %) ; utilisez force pour l'appliquer quand même.",
        "field.unknown_period": "L'établissement n'a pas de service de ce nom ce jour-là.",
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
