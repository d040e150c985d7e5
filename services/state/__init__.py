"""The state service: the booking lifecycle, its versions, history and outbox."""
