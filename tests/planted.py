"""A small planted corpus, generated in the test run: originals, near-duplicate copies, boilerplate, a reused paragraph."""

from __future__ import annotations

import random

SYLLABLES = ["ka", "ro", "mi", "te", "lu", "sa", "no", "vi", "de", "pa", "gor", "lin", "tum", "bex", "quo", "zar"]
FOOTER = "Subscribe to our newsletter for the latest updates, delivered to your inbox every single morning."
REUSED = ("Officials from the harbour authority confirmed on Tuesday that the northern pier will close "
          "for repairs until the spring, diverting ferry traffic to the eastern terminal.")


def _vocabulary(rng: random.Random, n: int = 4000) -> list[str]:
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def _document(rng: random.Random, vocab: list[str], paragraphs: int = 5) -> list[str]:
    out = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            words = [rng.choice(vocab) for _ in range(rng.randint(8, 16))]
            sentences.append(" ".join(words).capitalize() + ".")
        out.append(" ".join(sentences))
    return out


def _edit(rng: random.Random, paragraphs: list[str], rate: float = 0.03) -> list[str]:
    return [" ".join("changed" if rng.random() < rate else w for w in p.split()) for p in paragraphs]


def planted_corpus(seed: int = 7, originals: int = 40) -> tuple[list[dict], list[set[str]]]:
    """Records ``{"id", "body", "source"}`` and the expected near-duplicate clusters (sets of ids)."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng)
    docs = {f"doc{i:03d}": _document(rng, vocab) for i in range(originals)}
    for i in range(0, originals, 4):
        docs[f"doc{i:03d}"].append(FOOTER)  # boilerplate in 10 documents
    docs["doc001"].insert(2, REUSED)  # one paragraph reused by two unrelated documents
    docs["doc002"].append(REUSED)
    clusters = []
    copies = {
        "doc005": ("doc005-edited", _edit(rng, docs["doc005"])),
        "doc006": ("doc006-truncated", docs["doc006"][:3]),
        "doc007": ("doc007-reheadlined", ["A new headline for an old story."] + docs["doc007"][1:]),
        "doc009": ("doc009-syndicated", _edit(rng, docs["doc009"], 0.01)),
    }
    for original, (copy_id, paragraphs) in copies.items():
        docs[copy_id] = paragraphs
        clusters.append({original, copy_id})
    docs["doc009-second"] = docs["doc009"][:-1]  # a third member of one cluster
    clusters[-1].add("doc009-second")
    records = [{"id": doc_id, "body": "\n\n".join(p), "source": "planted"} for doc_id, p in docs.items()]
    rng.shuffle(records)
    return records, clusters
