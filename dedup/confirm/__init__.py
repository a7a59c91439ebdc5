"""The confirm stage: pair scores, TF-IDF and the corpus IDF, the reranker's features and model."""
