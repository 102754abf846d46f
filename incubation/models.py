"""The reserve pool and the top-100 shortlist (built in the incubation issue)."""
