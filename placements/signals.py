"""Placements follow originality decisions made in `content`."""

from django.dispatch import receiver

from content.signals import originality_rejected


@receiver(originality_rejected, dispatch_uid="placements_withdraw_rejected_video")
def withdraw_rejected_video(sender, video, actor, decision, **kwargs):
    from placements.services import placements_withdraw_video

    placements_withdraw_video(actor=actor, video=video, reason="originality_rejected")
