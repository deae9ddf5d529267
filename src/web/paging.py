"""Page links for a list read a page at a time from the database (`?side=N`, 1-based).

The read port does the paging (LIMIT/OFFSET); this only turns the wanted page and the
list's length into what the `pagination` macro shows: "Viser 1-50 av 585" and links
that work without JavaScript. A `side` that is not a whole number counts as page 1, and
one past the end as the last page, so no address gives an error.
"""

from __future__ import annotations

from dataclasses import dataclass

PAGE_SIZE = 50
WINDOW = 2  # page links either side of the current one, besides the first and the last


def page_number(side: str) -> int:
    """The 1-based page asked for in `?side=`; 1 for anything but a positive number."""
    text = side.strip()
    if not text.isdecimal():
        return 1
    if len(text) > 9:  # far past any end (and no huge OFFSET): the last page
        return 10**9
    return max(1, int(text))


@dataclass(frozen=True)
class Paging:
    wanted: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def page(self) -> int:
        """The page shown: the wanted one, or the last when it is past the end."""
        return min(self.wanted, self.pages)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        """1-based number of the first row shown (0 when the list is empty)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    def links(self) -> list[int | None]:
        """Page numbers to link, in order; None where pages are left out (an ellipsis)."""
        shown = {1, self.pages, *range(self.page - WINDOW, self.page + WINDOW + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out
