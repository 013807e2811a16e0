"""The six social networks (เครือข่าย ๖ ภาคส่วน) of the Moral Center's moral-province programme."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class NetworkSpec:
    key: str
    name_th: str
    name_en: str
    color: str  # one colour per network, used the same way on every screen


DEFAULT_NETWORKS: tuple[NetworkSpec, ...] = (
    NetworkSpec("government", "ภาครัฐ", "Government", "#1d4ed8"),
    NetworkSpec("business", "ภาคธุรกิจ เอกชน", "Business", "#9a3412"),
    NetworkSpec(
        "civil_society", "ภาคประชาสังคม ชุมชน ครอบครัว เด็กและเยาวชน", "Civil society", "#15803d"
    ),
    NetworkSpec("education", "องค์กรการศึกษา", "Education", "#7e22ce"),
    NetworkSpec("religion", "องค์กรศาสนา", "Religion", "#a16207"),
    NetworkSpec("media", "สื่อมวลชน", "Media", "#be123c"),
)


def short_names(names: Sequence[str]) -> list[str]:
    """A short form of each network's name for badges: its first word.

    Thai network names list who they cover ("ภาคประชาสังคม ชุมชน ครอบครัว เด็กและเยาวชน"); as a
    badge the full name made a 360 px phone 378 px wide (issue 12). The first word names the
    sector on its own (ภาคประชาสังคม, ภาคธุรกิจ). A first word two networks share would hide
    which one is meant, so those keep their full name.
    """
    firsts = [name.split()[0] if name.split() else name for name in names]
    return [
        first if firsts.count(first) == 1 else name
        for name, first in zip(names, firsts, strict=True)
    ]
