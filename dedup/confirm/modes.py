"""Choices the command line offers before it loads the modules that act on them (they are slow to import)."""

CONFIRM_MODES = ("learned", "tfidf")  # the confirm stage: the learned reranker, or TF-IDF cosine rules
