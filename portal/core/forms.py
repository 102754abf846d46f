class PortalFormMixin:
    """Labels without a trailing colon: the page layout already separates label and field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
