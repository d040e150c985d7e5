"""The assigner's user-facing error texts (holds, assignments, moves), in English and French."""

from shared.messages import Messages

MESSAGES: Messages = {
    "en": {
        "allocation_conflict": "Table {tables} is already taken over that time.",
        "hold_expired": "Hold {hold_id} has expired or was released; place a new one.",
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
    },
    "fr": {
        "allocation_conflict": "La table {tables} est déjà prise sur ce créneau.",
        "hold_expired": "La retenue {hold_id} a expiré ou a été libérée ; posez-en une nouvelle.",
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
    },
}
