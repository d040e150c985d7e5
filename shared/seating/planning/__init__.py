"""The re-planning of seated and waiting bookings (CP-SAT), and the bounded re-pack (rescue) that
seats one more party: pure, shared by the optimizer and availability's capacity checks."""
