"""The state service's user-facing error texts (booking fields), in English and French."""

from shared.messages import Messages

MESSAGES: Messages = {
    "en": {
        "field.in_past": "Must be in the future.",
        "field.outside_service_period": "The venue takes no bookings starting at this time.",
        "field.unknown_venue": "No venue has this id.",
        "field.not_a_target": "Not a state this call can move to.",
    },
    "fr": {
        "field.in_past": "Doit être dans le futur.",
        "field.outside_service_period": "L'établissement ne prend pas de réservation "
        "à cette heure.",
        "field.unknown_venue": "Aucun établissement n'a cet identifiant.",
        "field.not_a_target": "Cet appel ne peut pas mener à cet état.",
    },
}
