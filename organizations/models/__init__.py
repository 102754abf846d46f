"""Organizations (organization.py) and which category manager coaches each (assignment.py)."""

from .assignment import *  # noqa: F403
from .organization import *  # noqa: F403
from .organization import CREDIT_CODE_HOLDING_STATES, licence_path  # noqa: F401
