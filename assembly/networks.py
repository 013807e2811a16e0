"""The six social networks (เครือข่าย ๖ ภาคส่วน) of the Moral Center's moral-province programme."""

from __future__ import annotations

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
