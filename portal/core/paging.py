"""Pages of long lists that never count every row: a list of a million creators counts up to a
cap and says "more than" past it, and offers the pages up to the cap (issue #17)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedPaginator(Paginator):
    """A paginator that counts at most `max_pages` pages of rows: `SELECT COUNT(*) FROM (... LIMIT
    cap + 1)`, which reads at most cap + 1 rows of an index however long the list is. `capped`
    says there are more rows than the pages offered; filters narrow the list to reach them."""

    def __init__(self, object_list, per_page, *, max_pages: int, count_list=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = per_page * max_pages
        # The rows to count, when a leaner query counts the same rows (no display joins).
        self.count_list = object_list if count_list is None else count_list

    @cached_property
    def counted(self) -> int:
        return count_up_to(self.count_list, self.cap + 1)

    @property
    def capped(self) -> bool:
        return self.counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)


def count_up_to(rows, limit: int) -> int:
    """How many rows there are, counting no further than `limit`, in no order: the first `limit`
    rows of a sort would walk the sort's index through rows another filter drops (one
    organization's creators by followers), where any `limit` rows of the filter's own index do."""
    if isinstance(rows, Concatenated):
        return rows.count_up_to(limit)
    return rows.order_by()[:limit].count()


class Concatenated:
    """Two querysets read as one list, the first one's rows before the second one's: a sort on a
    nullable joined column (a creator's current binding) reads the rows that have one from an
    index, then the others, instead of sorting every row to put them in their place."""

    def __init__(self, first, second):
        self.first, self.second = first, second

    def __getitem__(self, item):
        if not isinstance(item, slice) or item.step is not None:
            raise TypeError("Concatenated supports plain slices only")
        start, stop = item.start or 0, item.stop
        head = list(self.first[start:stop])
        if stop is not None and len(head) == stop - start:
            return head
        # The first list ended inside the slice: count it (up to the slice's end) to know where
        # the second one starts.
        before = len(head) + start if head else self.first[: start + 1].count() if start else 0
        skip = max(0, start - before)
        rest = self.second[skip:] if stop is None else self.second[skip : stop - before]
        return head + list(rest)

    def count(self) -> int:
        return self.first.count() + self.second.count()

    def count_up_to(self, limit: int) -> int:
        first = count_up_to(self.first, limit)
        return first if first >= limit else first + count_up_to(self.second, limit - first)
