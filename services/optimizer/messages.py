"""The optimizer's user-facing error texts (runs and plans), in English and French."""

from shared.messages import Messages

MESSAGES: Messages = {
    "en": {
        "already_running": "An optimizer run for venue {venue_id} on {service_date} is already "
        "running (run {run_id}); wait for it, or follow it with GetPlan.",
        "plan_not_applicable": "Plan {plan_id} is {status}; only a PROPOSED or BELOW_THRESHOLD "
        "plan can be applied.",
        "plan_below_threshold": "Plan {plan_id} gains {benefit}%, below the venue's threshold of "
        "{threshold}%; apply it with force to apply it anyway.",
        "field.unknown_period": "The venue has no service period with this name on that day.",
    },
    "fr": {
        "already_running": "Une optimisation de l'établissement {venue_id} pour le "
        "{service_date} est déjà en cours (exécution {run_id}) ; attendez-la ou suivez-la "
        "avec GetPlan.",
        "plan_not_applicable": "Le plan {plan_id} est à l'état {status} ; seul un plan PROPOSED "
        "ou BELOW_THRESHOLD peut être appliqué.",
        "plan_below_threshold": "Le plan {plan_id} rapporte {benefit} %, sous le seuil de "
        "l'établissement ({threshold} %) ; utilisez force pour l'appliquer quand même.",
        "field.unknown_period": "L'établissement n'a pas de service de ce nom ce jour-là.",
    },
}
