"""Incubation pages: the reserve pool, nominations and their review, the ranking with its
explanations, and the top-100 shortlist."""
