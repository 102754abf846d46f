"""Organizations (organization.py), which category manager coaches each (assignment.py), and
suspensions with their one appeal (suspension.py)."""

from .assignment import *  # noqa: F403
from .organization import *  # noqa: F403
from .organization import CREDIT_CODE_HOLDING_STATES, licence_path  # noqa: F401
from .suspension import *  # noqa: F403
