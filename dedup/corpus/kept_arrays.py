"""The arrays pass one keeps, by name: ``CorpusState`` holds them and a ``Checkpoint`` saves them.

A module of its own (numpy only), so that the command line's import of checkpoints stays light.
"""

from __future__ import annotations

import numpy as np

# Signatures, sizes, paragraph index, restatement flags: one batch's worth appended per batch.
SIGNED_ARRAYS = ("signatures", "sizes", "lengths", "paragraphs", "node_keys", "occurrences", "restate")
# The reuse search's seeds (``reuse.search.Seeds``), numbered across the corpus, with their types.
REUSE_ARRAYS = {"reuse_words": np.uint32, "reuse_unit_words": np.int32, "reuse_unit_doc": np.int64,
                "reuse_copy_keys": np.uint64, "reuse_copy_doc": np.int32, "reuse_unit_forms": np.uint32,
                "reuse_copy_units": np.uint16}
