"""Levels and their rights, edited by operators. A level is reached with a monthly score of at
least its `min_score`; the scores that reach levels rise with the level (level 1 from 0, so every
scored organization holds a level). Rights are (level, key, value) rows; services read them
through `growth.selectors.right_for`."""

import itertools
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from growth.models import RIGHT_KINDS, Level, LevelRight, RightKey
from portal.accounts.permissions import authorize
from portal.audit.services import audit_record

MAX_RIGHT_VALUE = 100_000  # the model's check constraint


def _check_order(levels: list[Level]) -> None:
    ordered = sorted(levels, key=lambda level: level.number)
    if ordered and ordered[0].min_score != 0:
        raise ValidationError({"min_score": _("The lowest level starts at a score of 0.")})
    for lower, higher in itertools.pairwise(ordered):
        if higher.min_score <= lower.min_score:
            raise ValidationError(
                {
                    "min_score": _("Level %(higher)s must start above level %(lower)s (%(score)s).")
                    % {"higher": higher.number, "lower": lower.number, "score": lower.min_score}
                }
            )


@transaction.atomic
def level_save(*, actor, number: int, name_zh: str, name_en: str, min_score: Decimal) -> Level:
    """Create or edit level `number`. The scores that reach levels must rise with the level; the
    next monthly computation uses the new thresholds (past scorecards keep their levels)."""
    authorize(actor, "growth.manage")
    levels = {level.number: level for level in Level.objects.select_for_update()}
    level = levels.get(number) or Level(number=number)
    before = (
        {"name_zh": level.name_zh, "name_en": level.name_en, "min_score": level.min_score}
        if level.pk
        else None
    )
    level.name_zh, level.name_en, level.min_score = name_zh.strip(), name_en.strip(), min_score
    level.full_clean(validate_unique=False)
    levels[number] = level
    _check_order(list(levels.values()))
    level.save()
    audit_record(
        actor=actor,
        action="level.save",
        obj=level,
        before=before,
        after={"name_zh": level.name_zh, "name_en": level.name_en, "min_score": min_score},
    )
    return level


@transaction.atomic
def level_right_set(*, actor, level: Level, key: str, value: int | None) -> LevelRight | None:
    """Grant `key` to `level` with `value` (a count, a number of days, or 1 for a switch), or
    take it away with None."""
    authorize(actor, "growth.manage")
    if key not in RightKey.values:
        raise ValidationError({"key": _("Choose a right from the list.")})
    current = LevelRight.objects.select_for_update().filter(level=level, key=key).first()
    before = {"value": current.value} if current else None
    if value is None:
        if current is not None:
            current.delete()
            audit_record(
                actor=actor,
                action="level_right.remove",
                obj=level,
                before=before,
                after={"right": key},
            )
        return None
    if RIGHT_KINDS[key] == "switch" and value not in (0, 1):
        raise ValidationError({"value": _("This right is on (1) or off (0).")})
    if not 0 <= value <= MAX_RIGHT_VALUE:
        raise ValidationError(
            {"value": _("Enter a whole number from 0 to %(max)s.") % {"max": MAX_RIGHT_VALUE}}
        )
    right = current or LevelRight(level=level, key=key)
    right.value = value
    right.full_clean()
    right.save()
    audit_record(
        actor=actor,
        action="level_right.set",
        obj=level,
        before=before,
        after={"right": key, "value": value},
    )
    return right
