"""The availability service: floor plans, live snapshots, capacity checks and slot search."""
