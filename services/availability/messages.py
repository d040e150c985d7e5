"""Availability's user-facing error texts (floor plans, policies), in English and French."""

from shared.messages import Messages

MESSAGES: Messages = {
    "en": {
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
        "field.unknown_weekday": "Not a day of the week.",
        "field.bad_time": "Not a time of day: hours 0 to 23, minutes 0 to 59.",
        "field.past_midnight": "The last seating is before the first: periods past midnight are "
        "not supported; split it into one period before midnight and one after.",
        "field.overlapping_period": "Overlaps service period {other} on a shared weekday.",
        "field.overlapping_band": "Overlaps another turn-time band.",
        "field.not_positive": "Must be greater than zero.",
        "field.negative": "Must not be negative.",
        "field.whole_unit": "Must be a whole number of {unit}.",
        "field.below_initial_backoff": "Must not be shorter than the initial backoff.",
        "field.unknown_strategy": "Unknown strategy; the known ones are {allowed}.",
    },
    "fr": {
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
        "field.unknown_weekday": "Ce n'est pas un jour de la semaine.",
        "field.bad_time": "Ce n'est pas une heure : heures de 0 à 23, minutes de 0 à 59.",
        "field.past_midnight": "Le dernier service précède le premier : les périodes qui passent "
        "minuit ne sont pas prises en charge ; scindez-la avant et après minuit.",
        "field.overlapping_period": "Chevauche le service {other} un même jour de la semaine.",
        "field.overlapping_band": "Chevauche une autre tranche de durée de table.",
        "field.not_positive": "Doit être strictement positif.",
        "field.negative": "Ne doit pas être négatif.",
        "field.whole_unit": "Doit être un nombre entier de {unit}.",
        "field.below_initial_backoff": "Ne doit pas être plus court que le délai initial.",
        "field.unknown_strategy": "Stratégie inconnue ; les stratégies connues sont {allowed}.",
    },
}
