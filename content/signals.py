"""What other apps may react to, without content knowing them."""

from django.dispatch import Signal

# Sent inside the decision's transaction when a video is decided (or upheld on appeal) to be a
# copy: `video`, `actor`, `decision`. Placements withdraw it from every future slot.
originality_rejected = Signal()
