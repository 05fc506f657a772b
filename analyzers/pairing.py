"""Pair a file's old and new definitions: the same unit when kind and qualified name agree.

``Pairing`` pairs lazily, one (kind, qualified name) group at a time, as ``syntax`` asks
about each changed definition; overloads and other repeated names pair by equal signature
first, then in source order.
"""

from __future__ import annotations

from collections import defaultdict

from tactful.analyzers.definitions import Definition


class Pairing:
    """Matches old and new definitions by (kind, qualified name).

    Overloads and other repeated names pair first by equal signature, then in source order.
    """

    def __init__(self, old: tuple[Definition, ...], new: tuple[Definition, ...]) -> None:
        self._old_groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._new_groups: dict[tuple[str, str], list[int]] = defaultdict(list)
        for index, definition in enumerate(old):
            self._old_groups[(definition.kind, definition.qualified_name)].append(index)
        for index, definition in enumerate(new):
            self._new_groups[(definition.kind, definition.qualified_name)].append(index)
        self.old, self.new = old, new
        self._old_to_new: dict[int, int | None] = {}
        self._new_to_old: dict[int, int | None] = {}

    def of_new(self, index: int) -> int | None:
        if index not in self._new_to_old:
            definition = self.new[index]
            self._pair((definition.kind, definition.qualified_name))
        return self._new_to_old[index]

    def of_old(self, index: int) -> int | None:
        if index not in self._old_to_new:
            definition = self.old[index]
            self._pair((definition.kind, definition.qualified_name))
        return self._old_to_new[index]

    def _pair(self, key: tuple[str, str]) -> None:
        olds, news = list(self._old_groups.get(key, ())), list(self._new_groups.get(key, ()))
        for index in olds:
            self._old_to_new[index] = None
        for index in news:
            self._new_to_old[index] = None
        if len(olds) > 1 and len(news) > 1:
            for new_index in list(news):
                signature = self.new[new_index].signature
                same = next((i for i in olds if self.old[i].signature == signature), None)
                if same is not None:
                    self._link(same, new_index)
                    olds.remove(same)
                    news.remove(new_index)
        for old_index, new_index in zip(olds, news, strict=False):
            self._link(old_index, new_index)

    def _link(self, old_index: int, new_index: int) -> None:
        self._old_to_new[old_index] = new_index
        self._new_to_old[new_index] = old_index
