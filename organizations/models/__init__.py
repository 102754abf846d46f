"""Organizations (organization.py) and their coaching (coaching.py)."""

from .coaching import *  # noqa: F403
from .organization import *  # noqa: F403
from .organization import CREDIT_CODE_HOLDING_STATES, licence_path  # noqa: F401
