"""Which addresses mail can go to."""

# Special-use names (RFC 6761) and local names never reach a mailbox; demo accounts use them.
UNDELIVERABLE_SUFFIXES = (".local", ".test", ".invalid", ".localhost", ".internal")


def is_deliverable(address: str) -> bool:
    domain = address.rsplit("@", 1)[-1].lower().rstrip(".")
    return "." in domain and not domain.endswith(UNDELIVERABLE_SUFFIXES)
