"""The optimizer's pure domain: the seating problem, the CP-SAT model and the rescue re-pack."""
