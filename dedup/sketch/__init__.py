"""Shingles, MinHash / one-permutation signatures and LSH banding: the candidate generators."""
