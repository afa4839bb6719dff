"""An adverse event's changes in words, for its page and the patient's timeline."""

from __future__ import annotations

from typing import Any

from needlesafe.web.render import OUTCOMES

FIELD_NAMES = {
    "ctcae_grade": "grade",
    "icd10_code": "ICD-10 code",
    "serious": "serious",
    "actions": "actions",
    "outcome": "outcome",
    "follow_up_on": "next follow-up",
    "notes": "notes",
    "status": "status",
    "resolved_on": "resolved on",
    "onset_date": "onset",
    "complication": "complication",
    "treatment_id": "treatment",
    "product_lot": "product lot",
}


def describe_change(change: dict[str, Any], knowledge: Any) -> list[str]:
    """A change's fields in words: "grade 2 → 3", "outcome: not known yet → recovered"."""
    words = []
    for name, fromto in change.items():
        before, after = fromto.get("from"), fromto.get("to")
        if name == "outcome":
            before, after = OUTCOMES.get(before, before), OUTCOMES.get(after, after)
        elif name == "complication" and after in knowledge.complications:
            after = knowledge.complications[after].label
        before, after = (
            ("yes" if v else "no") if isinstance(v, bool) else v for v in (before, after)
        )
        label = FIELD_NAMES.get(name, name.replace("_", " "))
        if before in (None, ""):
            words.append(f"{label}: {after}")
        else:
            words.append(f"{label}: {before} → {after if after not in (None, '') else 'none'}")
    return words
